import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { planStats } from '../src/api/routes/inventory/card-stats-plans.js';
import { addDays, cstMonth, cstToday } from '../src/domain/index.js';
import type { Principal } from '../src/services/access/access-roles.js';
import type { Store } from '../src/store/index.js';
import { dropCurrentFleetStatsTriggers } from '../src/store/migrations/0022-fleet-stats-statements.js';
import { createCurrentFleetStatsTriggers } from '../src/store/migrations/0027-assignment-statement-triggers.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import {
  analyzeBenchStore,
  fillBenchFleet,
  openBenchStore,
  tenantOfEveryTenthCard,
} from './bench-fleet.js';
import { machine, writeSection } from './report.js';
import { benchDialects, SYNC_DAYS, type SyncOverhead, syncOverhead } from './stats-sync-bench.js';

const REPEATS = 30;
/** The machine's load average when the run started (other work on a shared machine shows here). */
const loadBefore = loadavg()
  .map((load) => load.toFixed(2))
  .join(', ');
const SYNC_CARDS = 100_000;
const SYNC_BATCH = 1_000;

interface Timing {
  name: string;
  p50: number;
  p95: number;
}

interface DialectFigures {
  dialect: 'sqlite' | 'postgres';
  fillSeconds: number;
  rebuildSeconds: number;
  timings: Timing[];
  /** The store writes of a sync with and without the figures kept (null: not measured). */
  syncWith: number | null;
  syncWithout: number | null;
}

async function percentiles(name: string, work: () => Promise<unknown>): Promise<Timing> {
  await work();
  const times: number[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat += 1) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((left, right) => left - right);
  const at = (share: number) =>
    Number(times[Math.min(times.length - 1, Math.ceil(share * times.length) - 1)]!.toFixed(1));
  return { name, p50: at(0.5), p95: at(0.95) };
}

/**
 * Two days of this month that the filled fleet has no usage for (it has the three days before
 * today), so each timed round of `syncWrites` inserts a new day for every card, as a daily sync
 * does: the round with the figures and the round without do the same kind of writes.
 */
function newDaysOfMonth(today: string): [string, string] {
  const month = today.slice(0, 7);
  const taken = new Set([0, -1, -2, -3].map((back) => addDays(today, back)));
  const free = Array.from(
    { length: 28 },
    (_, index) => `${month}-${String(index + 1).padStart(2, '0')}`,
  ).filter((date) => !taken.has(date));
  return [free[0]!, free[1]!];
}

/** The writes a sync of `ids` makes: statuses, a new day's daily figure, this month's figure. */
export async function syncWrites(
  store: Store,
  ids: number[],
  round: number,
  date: string,
): Promise<number> {
  const month = cstMonth(Date.now());
  const started = performance.now();
  for (let start = 0; start < ids.length; start += SYNC_BATCH) {
    const part = ids.slice(start, start + SYNC_BATCH);
    await store.cards.updateStatuses(
      part.map((id) => ({
        id,
        status: (id + round) % 2 === 0 ? 'active' : 'suspended',
        statusRaw: String(round),
      })),
      'sync',
    );
    await store.usage.upsertDaily(
      part.map((cardId) => ({
        cardId,
        date,
        bytes: (cardId * 31 + round * 7) % 90_000_000,
      })),
    );
    await store.usage.upsertMonthly(
      part.map((cardId) => ({
        cardId,
        month,
        bytes: (cardId * 7919 + round * 104_729) % 2_000_000_000,
      })),
    );
  }
  return (performance.now() - started) / 1000;
}

export async function benchDialect(
  dialect: 'sqlite' | 'postgres',
  cards: number,
  postgresUrl: string | undefined,
  measureWrites: boolean,
  /** Every `midMonth`-th card's plan cycles from the 15th (0: none), kept per plan cycle (0029). */
  midMonth = 0,
): Promise<DialectFigures> {
  const bench = await openBenchStore('stats', dialect, postgresUrl);
  const { store } = bench;
  try {
    const log = (line: string) => console.error(`[${dialect}] ${line}`);
    // The fleet goes in with the triggers off, then `simdock stats rebuild` counts it (timed).
    await dropCurrentFleetStatsTriggers(store.db, dialect);
    const fillSeconds = await fillBenchFleet(store, createSupplierCatalog(), cards, log);
    // A tenant with every tenth card, two plans with quotas, expiry dates, and this month's days.
    const now = Date.now();
    await tenantOfEveryTenthCard(store, now);
    const small = await store.plans.create({ name: 'small', quotaBytes: 1_500_000_000 });
    const big = await store.plans.create({ name: 'big', quotaBytes: 5_000_000_000 });
    // Only when asked: a plan cycling from another day, whose cards' plan cycles are kept too.
    const mid =
      midMonth > 0
        ? await store.plans.create({
            name: 'mid-month',
            quotaBytes: 3_000_000_000,
            cycleStartDay: 15,
          })
        : null;
    const today = cstToday(now);
    await sql`insert into card_plans (card_id, plan_id, expires_on, updated_at)
      select id, case when ${mid ? 1 : 0} = 1 and id % ${Math.max(midMonth, 1)} = 1 then cast(${mid?.id ?? 0} as bigint)
        when id % 2 = 0 then cast(${small.id} as bigint) else cast(${big.id} as bigint) end,
        case when id % 50 = 0 then cast(${addDays(today, 5)} as text)
          when id % 20 = 0 then cast(${addDays(today, 25)} as text)
          else cast(${addDays(today, 400)} as text) end, cast(${now} as bigint)
      from cards where id % 3 <> 0`.execute(store.db);
    for (let back = 1; back <= 3; back += 1) {
      await sql`insert into usage_daily (card_id, date, bytes, updated_at)
        select id, cast(${addDays(today, -back)} as text), (id * 31) % 90000000, cast(${now} as bigint)
        from cards`.execute(store.db);
    }
    await createCurrentFleetStatsTriggers(store.db, dialect);
    const rebuildStarted = performance.now();
    await store.fleetStats.rebuild();
    const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
    // What autovacuum does after a bulk load, so the planner knows the tables' sizes.
    await analyzeBenchStore(store);
    log(`fleet ready; stats rebuild ${rebuildSeconds.toFixed(1)} s`);
    const root = (await store.tenants.root()) as unknown as { path: string };
    const rootCaller = { tenantPath: root.path, isRoot: true } as unknown as Principal;
    const acmeCaller = { tenantPath: '/root/acme/', isRoot: false } as unknown as Principal;
    const month = cstMonth(now);
    const dashboard = async (caller: Principal) => {
      const figures = await store.fleetStats.figures(caller, { cycle: month, today });
      await store.scopedCards(caller).page({
        month,
        sort: 'usage',
        order: 'desc',
        limit: 11,
      });
      await planStats(store, caller, now, { figures });
    };
    const timings = [
      await percentiles('dashboard stats, root tenant (all cards)', () => dashboard(rootCaller)),
      await percentiles('dashboard stats, tenant with 10 % of the cards', () =>
        dashboard(acmeCaller),
      ),
      await percentiles('30-day chart, root tenant', () =>
        store.fleetStats.daily(rootCaller, addDays(today, -29), today),
      ),
      await percentiles('30-day chart, 10 % tenant', () =>
        store.fleetStats.daily(acmeCaller, addDays(today, -29), today),
      ),
      await percentiles('cards list by usage, first page of 50', () =>
        store.scopedCards(rootCaller).page({ month, sort: 'usage', order: 'desc', limit: 51 }),
      ),
      await percentiles('cards list by usage, 10 % tenant', () =>
        store.scopedCards(acmeCaller).page({ month, sort: 'usage', order: 'desc', limit: 51 }),
      ),
      await percentiles('cards list filtered to ≥ 80 % of quota, by usage', () =>
        store.scopedCards(rootCaller).page({
          month,
          sort: 'usage',
          order: 'desc',
          quotaMin: 80,
          limit: 51,
        }),
      ),
    ];
    for (const timing of timings) log(`${timing.name}: p50 ${timing.p50} ms, p95 ${timing.p95} ms`);
    if (!measureWrites) {
      return { dialect, fillSeconds, rebuildSeconds, timings, syncWith: null, syncWithout: null };
    }
    // A 100,000-card sync's writes with the figures kept, then the same writes without the
    // triggers (dropped for the measurement; the store is thrown away afterwards). Each round
    // inserts a day the fleet did not have and changes every status and month figure.
    const ids = (
      await sql<{ id: number }>`select id from cards order by id limit ${SYNC_CARDS}`.execute(
        store.db,
      )
    ).rows.map((row) => Number(row.id));
    const [firstDay, secondDay] = newDaysOfMonth(today);
    const syncWith = await syncWrites(store, ids, 1, firstDay);
    log(`100,000-card sync writes with kept figures: ${syncWith.toFixed(1)} s`);
    await dropCurrentFleetStatsTriggers(store.db, dialect);
    const syncWithout = await syncWrites(store, ids, 2, secondDay);
    log(`100,000-card sync writes without: ${syncWithout.toFixed(1)} s`);
    return { dialect, fillSeconds, rebuildSeconds, timings, syncWith, syncWithout };
  } finally {
    await bench.close();
  }
}

function percent(share: number): string {
  return `${(share * 100).toFixed(0)} %`;
}

/**
 * Fleet statistics: the dashboard's figures, the 30-day chart and the usage-sorted
 * card list over a filled fleet, p50/p95 over repeated requests, for the root and a tenant
 * holding 10 % of the cards; then what keeping the figures costs a 100,000-card sync: a real sync
 * (the sync service and the OneLink v2 simulator in process) into a store with the figures kept
 * and into one without, alternately (`--sync-pairs` of each), and a sync's store writes alone with
 * and without them. PostgreSQL runs when `--postgres URL` or SIMDOCK_TEST_DATABASE_URL is given;
 * `--dialects postgres` runs one dialect; `--no-writes` measures only the requests (the
 * 5,000,000-card run); `--mid-month N` puts every Nth card on a plan whose cycle starts on the
 * 15th (kept per plan cycle, migration 0029). A run at another size than 1,000,000 cards, or with
 * `--mid-month`, writes a section of its own.
 */
export async function benchStats(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cards: { type: 'string', default: '100000' },
      postgres: { type: 'string' },
      dialects: { type: 'string', default: 'sqlite,postgres' },
      'sync-cards': { type: 'string', default: String(SYNC_CARDS) },
      'sync-pairs': { type: 'string', default: '2' },
      'no-writes': { type: 'boolean', default: false },
      'mid-month': { type: 'string', default: '0' },
    },
  });
  const midMonth = Number(values['mid-month']);
  const cards = Number(values.cards);
  const syncCards = Number(values['sync-cards']);
  const syncPairs = Number(values['sync-pairs']);
  const measureWrites = !values['no-writes'];
  const postgresUrl = values.postgres ?? process.env.SIMDOCK_TEST_DATABASE_URL;
  const dialects = benchDialects(values.dialects, postgresUrl);
  const results: DialectFigures[] = [];
  const syncs: SyncOverhead[] = [];
  for (const dialect of dialects) {
    results.push(await benchDialect(dialect, cards, postgresUrl, measureWrites, midMonth));
    if (measureWrites) {
      syncs.push(
        await syncOverhead(dialect, postgresUrl, syncCards, syncPairs, (line) =>
          console.error(`[${dialect}] ${line}`),
        ),
      );
    }
  }
  console.log(JSON.stringify({ results, syncs }, null, 2));
  const command = `npm run bench -- stats --cards ${cards}${postgresUrl && dialects.includes('postgres') ? ' --postgres <url>' : ''}${values.dialects === 'sqlite,postgres' ? '' : ` --dialects ${values.dialects}`}${measureWrites ? '' : ' --no-writes'}${midMonth > 0 ? ` --mid-month ${midMonth}` : ''}`;
  const names = results[0]!.timings.map((timing) => timing.name);
  const requests = `| request | ${results.map((result) => `${result.dialect} p50 | ${result.dialect} p95`).join(' | ')} |
|---|${results.map(() => '---|---').join('|')}|
${names
  .map(
    (name, index) =>
      `| ${name} | ${results
        .map((result) => `${result.timings[index]!.p50} | ${result.timings[index]!.p95}`)
        .join(' | ')} |`,
  )
  .join('\n')}`;
  const writes = measureWrites
    ? `

What keeping the figures costs a sync. A real sync of ${syncCards.toLocaleString('en')} OneLink v2 cards (identities, then
${SYNC_DAYS} days of daily usage: the sync service, the adapter and the simulator in process at zero
latency, so the store's share is as large as it can be) into a fresh store with the figures kept and
into one with the triggers dropped and the store's own upkeep off; same fleet (every card on a plan
with a quota, every tenth in a tenant), ${syncPairs} of each, alternating; mean wall time. "Share of the
sync" is (with − without) ÷ with, the goal's figure (under 10 %):

| dialect | sync with kept figures | sync without | extra over without | share of the sync | simdock process CPU with / without |
|---|---|---|---|---|---|
${syncs
  .map(
    (sync) =>
      `| ${sync.dialect} | ${sync.withSeconds.toFixed(1)} s | ${sync.withoutSeconds.toFixed(1)} s | ${percent(
        (sync.withSeconds - sync.withoutSeconds) / sync.withoutSeconds,
      )} | ${percent(sync.shareOfSync)} | ${sync.withCpuSeconds.toFixed(1)} s / ${sync.withoutCpuSeconds.toFixed(1)} s |`,
  )
  .join('\n')}

A ${SYNC_CARDS.toLocaleString('en')}-card sync's store writes alone over the filled fleet (statuses, a new day's daily
figure and the month figure of every card, batches of ${SYNC_BATCH.toLocaleString('en')}; both rounds insert a day the fleet
did not have), keeping the figures versus the same writes with the triggers dropped:

| dialect | with kept figures | without | extra over without | share of the writes | \`simdock stats rebuild\` of the fleet |
|---|---|---|---|---|---|
${results
  .map((result) => {
    const withSeconds = result.syncWith ?? 0;
    const without = result.syncWithout ?? 0;
    return `| ${result.dialect} | ${withSeconds.toFixed(1)} s | ${without.toFixed(1)} s | ${percent(
      (withSeconds - without) / without,
    )} | ${percent((withSeconds - without) / withSeconds)} | ${result.rebuildSeconds.toFixed(0)} s |`;
  })
  .join('\n')}`
    : `

\`simdock stats rebuild\` of the fleet: ${results
        .map((result) => `${result.dialect} ${result.rebuildSeconds.toFixed(0)} s`)
        .join(', ')}; fleet filled in ${results
        .map((result) => `${result.dialect} ${result.fillSeconds.toFixed(0)} s`)
        .join(', ')}.`;
  writeSection(
    `${cards === 1_000_000 ? 'stats' : `stats-${cards}`}${midMonth > 0 ? `-mid-month-${midMonth}` : ''}`,
    `## Fleet statistics: ${cards.toLocaleString('en')} cards${midMonth > 0 ? `, every ${midMonth}th on a plan cycling from the 15th` : ''}

Command: \`${command}\` — machine: ${machine()}, load average before the run ${loadBefore}.
Figures kept as data arrives (migrations 0015, 0022, 0029, 0031) and read per request; p50/p95 over ${REPEATS}
requests after one warm-up, in milliseconds. The dashboard row is what \`GET /api/v1/cards/stats\`
reads: the kept figures, the top-10 consumers (the usage-sorted list) and the near-quota and
expiring lists. The tenant holds every tenth card. Before (docs above): dashboard 1.2–2.3 s
SQLite / 6–8 s PostgreSQL, usage sort 1.7 s, at 1,000,000 cards.

${requests}${writes}${postgresUrl ? '' : '\n\nPostgreSQL was not measured in this run (no URL given).'}`,
  );
}
