import { describe, expect, it } from 'vitest';
import {
  addDays,
  CARD_STATUSES,
  type CardIdentities,
  cstMonth,
  cstToday,
  ManualClock,
} from '../../domain/index.js';
import { requireOperation } from './registry.js';
import { appFetch } from './simulator-kit.js';
import { SupplierError } from './supplier-error.js';
import type { SupplierSimulation } from './supplier-simulation.js';
import {
  CAPABILITIES,
  type Capability,
  type CardRef,
  type CardsOptions,
  OPERATION_OF,
  type SupplierAdapterV1,
  type SupplierDefinition,
} from './supplier-spec.js';

/** Every conformance run starts at 2024-11-26 10:00 CST; sleeps move the clock, not real time. */
const START = Date.UTC(2024, 10, 26, 2, 0, 0);
const ORIGIN = 'http://simulator.test';

/** What one test of the suite works with: a fresh simulator and adapters on it. */
interface ConformanceSetup {
  adapter: SupplierAdapterV1;
  /** The same simulator, but credentials the simulator must refuse. */
  badCredentialsAdapter: SupplierAdapterV1;
  simulator: SupplierSimulation;
  clock: ManualClock;
  /** Cards the simulator holds (at least batch size + 1), with every identifier it reports. */
  knownCards: CardIdentities[];
  unknownCard: Omit<CardRef, 'key'>;
  /** Yesterday (CST), inside every supplier's daily-usage window. */
  usageDate: string;
  /** Last month (CST). */
  usageMonth: string;
}

const refOf = (card: CardIdentities, key: string, field: 'iccid' | 'msisdn' | 'imsi'): CardRef => ({
  key,
  [field]: card[field],
});

const refsOf = (cards: CardIdentities[], prefix: string): CardRef[] =>
  cards.map((card, index) => ({ key: `${prefix}${index}`, ...card }));

/**
 * The contract every supplier adapter must honour, run against the simulator its definition
 * builds. What the supplier does not offer is declared when the suite is (from a probe
 * adapter's capabilities), so those cases are reported as skipped, never as passed.
 */
export function describeSupplierConformance(definition: SupplierDefinition<unknown>): void {
  const adapterOn = (simulation: SupplierSimulation, settings: object, clock?: ManualClock) =>
    definition.create(
      `${definition.type}-conformance`,
      definition.parseSettings(settings as Record<string, unknown>),
      { fetch: appFetch(simulation.app), rateLimit: 0, ...(clock ? { clock } : {}) },
    );
  // Capability discovery is synchronous: a probe adapter on a one-card simulator.
  const probeSimulation = definition.simulator.create({ size: 1 });
  const probe = adapterOn(probeSimulation, probeSimulation.settings(ORIGIN));
  const offers = (capability: Capability) => probe.capabilities.has(capability);
  const actions = probe.limits.lifecycleActions ?? [];
  const cooldownMs = definition.simulator.lifecycleCooldownMs;
  /** The batch operation the generic cases use: identities where offered, else status. */
  const lookup: Capability | null = offers('identities')
    ? 'identities'
    : offers('status')
      ? 'status'
      : null;
  const batch = (capability: Capability) => probe.limits.batchSize[capability] ?? 1;
  const fleetSize = Math.max(4, ...(lookup ? [batch(lookup) + 1] : []));

  const setup = (): ConformanceSetup => {
    const clock = new ManualClock(START, { autoAdvance: true });
    const simulator = definition.simulator.create({ size: fleetSize, clock });
    simulator.faults.set({});
    const today = cstToday(clock.now());
    return {
      adapter: adapterOn(simulator, simulator.settings(ORIGIN), clock),
      badCredentialsAdapter: adapterOn(simulator, simulator.badSettings(ORIGIN), clock),
      simulator,
      clock,
      knownCards: Array.from({ length: fleetSize }, (_, index) => simulator.card(index)),
      unknownCard: simulator.unknownCard,
      usageDate: addDays(today, -1),
      usageMonth: cstMonth(Date.UTC(2024, 9, 15)),
    };
  };
  /** Calls the lookup operation (identities, else status) for these cards. */
  const lookUp = (adapter: SupplierAdapterV1, options: CardsOptions) =>
    (
      requireOperation(adapter, lookup!) as (
        options: object,
      ) => Promise<{ items: { key: string; ok: boolean }[] }>
    )(options);

  describe(`supplier conformance: ${definition.type}`, () => {
    it('declares version v1 and implements exactly the capabilities it declares', () => {
      const { adapter } = setup();
      expect(adapter.specificationVersion).toBe('v1');
      expect(adapter.supplier).toBe(definition.type);
      expect(adapter.accountId).toBeTruthy();
      for (const capability of CAPABILITIES) {
        const implemented = typeof adapter[OPERATION_OF[capability]] === 'function';
        expect(`${capability}: ${implemented}`).toBe(
          `${capability}: ${adapter.capabilities.has(capability)}`,
        );
      }
      for (const capability of adapter.capabilities) {
        if (capability === 'inventory') continue;
        expect(adapter.limits.batchSize[capability], capability).toBeGreaterThanOrEqual(1);
      }
    });

    const missing = CAPABILITIES.filter((capability) => !offers(capability));
    it.runIf(missing.length > 0)(
      `refuses what it does not offer with a typed unsupported error (${missing.join(', ') || 'none'})`,
      () => {
        const { adapter } = setup();
        for (const capability of missing) {
          const error = (() => {
            try {
              requireOperation(adapter, capability);
              return null;
            } catch (caught) {
              return caught;
            }
          })();
          expect(SupplierError.isInstance(error), capability).toBe(true);
          expect((error as SupplierError).code).toBe('unsupported');
        }
      },
    );

    it.runIf(offers('identities'))(
      'resolves identities of known cards by each identifier it accepts, keys echoed',
      async () => {
        const { adapter, knownCards } = setup();
        const card = knownCards[0]!;
        for (const field of ['iccid', 'msisdn', 'imsi'] as const) {
          if (!card[field]) continue;
          const result = await adapter.doGetIdentities!({
            cards: [refOf(card, `k-${field}`, field)],
          });
          expect(result.items).toHaveLength(1);
          const item = result.items[0]!;
          expect(item.key).toBe(`k-${field}`);
          if (!item.ok) throw item.error;
          expect(item.value[field]).toBe(card[field]);
          for (const other of ['iccid', 'msisdn', 'imsi'] as const) {
            if (item.value[other] !== null) expect(item.value[other]).toBe(card[other]);
          }
          expect(Array.isArray(result.warnings)).toBe(true);
          expect(result.response.bodies.length).toBeGreaterThanOrEqual(1);
        }
      },
    );

    it.runIf(offers('identities'))(
      'reports an unknown card per item, without failing the batch',
      async () => {
        const { adapter, knownCards, unknownCard } = setup();
        const cards = [
          { key: 'known', iccid: knownCards[0]!.iccid },
          { key: 'unknown', ...unknownCard },
        ];
        const result = await adapter.doGetIdentities!({ cards });
        const byKey = new Map(result.items.map((item) => [item.key, item]));
        expect(byKey.get('known')?.ok).toBe(true);
        const unknown = byKey.get('unknown');
        expect(unknown?.ok).toBe(false);
        if (unknown && !unknown.ok) {
          expect(SupplierError.isInstance(unknown.error)).toBe(true);
          expect(unknown.error.code).toBe('supplier_card_unknown');
          expect(unknown.error.retryable).toBe(false);
        }
      },
    );

    it.runIf(lookup !== null)(
      `chunks a request larger than its ${lookup ?? 'lookup'} batch size and answers every card`,
      async () => {
        const { adapter, knownCards } = setup();
        const cards = knownCards
          .slice(0, batch(lookup!) + 1)
          .map((card, index) => ({ key: `c${index}`, iccid: card.iccid, msisdn: card.msisdn }));
        const result = await lookUp(adapter, { cards });
        expect(result.items.map((item) => item.key).sort()).toEqual(
          cards.map((card) => card.key).sort(),
        );
        expect(result.items.every((item) => item.ok)).toBe(true);
      },
    );

    it.runIf(offers('status'))(
      'reads statuses as the normalized enum with the raw value kept',
      async () => {
        const { adapter, knownCards } = setup();
        const result = await adapter.doGetStatus!({ cards: refsOf(knownCards.slice(0, 3), 's') });
        expect(result.items).toHaveLength(3);
        for (const item of result.items) {
          if (!item.ok) throw item.error;
          expect(CARD_STATUSES).toContain(item.value.status);
          expect(typeof item.value.raw).toBe('string');
        }
      },
    );

    it.runIf(offers('usage.daily'))(
      'reads daily usage as whole bytes (or null when unknown)',
      async () => {
        const { adapter, knownCards, usageDate } = setup();
        const result = await adapter.doGetDailyUsage!({
          date: usageDate,
          cards: refsOf(knownCards.slice(0, 3), 'd'),
        });
        expect(result.items).toHaveLength(3);
        for (const item of result.items) {
          if (!item.ok) throw item.error;
          if (item.value.bytes !== null) {
            expect(Number.isInteger(item.value.bytes)).toBe(true);
            expect(item.value.bytes).toBeGreaterThanOrEqual(0);
          }
        }
      },
    );

    it.runIf(offers('usage.monthly'))(
      'reads monthly usage as whole bytes (or null when unknown)',
      async () => {
        const { adapter, knownCards, usageMonth } = setup();
        const result = await adapter.doGetMonthlyUsage!({
          month: usageMonth,
          cards: refsOf(knownCards.slice(0, 3), 'm'),
        });
        expect(result.items).toHaveLength(3);
        for (const item of result.items) {
          if (!item.ok) throw item.error;
          if (item.value.bytes !== null) expect(Number.isInteger(item.value.bytes)).toBe(true);
        }
      },
    );

    it.runIf(offers('inventory'))(
      'lists the fleet page by page without repeating a card',
      async () => {
        const { adapter } = setup();
        const seen = new Set<string>();
        let cursor: string | undefined;
        for (let page = 0; page < 3; page += 1) {
          const result = await adapter.doListCards!(cursor === undefined ? {} : { cursor });
          for (const card of result.cards) {
            const id = card.iccid ?? card.msisdn ?? '';
            expect(seen.has(id)).toBe(false);
            seen.add(id);
          }
          cursor = result.nextCursor;
          if (!cursor) break;
        }
        expect(seen.size).toBeGreaterThan(0);
      },
    );

    const roundTrip =
      offers('lifecycle') && actions.includes('pause') && actions.includes('resume');
    it.runIf(roundTrip)(
      'pauses and resumes a card, the result and a later read showing each status',
      async () => {
        const { adapter, knownCards } = setup();
        const card = await activeCard(adapter, knownCards);
        const paused = await adapter.doChangeStatus!({ action: 'pause', cards: [card] });
        expect(paused.items.map((item) => item.key)).toEqual([card.key]);
        const pausedItem = paused.items[0]!;
        if (!pausedItem.ok) throw pausedItem.error;
        expect(pausedItem.value.status).toBe('suspended');
        if (adapter.doGetStatus) {
          const read = (await adapter.doGetStatus({ cards: [card] })).items[0]!;
          if (!read.ok) throw read.error;
          expect(read.value.status).toBe('suspended');
        }
        const resumed = await adapter.doChangeStatus!({ action: 'resume', cards: [card] });
        const resumedItem = resumed.items[0]!;
        if (!resumedItem.ok) throw resumedItem.error;
        expect(resumedItem.value.status).toBe('active');
        if (adapter.doGetStatus) {
          const read = (await adapter.doGetStatus({ cards: [card] })).items[0]!;
          if (!read.ok) throw read.error;
          expect(read.value.status).toBe('active');
        }
      },
    );

    it.runIf(roundTrip && cooldownMs !== undefined)(
      `waits out its per-card cooldown (${cooldownMs === undefined ? 'none declared' : `${cooldownMs} ms`}) instead of failing a second change`,
      async () => {
        const { adapter, knownCards, clock } = setup();
        const card = await activeCard(adapter, knownCards);
        const startedAt = clock.now();
        const paused = await adapter.doChangeStatus!({ action: 'pause', cards: [card] });
        expect(paused.items.every((item) => item.ok)).toBe(true);
        const resumed = await adapter.doChangeStatus!({ action: 'resume', cards: [card] });
        const item = resumed.items[0]!;
        if (!item.ok) throw item.error;
        expect(item.value.status).toBe('active');
        // The second change left only once the card's lock had run out.
        expect(clock.now() - startedAt).toBeGreaterThanOrEqual(cooldownMs!);
      },
    );

    it.runIf(offers('lifecycle') && actions.length < 5)(
      'refuses a lifecycle action it does not offer with a typed error, per card or thrown',
      async () => {
        const { adapter, knownCards } = setup();
        const action = (['pause', 'resume', 'activate', 'end-test', 'reset'] as const).find(
          (candidate) => !actions.includes(candidate),
        )!;
        const outcome = await adapter.doChangeStatus!({
          action,
          cards: refsOf(knownCards.slice(0, 1), 'x'),
        }).then(
          (result) => result.items[0],
          (error: unknown) => ({ ok: false as const, error }),
        );
        expect(outcome?.ok).toBe(false);
        if (outcome && !outcome.ok) expect(SupplierError.isInstance(outcome.error)).toBe(true);
      },
    );

    it.runIf(offers('sms.send'))(
      'sends a text to each card, keys echoed with the supplier message id',
      async () => {
        const { adapter, knownCards } = setup();
        const cards = refsOf(knownCards.slice(0, 2), 't');
        const result = await adapter.doSendSms!({
          cards,
          text: 'simdock conformance',
          idempotencyKeys: { t0: 'conformance-t0', t1: 'conformance-t1' },
        });
        expect(result.items.map((item) => item.key).sort()).toEqual(['t0', 't1']);
        for (const item of result.items) {
          if (!item.ok) throw item.error;
          const { messageId } = item.value;
          expect(messageId === null || typeof messageId === 'string').toBe(true);
        }
      },
    );

    it.runIf(offers('sms.inbound'))(
      'reads texts sent by cards, each a message id and a text, handed to persist',
      async () => {
        const { adapter, knownCards, simulator } = setup();
        simulator.receiveSms?.(0, 'simdock conformance reply');
        const persisted: { messageId: string; text: string }[] = [];
        const result = await adapter.doReadInboundSms!({
          limit: 50,
          ...(adapter.limits.inboundSmsByCard
            ? { cards: refsOf(knownCards.slice(0, 3), 'r') }
            : {}),
          persist: async (messages) => {
            persisted.push(...messages);
          },
        });
        const messages = [...persisted, ...result.messages];
        expect(messages.length).toBeGreaterThan(0);
        for (const message of messages) {
          expect(typeof message.messageId).toBe('string');
          expect(typeof message.text).toBe('string');
        }
        if (simulator.receiveSms) {
          expect(messages.map((message) => message.text)).toContain('simdock conformance reply');
        }
      },
    );

    it.runIf(offers('location'))(
      'reads last positions as coordinates (or null), keys echoed, failures typed per card',
      async () => {
        const { adapter, knownCards } = setup();
        const cards = refsOf(knownCards.slice(0, 4), 'l');
        const result = await adapter.doGetLocation!({ cards });
        expect(result.items.map((item) => item.key).sort()).toEqual(cards.map((card) => card.key));
        for (const item of result.items) {
          // A card the network cannot locate (offline) is a per-card, typed failure.
          if (!item.ok) {
            expect(SupplierError.isInstance(item.error)).toBe(true);
            continue;
          }
          const { latitude, longitude, at } = item.value;
          if (latitude !== null) expect(Math.abs(latitude)).toBeLessThanOrEqual(90);
          if (longitude !== null) expect(Math.abs(longitude)).toBeLessThanOrEqual(180);
          expect(at === null || Number.isFinite(at)).toBe(true);
        }
        expect(result.items.some((item) => item.ok)).toBe(true);
      },
    );

    it.runIf(lookup !== null)(
      'fails with a non-retryable supplier_auth_failed on bad credentials',
      async () => {
        const { badCredentialsAdapter, knownCards } = setup();
        const error = await lookUp(badCredentialsAdapter, {
          cards: [{ key: 'a', ...knownCards[0]! }],
        }).then(
          () => null,
          (caught: unknown) => caught,
        );
        expect(SupplierError.isInstance(error)).toBe(true);
        expect((error as SupplierError).code).toBe('supplier_auth_failed');
        expect((error as SupplierError).retryable).toBe(false);
      },
    );

    it.runIf(lookup !== null).each([
      ['throttleRate', 'supplier_throttled'],
      ['serverErrorRate', 'supplier_unavailable'],
      ['malformedRate', 'supplier_bad_response'],
    ] as const)('turns injected %s into a retryable %s', async (knob, code) => {
      const { adapter, knownCards, simulator } = setup();
      simulator.faults.set({ [knob]: 1 });
      const error = await lookUp(adapter, { cards: [{ key: 'a', ...knownCards[0]! }] }).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(SupplierError.isInstance(error), String(error)).toBe(true);
      expect((error as SupplierError).code).toBe(code);
      expect((error as SupplierError).retryable).toBe(true);
    });

    it.runIf(lookup !== null)('honours an aborted signal', async () => {
      const { adapter, knownCards } = setup();
      const controller = new AbortController();
      controller.abort(new Error('stopped by the caller'));
      const cards = [{ key: 'a', ...knownCards[0]! }];
      await expect(lookUp(adapter, { cards, abortSignal: controller.signal })).rejects.toThrow();
    });
  });
}

/** A card the simulator reports active (the first few are read; with no status, the first). */
async function activeCard(adapter: SupplierAdapterV1, cards: CardIdentities[]): Promise<CardRef> {
  const refs = refsOf(cards, 'a');
  if (!adapter.doGetStatus) return refs[0]!;
  const result = await adapter.doGetStatus({ cards: refs.slice(0, Math.min(refs.length, 50)) });
  const active = result.items.find((item) => item.ok && item.value.status === 'active');
  if (!active) throw new Error('no active card among the first simulated cards');
  return refs.find((ref) => ref.key === active.key)!;
}
