import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { addDays, type Clock, cstToday, systemClock } from '../src/domain/index.js';
import { createServiceContext, saveAccounts } from '../src/services/context.js';
import { importCards } from '../src/services/inventory/card-import.js';
import { syncAccount } from '../src/services/sync/sync.js';
import { dropCurrentFleetStatsTriggers } from '../src/store/migrations/0022-fleet-stats-statements.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { createOnelinkV2Simulator } from '../src/suppliers/onelink-v2/index.js';
import { appFetch } from '../src/suppliers/spec/simulator-kit.js';
import { analyzeBenchStore, openBenchStore, tenantOfEveryTenthCard } from './bench-fleet.js';
import { machine, writeSection } from './report.js';

/** Days of daily usage the measured sync pulls (as `npm run bench -- sync` does). */
export const SYNC_DAYS = 7;

/** One measured sync: seconds of wall time and of this process's CPU, rows written. */
export interface SyncRound {
  keep: boolean;
  seconds: number;
  cpuSeconds: number;
  rowsWritten: number;
  calls: number;
}

const credentials = {
  appid: 'bench',
  password: 'bench-password',
  ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
};

/**
 * One real sync of `cards` OneLink v2 cards (identities, then `SYNC_DAYS` days of daily usage)
 * through the sync service and the in-process simulator, into a fresh store: with the kept
 * figures (`keep`), or with the triggers dropped and the store's own upkeep off. The fleet is
 * the same either way: every card on a plan with a quota (two plans), every tenth card in a
 * tenant, imported before the clock starts.
 */
export async function measureSync(
  dialect: 'sqlite' | 'postgres',
  postgresUrl: string | undefined,
  cards: number,
  keep: boolean,
  /** The account's rate limit in calls/s (a sync with no operator call uses all of it); 0: none. */
  rateLimit = 0,
  /** The sync's clock: what "today" and the days it asks are. */
  clock: Clock = systemClock,
): Promise<SyncRound> {
  const bench = await openBenchStore('stats_sync', dialect, postgresUrl, clock);
  const { store } = bench;
  try {
    const simulator = createOnelinkV2Simulator({ ...credentials, size: cards, clock });
    simulator.callLog.keep = false;
    const catalog = createSupplierCatalog();
    await saveAccounts(store, catalog, [
      {
        id: 'bench',
        type: 'onelink-v2',
        name: null,
        rateLimit,
        settings: { baseUrl: 'http://onelink.simulator/v2', ...credentials },
      },
    ]);
    if (!keep) await dropCurrentFleetStatsTriggers(store.db, dialect);
    const context = createServiceContext({
      store,
      catalog,
      clock,
      fetch: appFetch(simulator.app),
    });
    const lines = Array.from({ length: cards }, (_, index) => simulator.fleet.card(index).iccid);
    await importCards(context, 'bench', lines.join('\n'), 'bench');
    const now = clock.now();
    await tenantOfEveryTenthCard(store, now);
    // Small quotas, so the week's usage moves cards across the 80 % and 100 % levels.
    const small = await store.plans.create({ name: 'small', quotaBytes: 50_000_000 });
    const big = await store.plans.create({ name: 'big', quotaBytes: 500_000_000 });
    await sql`insert into card_plans (card_id, plan_id, expires_on, updated_at)
      select id, case when id % 2 = 0 then cast(${small.id} as bigint) else cast(${big.id} as bigint) end,
        cast(${addDays(cstToday(now), 400)} as text), cast(${now} as bigint)
      from cards`.execute(store.db);
    // The setup's raw inserts above left their figures' delta rows unfolded (the store's write
    // paths fold them as they go): folded here, so the first fold in the sync is not theirs.
    await store.fleetStats.compact();
    await analyzeBenchStore(store);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const summary = await syncAccount(context, 'bench', { days: SYNC_DAYS });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    if (summary.failed > 0) throw new Error(`the measured sync failed ${summary.failed} cards`);
    return {
      keep,
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      rowsWritten: summary.rowsWritten,
      calls: summary.calls,
    };
  } finally {
    await bench.close();
  }
}

/** The sync overhead of one dialect: rounds alternate with / without, `pairs` of each. */
export interface SyncOverhead {
  dialect: 'sqlite' | 'postgres';
  cards: number;
  rounds: SyncRound[];
  /** Mean seconds of the rounds with and without the kept figures. */
  withSeconds: number;
  withoutSeconds: number;
  /** Mean CPU seconds of this process (SQLite: all of the store's work; PostgreSQL: not the server's). */
  withCpuSeconds: number;
  withoutCpuSeconds: number;
  /** The share of the sync's time (with figures) spent keeping them: (with − without) ÷ with. */
  shareOfSync: number;
}

export async function syncOverhead(
  dialect: 'sqlite' | 'postgres',
  postgresUrl: string | undefined,
  cards: number,
  pairs: number,
  log: (line: string) => void,
  rateLimit = 0,
  clock: Clock = systemClock,
): Promise<SyncOverhead> {
  // One small unmeasured sync of each kind first, at no rate limit: the process's first sync
  // pays for compiling its code paths, and that was always a "with" round (1.8–3 s slower than
  // the second "with" round at 100,000 cards in the runs before this).
  for (const keep of [true, false]) {
    await measureSync(dialect, postgresUrl, 10_000, keep, 0, clock);
  }
  const rounds: SyncRound[] = [];
  for (let pair = 0; pair < pairs; pair += 1) {
    // Alternate which goes first, so a drift of the machine's load falls on both.
    const order = pair % 2 === 0 ? [true, false] : [false, true];
    for (const keep of order) {
      const round = await measureSync(dialect, postgresUrl, cards, keep, rateLimit, clock);
      log(
        `sync of ${cards} cards ${keep ? 'with' : 'without'} kept figures: ${round.seconds.toFixed(1)} s (CPU ${round.cpuSeconds.toFixed(1)} s, ${round.rowsWritten} rows)`,
      );
      rounds.push(round);
    }
  }
  const mean = (keep: boolean, of: (round: SyncRound) => number) => {
    const picked = rounds.filter((round) => round.keep === keep);
    return picked.reduce((sum, round) => sum + of(round), 0) / picked.length;
  };
  const withSeconds = mean(true, (round) => round.seconds);
  const withoutSeconds = mean(false, (round) => round.seconds);
  return {
    dialect,
    cards,
    rounds,
    withSeconds,
    withoutSeconds,
    withCpuSeconds: mean(true, (round) => round.cpuSeconds),
    withoutCpuSeconds: mean(false, (round) => round.cpuSeconds),
    shareOfSync: (withSeconds - withoutSeconds) / withSeconds,
  };
}

/** The dialects of a `--dialects sqlite,postgres` list that can run (PostgreSQL needs a URL). */
export function benchDialects(
  list: string,
  postgresUrl: string | undefined,
): ('sqlite' | 'postgres')[] {
  return list
    .split(',')
    .filter((dialect): dialect is 'sqlite' | 'postgres' =>
      dialect === 'sqlite' ? true : dialect === 'postgres' && postgresUrl !== undefined,
    );
}

/**
 * A clock running at real speed from 10:00 CST of `date`: a run whose days must not depend on
 * today's (a week that crosses a month's end moves two cycle rows a card instead of one).
 */
function clockFrom(date: string): Clock {
  const offset = Date.parse(`${date}T10:00:00+08:00`) - Date.now();
  if (Number.isNaN(offset)) throw new Error(`--date ${date}: expected YYYY-MM-DD`);
  return { now: () => Date.now() + offset, sleep: systemClock.sleep };
}

/**
 * `npm run bench -- stats-sync [--cards N] [--rate R] [--pairs P] [--dialects …] [--date D] [--postgres URL]`:
 * only the real sync with and without the kept figures, optionally at an account rate limit
 * (the sync's calls spaced as the shared limiter spaces them in production) to show what the
 * figures cost a sync bound by its supplier rather than by the store.
 */
export async function benchStatsSync(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cards: { type: 'string', default: '10000' },
      rate: { type: 'string', default: '0' },
      pairs: { type: 'string', default: '1' },
      dialects: { type: 'string', default: 'sqlite' },
      postgres: { type: 'string' },
      date: { type: 'string' },
    },
  });
  const cards = Number(values.cards);
  const rate = Number(values.rate);
  const clock = values.date ? clockFrom(values.date) : systemClock;
  const postgresUrl = values.postgres ?? process.env.SIMDOCK_TEST_DATABASE_URL;
  const dialects = benchDialects(values.dialects, postgresUrl);
  const results: SyncOverhead[] = [];
  for (const dialect of dialects) {
    results.push(
      await syncOverhead(
        dialect,
        postgresUrl,
        cards,
        Number(values.pairs),
        (line) => console.error(`[${dialect}] ${line}`),
        rate,
        clock,
      ),
    );
  }
  // A difference within noise of zero reads 0.0 %, not -0.0 %.
  const pct = (value: number) =>
    `${(Math.abs(value) < 0.0005 ? 0 : value * 100).toFixed(Math.abs(value) < 0.1 ? 1 : 0)} %`;
  const command = `npm run bench -- stats-sync --cards ${cards} --rate ${rate} --pairs ${values.pairs} --dialects ${values.dialects}${values.date ? ` --date ${values.date}` : ''}${dialects.includes('postgres') ? ' --postgres <url>' : ''}`;
  const today = cstToday(clock.now());
  const cycles = new Set(
    Array.from({ length: SYNC_DAYS }, (_, day) => addDays(today, -1 - day).slice(0, 7)),
  );
  writeSection(
    `stats-sync-${cards}-rate-${rate}${values.date ? `-${values.date}` : ''}`,
    `## What the kept figures cost a sync of ${cards.toLocaleString('en')} cards${rate > 0 ? ` at ${rate} calls/s` : ''}

Command: \`${command}\` — machine: ${machine()}.
A real sync of OneLink v2 cards (identities, then ${SYNC_DAYS} days of daily usage) through the sync
service and the in-process simulator, into a fresh store with the figures kept and into one
without them; the sync's today ${today} (CST)${values.date ? ' (`--date`: the clock starts there at 10:00 and runs at real speed)' : ''}, so its days fall in ${cycles.size === 1 ? 'one calendar month (one cycle row a card)' : `${cycles.size} calendar months (${cycles.size} cycle rows a card)`}; ${rate > 0 ? `the account's rate limit ${rate} calls/s spacing the calls as the shared limiter does in production (no operator call being made, so the sync has the whole rate)` : "no rate limit (the store's share as large as it can be)"}. Mean of ${values.pairs} of each.

| dialect | with kept figures | without | share of the sync | process CPU with / without |
|---|---|---|---|---|
${results
  .map(
    (result) =>
      `| ${result.dialect} | ${result.withSeconds.toFixed(1)} s | ${result.withoutSeconds.toFixed(1)} s | ${pct(result.shareOfSync)} | ${result.withCpuSeconds.toFixed(1)} s / ${result.withoutCpuSeconds.toFixed(1)} s |`,
  )
  .join('\n')}`,
  );
  console.log(JSON.stringify(results, null, 2));
}
