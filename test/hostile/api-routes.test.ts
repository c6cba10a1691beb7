import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../api-harness.js';
import {
  captureConsoleErrors,
  encodeLoosely,
  expectErrorShape,
  fromSchema,
  garbageJson,
  type JsonSchema,
  malformedJsonText,
  nastyString,
  propertyParameters,
  storeFingerprint,
  useStringHints,
} from './hostile-support.js';

interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: string; schema: JsonSchema }[];
  body: JsonSchema | undefined;
}

/** How a request authenticates: the fuzzing owner's key, a tenant admin's, none, or forged. */
type Auth = 'owner' | 'acmeAdmin' | 'none' | 'forged-key' | 'forged-session';

/** How a request carries its body. */
type BodyMode =
  | { kind: 'json'; value: unknown }
  | { kind: 'malformed'; text: string }
  | { kind: 'text-plain'; value: unknown }
  | { kind: 'oversize' }
  | { kind: 'none' };

/**
 * Refusals may be audited (a failed login is) and counted (failed logins are throttled):
 * everything else must stay as it was.
 */
/**
 * Tables a refused request may still see change: the audit trail and throttles it writes, and
 * the card exports an earlier accepted request started, which run on in the background (no job
 * queue in this harness) between two snapshots.
 */
const UNWATCHED_TABLES = ['audit_log', 'audit_tenants', 'throttles', 'card_exports'];

/** Statuses a gateway may answer with when a supplier fails (never `internal`). */
const GATEWAY_STATUSES = new Set([502, 503, 504]);

/**
 * Hostile input over every route of the OpenAPI document: path parameters, queries and bodies
 * generated from each route's schema plus garbage (wrong types, huge and unicode strings,
 * malformed JSON, oversize bodies, forged credentials). Never a 500, every failure in the error
 * shape, and a refused request writes nothing.
 */
describe('hostile input over every route of the OpenAPI document', () => {
  let api: ApiHarness;
  let operations: Operation[];
  let protectedKeyIds: Set<string>;
  /** Ids that exist (cards, tenants, the account), so routes get past their lookups too. */
  let knownIds: (string | number)[];
  let components: Record<string, JsonSchema>;
  const internalErrors: string[] = [];
  const seen = new Map<string, Set<number>>();

  beforeAll(async () => {
    // A small body limit keeps the oversize case cheap; it is the same middleware either way.
    api = await ApiHarness.open({ api: { rateLimit: false, bodyLimitBytes: 64 * 1024 } });
    const document = await api.json('GET', '/openapi.json', { key: null });
    components = document.body.components?.schemas ?? {};
    operations = Object.entries(
      document.body.paths as Record<string, Record<string, JsonSchema>>,
    ).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        body: operation.requestBody?.content?.['application/json']?.schema,
      })),
    );
    const keys = await api.json('GET', '/api/v1/keys');
    // Each key records its first use (then at most once a minute, and the clock stands still).
    await api.json('GET', '/api/v1/auth/me', { key: 'acmeAdmin' });
    knownIds = [...api.cards.root, ...api.cards.acme, ...api.cards.globex, 'acme', 'root'];
    knownIds.push('onelink-test', 1, 2);
    useStringHints(['acme', 'globex', 'root', 'onelink-test', 'onelink-v2', 'admin', 'viewer']);
    protectedKeyIds = new Set(keys.body.keys.map((key: { id: number }) => String(key.id)));
  });
  afterAll(async () => {
    await api.close();
    console.info(
      `hostile API run: ${[...seen].map(([route, statuses]) => `${route} ${[...statuses].sort().join('/')}`).join('; ')}`,
    );
  });

  it('walks the whole document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
    expect(operations.some((operation) => operation.body)).toBe(true);
  });

  it('answers every hostile request below 500 (gateway answers excepted) in the error shape', async () => {
    for (const operation of operations) {
      const route = `${operation.method} ${operation.path}`;
      const pathParameters = operation.parameters.filter((parameter) => parameter.in === 'path');
      const queryParameters = operation.parameters.filter((parameter) => parameter.in === 'query');
      const request = fc.record({
        auth: fc.constantFrom<Auth>(
          'owner',
          'owner',
          'owner',
          'owner',
          'owner',
          'acmeAdmin',
          'none',
          'forged-key',
          'forged-session',
        ),
        path: fc.record(
          Object.fromEntries(
            pathParameters.map((parameter) => [
              parameter.name,
              fc.oneof(
                { weight: 3, arbitrary: fromSchema(parameter.schema, components) },
                { weight: 1, arbitrary: fc.integer({ min: -5, max: 40 }) },
                { weight: 3, arbitrary: fc.constantFrom(...knownIds) },
              ),
            ]),
          ),
        ),
        query: fc.array(
          fc.tuple(
            fc.oneof(
              { weight: 4, arbitrary: fc.constantFrom('', ...queryParameters.map((p) => p.name)) },
              { weight: 1, arbitrary: nastyString },
            ),
            fc.oneof(
              ...queryParameters.map((parameter) => fromSchema(parameter.schema, components)),
              garbageJson,
            ),
          ),
          { maxLength: 4 },
        ),
        body: bodyModes(operation.body, components),
      });
      await fc.assert(
        fc.asyncProperty(request, async (input) => {
          const answer = await send(operation, input);
          const statuses = seen.get(route) ?? new Set<number>();
          statuses.add(answer.status);
          seen.set(route, statuses);
        }),
        propertyParameters(operation.body ? 20 : 12),
      );
    }
    expect(internalErrors).toEqual([]);
    // Its work grows with the document's routes (about 40 s on two shared cores): no speed limit.
  }, 180_000);

  async function send(
    operation: Operation,
    input: {
      auth: Auth;
      path: Record<string, unknown>;
      query: [string, unknown][];
      body: BodyMode;
    },
  ): Promise<{ status: number }> {
    let path = operation.path;
    for (const [name, value] of Object.entries(input.path)) {
      let text = typeof value === 'string' ? value : JSON.stringify(value);
      // The fuzzing keys must survive the run: revoke anything but them.
      if (operation.path.includes('/keys/') && protectedKeyIds.has(text)) text = '999999';
      path = path.replace(`{${name}}`, encodeLoosely(text ?? 'null'));
    }
    const search = new URLSearchParams();
    for (const [name, value] of input.query) {
      if (name === '') continue;
      search.append(name, typeof value === 'string' ? value : JSON.stringify(value ?? null));
    }
    const url = search.size > 0 ? `${path}?${search}` : path;
    const headers: Record<string, string> = {};
    if (input.auth === 'owner') headers.authorization = `Bearer ${api.keys.owner}`;
    if (input.auth === 'acmeAdmin') headers.authorization = `Bearer ${api.keys.acmeAdmin}`;
    if (input.auth === 'forged-key')
      headers.authorization = `Bearer simdock_abcd1234_${'x'.repeat(32)}`;
    if (input.auth === 'forged-session') headers.cookie = 'simdock_session=forged; simdock_csrf=x';
    let body: string | undefined;
    switch (input.body.kind) {
      case 'json':
        headers['content-type'] = 'application/json';
        body = JSON.stringify(input.body.value) ?? 'null';
        break;
      case 'malformed':
        headers['content-type'] = 'application/json';
        body = input.body.text;
        break;
      case 'text-plain':
        headers['content-type'] = 'text/plain';
        body = JSON.stringify(input.body.value) ?? '';
        break;
      case 'oversize':
        headers['content-type'] = 'application/json';
        body = JSON.stringify({ padding: 'x'.repeat(70 * 1024) });
        break;
      case 'none':
        break;
    }
    const unsafe = operation.method !== 'GET';
    // A GET cannot carry a body in fetch; the body cases are for the other methods.
    if (!unsafe) body = undefined;
    const before = unsafe ? await storeFingerprint(api.store, UNWATCHED_TABLES) : {};
    const { value: response, lines } = await captureConsoleErrors(async () =>
      api.app.request(url, { method: operation.method, headers, body }),
    );
    const text = await response.text();
    const context = `${operation.method} ${url} ${input.auth} ${JSON.stringify(input.body).slice(0, 300)} → ${response.status} ${text.slice(0, 300)}`;
    internalErrors.push(...lines.filter((line) => line.startsWith('simdock api:')));
    expect(response.status, context).not.toBe(500);
    if (response.status >= 400) {
      expect(response.headers.get('content-type') ?? '', context).toContain('application/json');
      const parsed = JSON.parse(text);
      expectErrorShape(parsed, context);
      if (response.status >= 500) {
        expect(GATEWAY_STATUSES.has(response.status), context).toBe(true);
        expect(parsed.error.code, context).toMatch(/^supplier_/);
      } else {
        expect(parsed.error.code, context).not.toBe('internal');
        if (unsafe) {
          expect(await storeFingerprint(api.store, UNWATCHED_TABLES), context).toEqual(before);
        }
      }
    }
    return { status: response.status };
  }
});

function bodyModes(
  schema: JsonSchema | undefined,
  components: Record<string, JsonSchema>,
): fc.Arbitrary<BodyMode> {
  const arbitraries: fc.Arbitrary<BodyMode>[] = [
    fc.constant({ kind: 'none' }),
    garbageJson.map((value) => ({ kind: 'json', value })),
    malformedJsonText.map((text) => ({ kind: 'malformed', text })),
  ];
  if (schema) {
    const valid = fromSchema(schema, components).map((value) => ({ kind: 'json', value }) as const);
    return fc.oneof(
      { weight: 8, arbitrary: valid },
      { weight: 1, arbitrary: fc.oneof(...arbitraries) },
      {
        weight: 1,
        arbitrary: valid.map((mode) => ({ kind: 'text-plain', value: mode.value }) as const),
      },
      { weight: 1, arbitrary: fc.constant({ kind: 'oversize' } as const) },
    );
  }
  return fc.oneof({ weight: 3, arbitrary: arbitraries[0]! }, ...arbitraries.slice(1));
}
