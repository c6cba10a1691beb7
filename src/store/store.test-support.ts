import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { ManualClock } from '../domain/clock.js';
import { openStore, type Store } from './index.js';
import type { Dialect } from './store-dialect.js';

/** The PostgreSQL the storage suite runs against, when set. */
export const POSTGRES_TEST_URL = process.env.SIMDOCK_TEST_DATABASE_URL?.trim() || undefined;

/** A fixed test key (32 bytes). */
export const TEST_SECRET_KEY = Buffer.alloc(32, 42);

/** A store open for one test, and how to throw it away. */
export interface TestStore {
  store: Store;
  clock: ManualClock;
  /** The URL the store was opened with (PostgreSQL: pinned to the test's own schema). */
  url: string;
  dispose(): Promise<void>;
}

/**
 * Opens an empty store. SQLite: in memory. PostgreSQL: in a fresh schema of the test database
 * (selected through `options=-c search_path=…`), dropped on dispose, so test files and
 * processes running in parallel never see each other's rows.
 */
export async function openTestStore(
  dialect: Dialect,
  options: { secretKey?: Buffer | string; keyFile?: string; clock?: ManualClock } = {},
): Promise<TestStore> {
  const clock = options.clock ?? new ManualClock();
  const secretKey = options.secretKey ?? (options.keyFile ? undefined : TEST_SECRET_KEY);
  const keyOptions = {
    ...(secretKey !== undefined ? { secretKey } : {}),
    ...(options.keyFile ? { keyFile: options.keyFile } : {}),
  };
  if (dialect === 'sqlite') {
    const url = 'sqlite::memory:';
    const store = await openStore({ url, clock, ...keyOptions });
    return { store, clock, url, dispose: () => store.close() };
  }
  if (!POSTGRES_TEST_URL) throw new Error('SIMDOCK_TEST_DATABASE_URL is not set');
  const schema = `simdock_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  const separator = POSTGRES_TEST_URL.includes('?') ? '&' : '?';
  const url = `${POSTGRES_TEST_URL}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const store = await openStore({ url, clock, ...keyOptions });
  return {
    store,
    clock,
    url,
    async dispose() {
      await store.close();
      await adminQuery(`drop schema if exists ${schema} cascade`);
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** One dialect the suite runs on. */
export interface StoreTestTarget {
  dialect: Dialect;
}

/**
 * `describe.each` over the dialects: SQLite always, PostgreSQL when SIMDOCK_TEST_DATABASE_URL
 * is set (skipped visibly otherwise). Put `$dialect` in the title.
 */
export function describeEachDialect(title: string, body: (target: StoreTestTarget) => void): void {
  describe.each<StoreTestTarget>([{ dialect: 'sqlite' }])(title, body);
  describe.skipIf(!POSTGRES_TEST_URL).each<StoreTestTarget>([{ dialect: 'postgres' }])(title, body);
}

/** A fresh store for every test of the enclosing describe. */
export function useTestStore(target: StoreTestTarget): { readonly current: TestStore } {
  let current: TestStore | undefined;
  beforeEach(async () => {
    current = await openTestStore(target.dialect);
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return {
    get current() {
      if (!current) throw new Error('no test store outside a test');
      return current;
    },
  };
}

/**
 * The card list's usage order (migration 0031): every cycle row with bytes has a current copy or
 * a pending write, and a copy exists only for such a row or a pending write; after a fold, the
 * copies are exactly the cycle rows with bytes, and nothing is pending.
 */
export async function expectUsageOrderCurrent(store: Store): Promise<void> {
  const read = async () => {
    const key = (row: { card_id: number; cycle: string }) => `${row.card_id} ${row.cycle}`;
    const columns = ['tenant_path', 'plan_id', 'quota_bytes', 'bytes', 'used_permille'] as const;
    type Copied = Record<(typeof columns)[number], string | number | null>;
    // What a copy holds of its cycle row (numbers as numbers: PostgreSQL answers bigint as text).
    const figures = (row: Copied) =>
      JSON.stringify(
        columns.map((column) => {
          const value = row[column];
          return value === null || column === 'tenant_path' ? value : Number(value);
        }),
      );
    const rows = await store.db
      .selectFrom('card_cycle_usage')
      .select(['card_id', 'cycle', ...columns])
      .where('bytes', 'is not', null)
      .execute();
    const copies = await store.db
      .selectFrom('usage_order')
      .select(['card_id', 'cycle', ...columns])
      .execute();
    const pending = await store.db.selectFrom('usage_order_pending').selectAll().execute();
    return {
      rows: new Map(rows.map((row) => [key(row), figures(row)])),
      copies: new Map(copies.map((row) => [key(row), figures(row)])),
      pending: new Set(pending.map(key)),
    };
  };
  const before = await read();
  for (const [key, value] of before.rows) {
    if (!before.pending.has(key)) expect(before.copies.get(key), key).toBe(value);
  }
  for (const key of before.copies.keys()) {
    if (!before.pending.has(key)) expect(before.rows.has(key), key).toBe(true);
  }
  await store.fleetStats.foldUsageOrder();
  const after = await read();
  expect(after.copies).toEqual(after.rows);
  expect(after.pending.size).toBe(0);
}
