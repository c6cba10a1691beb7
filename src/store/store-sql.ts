import {
  CompiledQuery,
  type Kysely,
  type QueryResult,
  type RawBuilder,
  type SqlBool,
  sql,
} from 'kysely';
import { SimdockError } from '../domain/errors.js';
import type { Dialect } from './store-dialect.js';
import type { Database } from './store-schema.js';

/**
 * Bound parameters one statement may carry: SQLite's SQLITE_MAX_VARIABLE_NUMBER is 32766 in the
 * build better-sqlite3 ships, PostgreSQL's protocol allows 65535. Both kept with a margin.
 */
const PARAMETER_BUDGET: Record<Dialect, number> = { sqlite: 32_000, postgres: 65_000 };

/** How many rows of `columns` parameters each fit in one statement. */
export function rowsPerStatement(dialect: Dialect, columns: number): number {
  return Math.max(1, Math.floor(PARAMETER_BUDGET[dialect] / columns));
}

/** How many values one `IN` lookup takes (PostgreSQL sends them as one array parameter). */
export function valuesPerLookup(dialect: Dialect): number {
  return dialect === 'postgres' ? 50_000 : 30_000;
}

/** Splits a list into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    result.push(items.slice(start, start + size));
  }
  return result;
}

/**
 * `column IN (values)`: on PostgreSQL one array parameter (`= any($1)`), on SQLite one
 * parameter per value. Callers keep `values` within `valuesPerLookup`.
 */
export function isAnyOf(
  dialect: Dialect,
  column: string,
  values: readonly (string | number)[],
): RawBuilder<SqlBool> {
  if (values.length === 0) return sql<SqlBool>`1 = 0`;
  if (dialect === 'postgres') return sql<SqlBool>`${sql.ref(column)} = any(${[...values]})`;
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(values)})`;
}

/** A store handle inside one write transaction. */
export type Transaction = Kysely<Database>;

/**
 * Runs `work` in one write transaction. On SQLite it begins IMMEDIATE, taking the write lock
 * first (waiting up to busy_timeout) so a read-then-write cannot fail halfway when another
 * process writes; on PostgreSQL it is a plain READ COMMITTED transaction.
 */
export async function writeTransaction<T>(
  db: Kysely<Database>,
  dialect: Dialect,
  work: (transaction: Transaction) => Promise<T>,
): Promise<T> {
  if (dialect === 'postgres') {
    // Concurrent writers of the kept figures (triggers) can meet in a deadlock or a
    // serialization failure; PostgreSQL rolled the loser back whole, so running it again is safe.
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await db.transaction().execute(work);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (attempt >= 4 || (code !== '40P01' && code !== '40001')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
      }
    }
  }
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      // SQLite may already have rolled back on its own (e.g. a full disk): ignore that.
      await sql`rollback`.execute(connection).catch(() => {});
      throw error;
    }
  });
}

/** Parses a JSON object column; null stays null. */
export function parseJsonObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  const value: unknown = JSON.parse(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** Throws `invalid_argument` unless `value` is a plain JSON-able object. */
export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SimdockError('invalid_argument', `${what} must be an object`);
  }
  return value as Record<string, unknown>;
}

/** Throws `invalid_argument` unless `value` is a non-negative safe integer. */
export function requireCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new SimdockError('invalid_argument', `${what} must be a non-negative integer`, {
      details: { value },
    });
  }
  return value;
}

/** Throws `invalid_argument` unless `value` is a positive integer (a row id, a limit). */
export function requirePositive(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new SimdockError('invalid_argument', `${what} must be a positive integer`, {
      details: { value },
    });
  }
  return value;
}

/** Throws `invalid_argument` unless `value` is a non-empty string. */
export function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SimdockError('invalid_argument', `${what} must be a non-empty string`);
  }
  return value;
}

/**
 * Turns a foreign-key violation (a row naming a card or run that does not exist) into
 * `not_found`; other errors pass unchanged.
 */
export function translateForeignKeyError(error: unknown, what: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503') {
    return new SimdockError('not_found', `${what} does not exist`, { cause: error });
  }
  return error;
}

/** SQL texts of hot statements by shape (dialect, statement and row count), built once each. */
const statementTexts = new Map<string, string>();

/**
 * Runs a statement whose text depends only on its shape, skipping Kysely's query building: the
 * text is built once per `key` by `build(placeholder)` (`placeholder(i)` is the i-th parameter,
 * from 0: `?` on SQLite, `$i+1` on PostgreSQL), so the driver reuses its prepared statement and
 * each run only binds `parameters`. For the write paths that send thousands of rows a second.
 */
export function runShaped<R>(
  db: Kysely<unknown> | Kysely<Database>,
  dialect: Dialect,
  key: string,
  build: (placeholder: (index: number) => string) => string,
  parameters: readonly unknown[],
): Promise<QueryResult<R>> {
  const shape = `${dialect} ${key}`;
  let text = statementTexts.get(shape);
  if (text === undefined) {
    text = build(dialect === 'postgres' ? (index) => `$${index + 1}` : () => '?');
    if (statementTexts.size >= 256) statementTexts.clear();
    statementTexts.set(shape, text);
  }
  return (db as Kysely<unknown>).executeQuery<R>(CompiledQuery.raw(text, [...parameters]));
}

/** `(p, p, …), (p, …)`: `rows` tuples of `columns` placeholders, numbered from `first`. */
export function valueTuples(
  placeholder: (index: number) => string,
  rows: number,
  columns: number,
  first = 0,
): string {
  const tuples: string[] = [];
  for (let row = 0; row < rows; row += 1) {
    const items: string[] = [];
    for (let column = 0; column < columns; column += 1) {
      items.push(placeholder(first + row * columns + column));
    }
    tuples.push(`(${items.join(', ')})`);
  }
  return tuples.join(', ');
}

/** `p, p, …`: `count` placeholders numbered from `first`. */
export function placeholderList(
  placeholder: (index: number) => string,
  count: number,
  first = 0,
): string {
  return Array.from({ length: count }, (_, index) => placeholder(first + index)).join(', ');
}
