import type { DatabaseConnection, Dialect as KyselyDialect } from 'kysely';
import { SimdockError } from '../domain/errors.js';

/** The raw driver codes of a unique-constraint violation (better-sqlite3, PostgreSQL SQLSTATE). */
const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505']);

/** The raw driver codes of a foreign-key violation (better-sqlite3, PostgreSQL SQLSTATE). */
const FOREIGN_KEY_CODES = new Set(['SQLITE_CONSTRAINT_FOREIGNKEY', '23503']);

/**
 * Whether an error is a foreign-key violation: a row written naming one that is gone (deleted by
 * a concurrent request between the check and the write).
 */
export function isForeignKeyViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 3; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && FOREIGN_KEY_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const MAPPED = Symbol('simdock.store-errors');

/**
 * Whether an error is a unique violation: the raw driver error, or the `already_exists` error
 * the store turned it into.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (SimdockError.isInstance(error)) {
    return error.code === 'already_exists' && error.details.uniqueViolation === true;
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNIQUE_CODES.has(code);
}

/**
 * A database error in simdock's terms: a unique violation becomes `already_exists` (409 at the
 * API) naming the table and columns, so a check-then-insert that lost a race to a concurrent
 * writer answers like the check would have; anything else is returned unchanged.
 */
export function translateStoreError(error: unknown): unknown {
  if (SimdockError.isInstance(error) || !isUniqueViolation(error)) return error;
  const raw = error as { message?: string; table?: string; constraint?: string; detail?: string };
  let what: string;
  if (raw.table !== undefined || raw.constraint !== undefined) {
    // PostgreSQL: `Key (email)=(a@b.c) already exists.` — name the columns, not the values.
    const columns = /^Key \(([^)]*)\)=/.exec(raw.detail ?? '')?.[1];
    what = `${raw.table ?? raw.constraint}${columns ? ` (${columns})` : ''}`;
  } else {
    // SQLite: `UNIQUE constraint failed: users.email`.
    what = /constraint failed: (.*)$/.exec(raw.message ?? '')?.[1] ?? 'a unique key';
  }
  return new SimdockError('already_exists', `already exists: ${what}`, {
    cause: error,
    details: { uniqueViolation: true, key: what },
  });
}

function mapConnection(connection: DatabaseConnection): DatabaseConnection {
  const marked = connection as DatabaseConnection & { [MAPPED]?: true };
  if (marked[MAPPED]) return connection;
  const executeQuery = connection.executeQuery.bind(connection);
  marked.executeQuery = async (query) => {
    try {
      return await executeQuery(query);
    } catch (error) {
      throw translateStoreError(error);
    }
  };
  marked[MAPPED] = true;
  return connection;
}

/**
 * The dialect with every statement's unique violations translated by `translateStoreError`:
 * the one place both dialects' constraint errors get simdock's meaning, for every repository.
 */
export function withStoreErrors(dialect: KyselyDialect): KyselyDialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => {
      const driver = dialect.createDriver();
      const acquire = driver.acquireConnection.bind(driver);
      driver.acquireConnection = async (options) => mapConnection(await acquire(options));
      return driver;
    },
  };
}
