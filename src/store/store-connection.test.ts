import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultStoreUrl, openStore, parseStoreUrl, redactUrl } from './index.js';
import { STORE_MIGRATIONS } from './migrations/index.js';
import { describeEachDialect, useTestStore } from './store.test-support.js';
import { storeDataDirectory, withStatementCache } from './store-connection.js';
import { migrateToLatest } from './store-migrator.js';

describe('store URLs', () => {
  it('parses SQLite files, memory and PostgreSQL URLs', () => {
    expect(parseStoreUrl('sqlite:./data/simdock.db')).toEqual({
      dialect: 'sqlite',
      file: './data/simdock.db',
    });
    expect(parseStoreUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', file: ':memory:' });
    expect(parseStoreUrl('sqlite:///var/lib/simdock.db')).toEqual({
      dialect: 'sqlite',
      file: '/var/lib/simdock.db',
    });
    expect(parseStoreUrl('postgres://u:p@db:5432/simdock')).toEqual({
      dialect: 'postgres',
      url: 'postgres://u:p@db:5432/simdock',
    });
    expect(parseStoreUrl('postgresql://db/simdock').dialect).toBe('postgres');
  });

  it('rejects anything else with config_error', () => {
    expect(() => parseStoreUrl('mysql://db/simdock')).toThrow(/neither sqlite/);
    expect(() => parseStoreUrl('sqlite:')).toThrow(/names no SQLite file/);
  });

  it('defaults to the embedded file unless DATABASE_URL is set', () => {
    expect(defaultStoreUrl({})).toBe('sqlite:./data/simdock.db');
    expect(defaultStoreUrl({ DATABASE_URL: ' postgres://db/x ' })).toBe('postgres://db/x');
  });

  it('keeps the key beside the SQLite file, else in ./data', () => {
    expect(storeDataDirectory({ dialect: 'sqlite', file: '/srv/simdock/store.db' })).toBe(
      '/srv/simdock',
    );
    expect(storeDataDirectory({ dialect: 'postgres', url: 'postgres://db/x' })).toBe(
      path.resolve('data'),
    );
  });

  it('hides passwords in messages', () => {
    expect(redactUrl('postgres://simdock:s3cret@db:5432/x')).toBe(
      'postgres://simdock:***@db:5432/x',
    );
    expect(redactUrl('sqlite:./data/simdock.db')).toBe('sqlite:./data/simdock.db');
  });

  it('reports an unreachable PostgreSQL as config_error without the password', async () => {
    const error = await openStore({
      url: 'postgres://simdock:hunter2@127.0.0.1:1/simdock',
      secretKey: Buffer.alloc(32),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'config_error' });
    expect(String((error as Error).message)).not.toContain('hunter2');
  });
});

describe('SQLite file store', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'simdock-sqlite-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('creates parent folders, runs in WAL and migrates once', async () => {
    const file = path.join(directory, 'a', 'b', 'simdock.db');
    const store = await openStore({ url: `sqlite:${file}`, secretKey: Buffer.alloc(32, 1) });
    expect(statSync(file).isFile()).toBe(true);
    await store.cards.importCards('acct', 'quectel', [{ iccid: '89860000000000000001' }]);
    await store.close();
    await store.close();

    const raw = new BetterSqlite3(file);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const applied = raw.prepare('select name from simdock_migration order by name').all();
    expect(applied).toEqual(STORE_MIGRATIONS.map((migration) => ({ name: migration.name })));
    raw.close();

    const reopened = await openStore({ url: `sqlite:${file}`, secretKey: Buffer.alloc(32, 1) });
    expect(await reopened.cards.count()).toBe(1);
    await reopened.close();
  });

  it('puts the generated key file beside the database', async () => {
    const file = path.join(directory, 'simdock.db');
    const previous = process.env.SIMDOCK_SECRET_KEY;
    delete process.env.SIMDOCK_SECRET_KEY;
    try {
      const store = await openStore({ url: `sqlite:${file}` });
      await store.accounts.upsert({ id: 'a', type: 'quectel', settings: {}, secrets: { s: 'x' } });
      await store.close();
      expect(statSync(path.join(directory, 'secret.key')).mode & 0o777).toBe(0o600);
    } finally {
      if (previous !== undefined) process.env.SIMDOCK_SECRET_KEY = previous;
    }
  });
});

describeEachDialect('migrations on $dialect', (target) => {
  const context = useTestStore(target);

  it('run only what is new, in order, and refuse an out-of-order list', async () => {
    const { store } = context.current;
    expect(await migrateToLatest(store.db, store.dialect)).toEqual([]);
    const added = {
      name: '9999-test-extra-table',
      async up(db: Parameters<(typeof STORE_MIGRATIONS)[number]['up']>[0]) {
        await db.schema
          .createTable('test_extra')
          .addColumn('id', 'integer', (column) => column.primaryKey())
          .execute();
      },
    };
    expect(await migrateToLatest(store.db, store.dialect, [...STORE_MIGRATIONS, added])).toEqual([
      '9999-test-extra-table',
    ]);
    const tables = await store.db.introspection.getTables();
    expect(tables.map((table) => table.name)).toContain('test_extra');
    await expect(
      migrateToLatest(store.db, store.dialect, [added, ...STORE_MIGRATIONS]),
    ).rejects.toThrow(/out of order/);
  });

  it('creates every table of the schema', async () => {
    const { store } = context.current;
    const tables = (await store.db.introspection.getTables()).map((table) => table.name).sort();
    expect(tables).toEqual(
      expect.arrayContaining([
        'accounts',
        'audit_log',
        'card_status_history',
        'cards',
        'sync_run_failures',
        'sync_runs',
        'usage_daily',
        'usage_monthly',
      ]),
    );
  });
});

describe('the SQLite statement cache', () => {
  it('reuses the statement of an identical text, bounded, and never one still iterating', () => {
    const sqlite = new BetterSqlite3(':memory:');
    const database = withStatementCache(sqlite, 2);
    sqlite.exec('create table t (n integer); insert into t values (1), (2), (3)');
    const first = database.prepare('select n from t order by n');
    expect(database.prepare('select n from t order by n')).toBe(first);
    expect(first.all([])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);

    // A streamed query holds its statement: the same text meanwhile gets its own.
    const rows = first.iterate([]);
    rows.next();
    const meanwhile = database.prepare('select n from t order by n');
    expect(meanwhile).not.toBe(first);
    expect(meanwhile.all([])).toHaveLength(3);
    rows.return?.();

    // Two texts fit; a third evicts the least recently used.
    database.prepare('select 1');
    database.prepare('select 2');
    expect(database.prepare('select n from t order by n')).not.toBe(meanwhile);
    database.close();
  });
});
