import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { type Clock, cstMonth } from '../src/domain/index.js';
import { saveAccounts } from '../src/services/context.js';
import { openStore, type Store } from '../src/store/index.js';
import type { createSupplierCatalog } from '../src/suppliers/catalog.js';

const CHUNK = 100_000;
/** The statuses the filled fleet cycles through, so the table is not one colour. */
export const FLEET_STATUSES = [
  'active',
  'active',
  'active',
  'suspended',
  'inventory',
  'test',
  'deactivated',
];

/**
 * Fills a store with `cards` OneLink v2 cards of account `bench` (imported in chunks of
 * 100,000), gives them cycling statuses and one `usage_monthly` row each for this month.
 * Returns the seconds it took.
 */
export async function fillBenchFleet(
  store: Store,
  catalog: ReturnType<typeof createSupplierCatalog>,
  cards: number,
  log: (line: string) => void = console.log,
): Promise<number> {
  await saveAccounts(store, catalog, [
    {
      id: 'bench',
      type: 'onelink-v2',
      name: null,
      rateLimit: 0,
      settings: {
        baseUrl: 'http://onelink.simulator/v2',
        appid: 'bench',
        password: 'bench-password',
        ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
      },
    },
  ]);
  const started = performance.now();
  for (let start = 0; start < cards; start += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, cards - start) }, (_, offset) => {
      const index = start + offset;
      // A scattered ICCID order, so sorting by ICCID is not the same as sorting by id.
      const scattered = cards % 7_919 === 0 ? index : (index * 7_919) % cards;
      return {
        iccid: `898604${String(scattered).padStart(14, '0')}`,
        msisdn: `1064${String(index).padStart(9, '0')}`,
      };
    });
    await store.cards.importCards('bench', 'onelink-v2', rows);
    log(`filled ${Math.min(start + CHUNK, cards).toLocaleString('en')} cards`);
  }
  const statuses = FLEET_STATUSES.map((status, index) => `when ${index} then '${status}'`).join(
    ' ',
  );
  await sql`update cards set status = case id % ${sql.lit(FLEET_STATUSES.length)} ${sql.raw(statuses)} end`.execute(
    store.db,
  );
  // This month's usage of every card, so each row of a page carries a figure to show.
  const month = cstMonth(Date.now());
  await sql`insert into usage_monthly (card_id, month, bytes, updated_at)
    select id, ${month}, (id * 7919) % 2000000000, ${Date.now()} from cards`.execute(store.db);
  return (performance.now() - started) / 1000;
}

/** A store for one benchmark run: a temporary SQLite file, or a fresh PostgreSQL schema. */
export interface BenchStore {
  store: Store;
  /** The run's temporary folder (the SQLite file lives there). */
  directory: string;
  /** Closes the store, drops the PostgreSQL schema and removes the folder. */
  close(): Promise<void>;
}

/** Opens a benchmark's store on `dialect`; PostgreSQL in a schema of its own under `postgresUrl`. */
export async function openBenchStore(
  name: string,
  dialect: 'sqlite' | 'postgres',
  postgresUrl: string | undefined,
  /** The store's clock (its timestamps); the system's by default. */
  clock?: Clock,
): Promise<BenchStore> {
  const directory = mkdtempSync(join(tmpdir(), `simdock-${name}-bench-`));
  const schema = `simdock_${name}_bench_${process.pid}`;
  let admin: pg.Client | null = null;
  let url = `sqlite:${join(directory, 'store.db')}`;
  if (dialect === 'postgres') {
    if (!postgresUrl) throw new Error('a PostgreSQL run needs --postgres URL');
    admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
    const separator = postgresUrl.includes('?') ? '&' : '?';
    url = `${postgresUrl}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  }
  const store = await openStore({
    url,
    secretKey: Buffer.alloc(32, 7),
    ...(clock ? { clock } : {}),
  });
  return {
    store,
    directory,
    async close() {
      await store.close();
      if (admin) {
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * What autovacuum does after a bulk load, so the planner knows the tables' sizes: the bench
 * store's own tables only (a bare `analyze` on PostgreSQL would analyze every schema of the
 * database, other runs' included, and wait on their locks).
 */
export async function analyzeBenchStore(store: Store): Promise<void> {
  if (store.dialect !== 'postgres') {
    await sql`analyze`.execute(store.db);
    return;
  }
  await sql`analyze cards, card_tenants, card_plans, plans, usage_daily, usage_monthly, card_facts,
    card_cycle_usage, usage_order, stats_cards, stats_usage, stats_daily, stats_expiry,
    stats_alerts`.execute(store.db);
}

/** A customer tenant `acme` under the root holding every tenth card (by id), assigned at `now`. */
export async function tenantOfEveryTenthCard(store: Store, now: number): Promise<void> {
  await store.tenants.root();
  await store.tenants.create({ id: 'acme', parentId: 'root', name: 'Acme', kind: 'customer' });
  await sql`insert into card_tenants (card_id, tenant_id, tenant_path, assigned_at)
    select id, 'acme', '/root/acme/', cast(${now} as bigint) from cards where id % 10 = 0`.execute(
    store.db,
  );
}
