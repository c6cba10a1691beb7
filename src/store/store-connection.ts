import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely';
import pg from 'pg';
import { SimdockError } from '../domain/errors.js';
import type { Dialect } from './store-dialect.js';
import { withStoreErrors } from './store-errors.js';
import type { Database } from './store-schema.js';

/** Where the store lives, parsed from a store URL. */
export type StoreLocation =
  | { dialect: 'sqlite' /** A file path, or `:memory:`. */; file: string }
  | { dialect: 'postgres'; url: string };

/** The embedded database of a fresh install. */
export const DEFAULT_STORE_URL = 'sqlite:./data/simdock.db';

/** The store URL a process should use: `DATABASE_URL` when set, else the embedded SQLite file. */
export function defaultStoreUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim();
  return url ? url : DEFAULT_STORE_URL;
}

/**
 * Parses `sqlite:PATH`, `sqlite::memory:` or `postgres://…` (also `postgresql://…`). A
 * PostgreSQL URL is handed to `pg` as is, so its query parameters (`sslmode`, `options=-c
 * search_path=…`, `application_name`) work as documented for `pg`.
 */
export function parseStoreUrl(url: string): StoreLocation {
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { dialect: 'postgres', url: trimmed };
  if (/^sqlite:/i.test(trimmed)) {
    let file = trimmed.slice('sqlite:'.length);
    // `sqlite:///abs/path.db` and `sqlite://relative.db` name the same files as without slashes.
    if (file.startsWith('//')) file = file.slice(2);
    if (file === '') {
      throw new SimdockError('config_error', `store URL "${url}" names no SQLite file`);
    }
    return { dialect: 'sqlite', file };
  }
  throw new SimdockError(
    'config_error',
    `store URL "${url}" is neither sqlite:PATH, sqlite::memory: nor postgres://…`,
  );
}

/** The folder a store keeps its files in (the SQLite file's folder, else `./data`). */
export function storeDataDirectory(location: StoreLocation): string {
  if (location.dialect === 'sqlite' && location.file !== ':memory:') {
    return path.dirname(path.resolve(location.file));
  }
  return path.resolve('data');
}

const INT8_OID = 20;

/**
 * Opens a Kysely instance on the location. SQLite runs in WAL with `synchronous=NORMAL` (durable
 * across process crashes, fast bulk writes), waits up to 5 s for another process's lock, and
 * enforces foreign keys. The PostgreSQL pool returns int8 as numbers: simdock's int8 columns hold
 * epoch milliseconds, ids and byte counts, all below 2^53. Unique violations of either dialect
 * answer `already_exists` (store-errors.ts).
 */
export function createDatabase(location: StoreLocation): {
  db: Kysely<Database>;
  dialect: Dialect;
} {
  if (location.dialect === 'sqlite') {
    if (location.file !== ':memory:') mkdirSync(storeDataDirectory(location), { recursive: true });
    const sqlite = new BetterSqlite3(location.file);
    if (location.file !== ':memory:') sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('cache_size = -65536');
    // Checkpoint every 10,000 WAL pages (about 40 MB) instead of 1,000: a sync's flushes dirty
    // pages of the usage sort indexes all over, and checkpointing them after nearly every commit
    // cost a 100,000-card sync about 4 s of its 25 (docs/performance.md).
    sqlite.pragma('wal_autocheckpoint = 10000');
    return {
      db: new Kysely<Database>({
        dialect: withStoreErrors(new SqliteDialect({ database: withStatementCache(sqlite) })),
      }),
      dialect: 'sqlite',
    };
  }
  const pool = new pg.Pool({
    connectionString: location.url,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server drops must not crash the process: the pool discards it and the
  // next query opens a fresh one (or fails with its own error).
  pool.on('error', () => {});
  return {
    db: new Kysely<Database>({ dialect: withStoreErrors(new PostgresDialect({ pool })) }),
    dialect: 'postgres',
  };
}

/** How many prepared statements a SQLite connection keeps for reuse. */
const STATEMENT_CACHE_SIZE = 512;

/**
 * Kysely prepares a statement for every query it runs, and better-sqlite3 13 frees a statement's
 * native memory only when V8 collects the statement object, which a small JavaScript heap seldom
 * does: a 1,000,000-card sync grew to 6.5 GiB resident with the heap capped at 640 MiB. Reusing
 * the prepared statement of an identical SQL text (the same text binds fresh parameters on each
 * run) keeps that memory bounded. A statement still being iterated (a streamed query) is busy:
 * the query that asks for its text meanwhile gets a fresh statement.
 */
export function withStatementCache(
  database: BetterSqlite3.Database,
  size = STATEMENT_CACHE_SIZE,
): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(text) {
      const cached = cache.get(text);
      if (cached && !cached.busy) {
        // Most recently used last, so the oldest is evicted first.
        cache.delete(text);
        cache.set(text, cached);
        return cached;
      }
      const statement = database.prepare(text);
      cache.set(text, statement);
      if (cache.size > size) cache.delete(cache.keys().next().value as string);
      return statement;
    },
  };
}
