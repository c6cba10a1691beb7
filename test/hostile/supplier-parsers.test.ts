import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, cstMonth, cstToday, ManualClock, SimdockError } from '../../src/domain/index.js';
import { createSupplierCatalog } from '../../src/suppliers/catalog.js';
import {
  type Capability,
  type CardRef,
  type SupplierAdapterV1,
  SupplierError,
} from '../../src/suppliers/spec/index.js';
import { garbageJson, nastyString, propertyParameters } from './hostile-support.js';

/** How one supplier answer is spoiled. */
type Mutation =
  | { kind: 'truncate'; fraction: number }
  | { kind: 'replace-value'; path: number[]; value: unknown }
  | { kind: 'garbage-json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'status'; status: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .double({ min: 0, max: 1, noNaN: true })
      .map((fraction) => ({ kind: 'truncate', fraction }) as const),
  },
  {
    weight: 5,
    arbitrary: fc
      .record({ path: fc.array(fc.nat(), { maxLength: 6 }), value: garbageJson })
      .map((r) => ({ kind: 'replace-value', ...r }) as const),
  },
  { weight: 1, arbitrary: garbageJson.map((value) => ({ kind: 'garbage-json', value }) as const) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(nastyString, fc.constant('<html><body>502 Bad Gateway</body></html>'))
      .map((text) => ({ kind: 'text', text }) as const),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(200, 204, 302, 400, 401, 404, 418, 429, 500, 503)
      .map((status) => ({ kind: 'status', status }) as const),
  },
);

/** Replaces the value at `path` (each step picks a child by index modulo the children). */
function replaceAt(document: unknown, path: number[], value: unknown): unknown {
  if (path.length === 0 || document === null || typeof document !== 'object') return value;
  const [step, ...rest] = path;
  if (Array.isArray(document)) {
    if (document.length === 0) return value;
    const index = step! % document.length;
    return document.map((item, position) =>
      position === index ? replaceAt(item, rest, value) : item,
    );
  }
  const keys = Object.keys(document);
  if (keys.length === 0) return value;
  const key = keys[step! % keys.length]!;
  return { ...document, [key]: replaceAt((document as Record<string, unknown>)[key], rest, value) };
}

async function spoil(response: Response, change: Mutation): Promise<Response> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  const text = new TextDecoder().decode(bytes);
  switch (change.kind) {
    case 'truncate':
      return new Response(bytes.slice(0, Math.floor(bytes.length * change.fraction)), {
        status: response.status,
        headers,
      });
    case 'replace-value': {
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        return new Response(bytes.slice(0, Math.floor(bytes.length / 2)), {
          status: response.status,
          headers,
        });
      }
      return new Response(JSON.stringify(replaceAt(document, change.path, change.value)), {
        status: response.status,
        headers,
      });
    }
    case 'garbage-json':
      return new Response(JSON.stringify(change.value) ?? '', { status: response.status, headers });
    case 'text':
      return new Response(change.text, { status: response.status, headers });
    case 'status':
      return new Response(bytes, { status: change.status, headers });
  }
}

/** Every operation the adapter declares, called with the simulator's cards. */
function operationsOf(adapter: SupplierAdapterV1, cards: CardRef[], now: number) {
  const yesterday = addDays(cstToday(now), -1);
  const calls: Partial<Record<Capability, () => Promise<unknown>>> = {
    inventory: () => adapter.doListCards!({}),
    identities: () => adapter.doGetIdentities!({ cards }),
    status: () => adapter.doGetStatus!({ cards }),
    'usage.daily': () => adapter.doGetDailyUsage!({ cards, date: yesterday }),
    'usage.monthly': () => adapter.doGetMonthlyUsage!({ cards, month: cstMonth(now) }),
    lifecycle: () =>
      adapter.doChangeStatus!({ cards, action: adapter.limits.lifecycleActions?.[0] ?? 'pause' }),
    'sms.send': () => adapter.doSendSms!({ cards, text: 'hostile' }),
    'sms.inbound': () => adapter.doReadInboundSms!({ cards, limit: 5, persist: async () => {} }),
    location: () => adapter.doGetLocation!({ cards }),
  };
  return [...adapter.capabilities].map((capability) => ({ capability, call: calls[capability]! }));
}

/** A thrown failure must be typed: a SupplierError (or a simdock error naming bad input). */
function expectTyped(error: unknown, context: string): void {
  const typed = error instanceof SupplierError || SimdockError.isInstance(error);
  expect(
    typed,
    `${context}: ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`,
  ).toBe(true);
  expect((error as SimdockError).code, context).not.toBe('internal');
}

/** Item results carry a value or a typed error; usage bytes are whole numbers or null. */
function expectWellFormed(result: unknown, context: string): void {
  const items = (result as { items?: unknown[] }).items;
  if (!Array.isArray(items)) return;
  for (const item of items as { ok: boolean; error?: unknown; value?: unknown; key: string }[]) {
    expect(typeof item.key, context).toBe('string');
    if (!item.ok) expectTyped(item.error, context);
    const bytes = (item.value as { bytes?: unknown } | undefined)?.bytes;
    if (item.ok && bytes !== undefined) {
      expect(
        bytes === null || (Number.isInteger(bytes) && (bytes as number) >= 0),
        `${context}: bytes ${String(bytes)}`,
      ).toBe(true);
    }
  }
}

const SUPPLIERS = createSupplierCatalog().types();

/**
 * Every supplier's adapter fed spoiled answers through its fetch: truncated documents, values
 * replaced with garbage anywhere in the tree, random documents, HTML, odd statuses. Only typed
 * SupplierErrors (thrown, or per card) come out; never a TypeError or a crash.
 */
describe.each(SUPPLIERS)('%s adapter over spoiled answers', (supplier) => {
  it('throws only typed errors and returns only well-formed items', async () => {
    const catalog = createSupplierCatalog();
    const definition = catalog.get(supplier);
    const outcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          target: fc.oneof(fc.nat({ max: 4 }), fc.constant('all' as const)),
          change: mutation,
          pick: fc.nat(),
        }),
        async ({ target, change, pick }) => {
          const clock = new ManualClock(Date.UTC(2026, 10, 26, 4, 0, 0), { autoAdvance: true });
          const simulator = definition.simulator.create({ size: 6, clock });
          let call = 0;
          const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
            const request = new Request(input, init);
            const response = await simulator.app.request(request);
            const index = call;
            call += 1;
            return target === 'all' || target === index ? spoil(response, change) : response;
          }) as typeof globalThis.fetch;
          const settings = simulator.settings('http://sim');
          const adapter = definition.create('acct', definition.parseSettings(settings), {
            fetch,
            clock,
            timeoutMs: 2000,
          });
          const cards: CardRef[] = [0, 1, 2].map((index) => {
            const card = simulator.card(index);
            return {
              key: String(index + 1),
              iccid: card.iccid,
              msisdn: card.msisdn,
              imsi: card.imsi,
            };
          });
          const operations = operationsOf(adapter, cards, clock.now());
          const operation = operations[pick % operations.length]!;
          const context = `${supplier} ${operation.capability} ${JSON.stringify(change).slice(0, 200)} on call ${target}`;
          try {
            expectWellFormed(await operation.call(), context);
            outcomes.add(`${operation.capability}:ok`);
          } catch (error) {
            if ((error as Error)?.name === 'AssertionError') throw error;
            expectTyped(error, context);
            outcomes.add(`${operation.capability}:${(error as SimdockError).code}`);
          }
        },
      ),
      propertyParameters(40),
    );
    // The runs reached the parsers: some calls still succeeded, others failed typed.
    expect(
      [...outcomes].some((outcome) => outcome.endsWith(':ok')),
      [...outcomes].join(),
    ).toBe(true);
    expect(
      [...outcomes].some((outcome) => outcome.includes(':supplier_')),
      [...outcomes].join(),
    ).toBe(true);
    console.info(`${supplier}: ${[...outcomes].sort().join(', ')}`);
  });
});
