import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createServiceContext, saveAccounts } from '../src/services/context.js';
import { accountFreshness } from '../src/services/sync/sync-freshness.js';
import type { Store } from '../src/store/index.js';
import { dropFleetStatsTriggers } from '../src/store/migrations/0015-fleet-stats.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { FLEET_STATUSES, openBenchStore } from './bench-fleet.js';
import { machine, writeSection } from './report.js';

const REPEATS = 5;
const CHUNK = 100_000;
const ACCOUNTS = 8;
const HOUR = 3_600_000;

interface Figures {
  dialect: 'sqlite' | 'postgres';
  fillSeconds: number;
  /** ms, median of REPEATS after a warm-up. */
  before: number;
  beforeHeapMb: number;
  oneAccount: number;
  eightAccounts: number;
}

async function median(work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat += 1) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((left, right) => left - right);
  return Number(times[Math.floor(times.length / 2)]!.toFixed(0));
}

/** What accountFreshness did before: every card's read times into JS, sorted there. */
async function readingEveryCard(store: Store, account: string, now: number): Promise<number> {
  const checks = await store.freshness.accountChecks(account);
  let within = 0;
  for (const values of [checks.status, checks.usage]) {
    const ages = values
      .filter((at): at is number => at !== null)
      .map((at) => Math.max(0, now - at))
      .sort((a, b) => a - b);
    within += ages.filter((age) => age <= HOUR).length + (ages[Math.floor(ages.length / 2)] ?? 0);
  }
  return within;
}

function accountSettings(id: string) {
  return {
    id,
    type: 'onelink-v5',
    name: null,
    rateLimit: 5,
    settings: {
      baseUrl: 'http://onelink-v5.simulator/v5/ec',
      appid: 'bench',
      password: 'bench-password',
    },
    sync: { freshness: { status: '1h', 'usage.monthly': '6h' } },
  };
}

async function benchDialect(
  dialect: 'sqlite' | 'postgres',
  cards: number,
  postgresUrl: string | undefined,
): Promise<Figures> {
  const bench = await openBenchStore('freshness', dialect, postgresUrl);
  const { store } = bench;
  const log = (line: string) => console.error(`[${dialect}] ${line}`);
  try {
    const catalog = createSupplierCatalog();
    await dropFleetStatsTriggers(store.db, dialect);
    const ids = Array.from({ length: ACCOUNTS }, (_, index) => `fresh-${index + 1}`);
    await saveAccounts(store, catalog, ids.map(accountSettings));
    const started = performance.now();
    for (let start = 0; start < cards; start += CHUNK) {
      const rows = Array.from({ length: Math.min(CHUNK, cards - start) }, (_, offset) => ({
        iccid: `898600${String(start + offset).padStart(14, '0')}`,
      }));
      await store.cards.importCards('fresh-1', 'onelink-v5', rows);
      log(`filled ${Math.min(start + CHUNK, cards).toLocaleString('en')} cards`);
    }
    // Cycling statuses; status read up to 2 h ago, month usage up to 12 h ago (a tenth never).
    const now = Date.now();
    const statuses = FLEET_STATUSES.map((status, index) => `when ${index} then '${status}'`).join(
      ' ',
    );
    await sql`update cards set status = case id % ${sql.lit(FLEET_STATUSES.length)} ${sql.raw(statuses)} end,
      status_checked_at = cast(${now} as bigint) - (id * 7919) % 7200000,
      usage_checked_at = case when id % 10 = 0 then null else cast(${now} as bigint) - (id * 104729) % 43200000 end`.execute(
      store.db,
    );
    const fillSeconds = (performance.now() - started) / 1000;
    log(`filled in ${fillSeconds.toFixed(0)} s`);
    const context = createServiceContext({ store, catalog });

    let heap = 0;
    const before = await median(async () => {
      const base = process.memoryUsage().heapUsed;
      await readingEveryCard(store, 'fresh-1', Date.now());
      heap = Math.max(heap, process.memoryUsage().heapUsed - base);
    });
    log(`reading every card: ${before} ms`);
    const oneAccount = await median(() => accountFreshness(context, 'fresh-1'));
    log(`accountFreshness, 1 account: ${oneAccount} ms`);
    // The same cards over eight accounts: what `accounts list` asks, one account after another.
    await sql`update cards set account_id = 'fresh-' || cast(id % ${sql.lit(ACCOUNTS)} + 1 as text)`.execute(
      store.db,
    );
    // Every row was just rewritten: on PostgreSQL the index-only scans need the visibility map
    // back (autovacuum would, later) — what a steady fleet has.
    if (dialect === 'postgres') await sql`vacuum analyze cards`.execute(store.db);
    const eightAccounts = await median(async () => {
      for (const id of ids) await accountFreshness(context, id);
    });
    log(`accountFreshness, ${ACCOUNTS} accounts: ${eightAccounts} ms`);
    return {
      dialect,
      fillSeconds,
      before,
      beforeHeapMb: Math.round(heap / 2 ** 20),
      oneAccount,
      eightAccounts,
    };
  } finally {
    await bench.close();
  }
}

/**
 * Freshness figures at scale: `accountFreshness` (what `accounts list/show`, the API and the
 * console read) over an account of `--cards` cards, against reading every card's read times into
 * JS as before; then the same cards over eight accounts, one call per account. PostgreSQL runs
 * when `--postgres URL` or SIMDOCK_TEST_DATABASE_URL is given.
 */
export async function benchFreshness(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cards: { type: 'string', default: '1000000' },
      postgres: { type: 'string' },
      // `postgres` alone: a second run for PostgreSQL's figures when both take too long at once.
      only: { type: 'string' },
    },
  });
  const cards = Number(values.cards);
  const postgresUrl = values.postgres ?? process.env.SIMDOCK_TEST_DATABASE_URL;
  const results: Figures[] = [];
  if (values.only !== 'postgres') results.push(await benchDialect('sqlite', cards, undefined));
  if (postgresUrl && values.only !== 'sqlite') {
    results.push(await benchDialect('postgres', cards, postgresUrl));
  }
  const load = loadavg()[0]!.toFixed(0);
  console.log(JSON.stringify(results, null, 2));
  const command = `npm run bench -- freshness --cards ${cards}${postgresUrl ? ' --postgres <url>' : ''}${values.only ? ` --only ${values.only}` : ''}`;
  writeSection(
    'freshness',
    `## Freshness figures: ${cards.toLocaleString('en')} cards

Command: \`${command}\` — machine: ${machine()} (shared with other work while measured:
load average ${load} at the end).
What \`simdock accounts list/show\`, \`GET /api/v1/accounts/{id}/freshness\` and the console's
accounts page compute per account: per need (status, month usage) the staleness p50/p99/max and
the cards within target. OneLink v5 cards with cycling statuses, statuses read up to 2 h ago,
month usage up to 12 h ago (a tenth never). Median of ${REPEATS} runs after one warm-up, in ms.
"Before" reads every card's read times into JS and sorts them there (what it did first);
now the counts, the oldest read and the p50/p99 ranks are asked of the database, each a range
of migration 0023's indexes (account, read time, status); without those indexes the same queries
took 3–5 s each on SQLite (a sort of the account's cards per rank). The indexes cost one more
index entry written per status or usage read; that write cost is not measured here.

| dialect | before: every card into JS (heap) | now: 1 account of ${cards.toLocaleString('en')} | now: the same cards over ${ACCOUNTS} accounts |
|---|---|---|---|
${results
  .map(
    (result) =>
      `| ${result.dialect} | ${result.before} (${result.beforeHeapMb} MiB) | ${result.oneAccount} | ${result.eightAccounts} |`,
  )
  .join('\n')}${postgresUrl ? '' : '\n\nPostgreSQL was not measured in this run (no URL given).'}`,
  );
}
