import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { expect, vi } from 'vitest';
import type { Store } from '../../src/store/index.js';

/**
 * Runs per property: modest in `npm test` (the hostile suite stays well under a minute), more
 * with `npm run test:hostile` (SIMDOCK_HOSTILE_RUNS=400).
 */
export const HOSTILE_RUNS = Number(process.env.SIMDOCK_HOSTILE_RUNS) || 0;

// The long runs of `npm run test:hostile` take minutes, not the default 30 s.
if (HOSTILE_RUNS > 0) vi.setConfig({ testTimeout: 900_000 });

/** The runs of one property: `base` in `npm test`, scaled up under `npm run test:hostile`. */
export function runs(base: number): number {
  return HOSTILE_RUNS > 0 ? Math.max(base, Math.round((HOSTILE_RUNS * base) / 25)) : base;
}

/** fast-check parameters of a property of `base` runs (seed from FC_SEED to replay a failure). */
export function propertyParameters(base: number): fc.Parameters<unknown> {
  const seed = Number(process.env.FC_SEED);
  return { numRuns: runs(base), ...(Number.isFinite(seed) ? { seed } : {}) };
}

/** Strings an attacker likes: unicode, control characters, SQL, paths, format strings. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    "' OR 1=1 --",
    '"; DROP TABLE cards; --',
    '../../etc/passwd',
    '%00',
    '\u0000',
    '\uD800',
    '\uFEFF',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a placeholder an attacker might send.
    '${process.env.HOME}',
    '%s%s%s%n',
    '__proto__',
    'constructor',
    '-1',
    '0',
    '1e309',
    'NaN',
    'Infinity',
    'null',
    'true',
    '[]',
    '{}',
    '89860000000000000000',
    '9'.repeat(400),
    '中文卡号',
    '🙂🙂🙂',
    'a'.repeat(5000),
  ),
);

/** Any JSON value, nested a little, with nasty strings. */
export const garbageJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 63), 1e308),
    nastyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(nastyString, fc.constantFrom('__proto__', 'id', 'cards')),
      tie('value'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value;

/** Texts that are not quite JSON: truncated, unbalanced, wrong syntax. */
export const malformedJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('{', '{"a":', '[1,2', '{"a":1}}', "{'a':1}", 'undefined', '\u0000', '{"a":1,}'),
  fc.json().map((text) => text.slice(0, Math.max(0, text.length - 1))),
  fc.string({ maxLength: 60 }),
);

/** Strings that name things that exist (tenants, accounts, roles): see `useStringHints`. */
const stringHints: string[] = [];

/** Lets generated strings sometimes be one of `hints`, so requests reach past their lookups. */
export function useStringHints(hints: string[]): void {
  stringHints.splice(0, stringHints.length, ...hints);
}

/** A JSON schema (OpenAPI 3.1 flavour) as the document gives it. */
// biome-ignore lint/suspicious/noExplicitAny: schemas are walked as plain data.
export type JsonSchema = Record<string, any>;

/**
 * Values for a JSON schema of the OpenAPI document: mostly valid (so requests get past
 * validation and reach the services), sometimes garbage in one place (wrong type, huge, null).
 */
export function fromSchema(
  schema: JsonSchema | undefined,
  components: Record<string, JsonSchema>,
  depth = 0,
): fc.Arbitrary<unknown> {
  const valid = validFromSchema(schema ?? {}, components, depth);
  const examples = [schema?.example, schema?.default].filter((value) => value !== undefined);
  return fc.oneof(
    { weight: 10, arbitrary: valid },
    { weight: examples.length > 0 ? 3 : 0, arbitrary: fc.constantFrom(null, ...examples) },
    { weight: 1, arbitrary: garbageJson },
  );
}

function validFromSchema(
  schema: JsonSchema,
  components: Record<string, JsonSchema>,
  depth: number,
): fc.Arbitrary<unknown> {
  if (schema.$ref) {
    const name = String(schema.$ref).split('/').pop() ?? '';
    return validFromSchema(components[name] ?? {}, components, depth);
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((item: JsonSchema) => fromSchema(item, components, depth)));
  }
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if ('const' in schema) return fc.constant(schema.const);
  const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'any'];
  return fc.oneof(...types.map((type) => ofType(type, schema, components, depth)));
}

function ofType(
  type: string,
  schema: JsonSchema,
  components: Record<string, JsonSchema>,
  depth: number,
): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum ?? -1) + 1;
      const max = schema.maximum ?? min + 1_000_000;
      const integer = fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
      return fc.oneof(integer, fc.constantFrom(min - 1, max + 1, 2 ** 53, -0));
    }
    case 'string': {
      if (schema.pattern) {
        return fc.oneof(
          { weight: 3, arbitrary: fc.stringMatching(new RegExp(schema.pattern)) },
          { weight: 1, arbitrary: nastyString },
        );
      }
      const maxLength = Math.min(schema.maxLength ?? 30, 64);
      const plain = fc.string({ minLength: schema.minLength ?? 0, maxLength });
      const shaped =
        schema.format === 'uri' || /url/i.test(schema.description ?? '')
          ? fc.webUrl()
          : schema.format === 'email'
            ? fc.emailAddress()
            : plain;
      return fc.oneof(
        { weight: 3, arbitrary: shaped },
        { weight: 1, arbitrary: nastyString },
        { weight: stringHints.length > 0 ? 2 : 0, arbitrary: fc.constantFrom('', ...stringHints) },
      );
    }
    case 'array': {
      if (depth > 3) return fc.constant([]);
      const items = fromSchema(schema.items ?? {}, components, depth + 1);
      return fc.array(items, {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    }
    case 'object': {
      if (depth > 3) return fc.constant({});
      const properties = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>);
      const required: string[] = schema.required ?? [];
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of properties) {
        const shaped = /email/i.test(name)
          ? fc.emailAddress()
          : /url/i.test(name)
            ? fc.webUrl({ validSchemes: ['https'] })
            : undefined;
        const generated = fromSchema(property, components, depth + 1);
        record[name] = shaped ? fc.oneof(shaped, generated) : generated;
      }
      const known = fc.record(record, {
        requiredKeys: required.filter((name) => name in record),
      });
      const extra = fc.dictionary(nastyString, garbageJson, { maxKeys: 2 });
      return fc.oneof(
        { weight: 10, arbitrary: known },
        { weight: 1, arbitrary: fc.tuple(known, extra).map(([a, b]) => ({ ...b, ...a })) },
      );
    }
    default:
      return garbageJson;
  }
}

/** The error shape every API failure answers with. */
export function expectErrorShape(body: unknown, context: string): void {
  expect(body, context).toMatchObject({
    error: { code: expect.any(String), message: expect.any(String) },
  });
  const error = (body as { error: { details?: unknown } }).error;
  expect(typeof error.details === 'object' && error.details !== null, context).toBe(true);
}

/**
 * A fingerprint of every row of every table: equal before and after a refused request means
 * nothing was written (not even partially).
 */
export async function storeFingerprint(
  store: Store,
  ignore: string[] = [],
): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  const tables = (await store.db.introspection.getTables())
    .map((table) => table.name)
    .filter((name) => !ignore.includes(name))
    .sort();
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      store.db,
    );
    const lines = rows.map((row) => JSON.stringify(row, bigintSafe)).sort();
    hashes[table] = createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
  }
  return hashes;
}

function bigintSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}

/** Lines written to console.error while `action` runs (the API logs its 500s there). */
export async function captureConsoleErrors<T>(
  action: () => Promise<T>,
): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => {
    lines.push(parts.map(String).join(' '));
  };
  try {
    return { value: await action(), lines };
  } finally {
    console.error = original;
  }
}

/** encodeURIComponent that survives lone surrogates (sent as U+FFFD, as a browser would). */
export function encodeLoosely(text: string): string {
  return encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8'));
}
