import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { addDays, cstToday } from '../src/domain/index.js';
import { createServiceContext } from '../src/services/context.js';
import { planSummaries } from '../src/services/plans/plans-assign.js';
import { dropFleetStatsTriggers } from '../src/store/migrations/0015-fleet-stats.js';
import { createCurrentFleetStatsTriggers } from '../src/store/migrations/0027-assignment-statement-triggers.js';
import { PlansRepository } from '../src/store/repositories/plans-repository.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { analyzeBenchStore, fillBenchFleet, openBenchStore } from './bench-fleet.js';

const REPEATS = 20;

async function percentiles(work: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
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
  return { p50: at(0.5), p95: at(0.95) };
}

/**
 * The plans page's read at fleet scale: `GET /api/v1/plans`'s summaries (cards per plan from the
 * kept figures, expiry dates through migration 0021's index) against reading each plan's card
 * ids, over `--cards` cards (default 1,000,000) on three plans with expiry dates.
 *
 *   npm run bench -- plans [--cards N] [--postgres URL]
 */
export async function benchPlans(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { cards: { type: 'string', default: '1000000' }, postgres: { type: 'string' } },
  });
  const cards = Number(values.cards);
  const dialect = values.postgres ? 'postgres' : 'sqlite';
  const bench = await openBenchStore('plans', dialect, values.postgres);
  const { store } = bench;
  try {
    await dropFleetStatsTriggers(store.db, dialect);
    await fillBenchFleet(store, createSupplierCatalog(), cards, (line) => console.error(line));
    const plans = new PlansRepository(store);
    const ids: number[] = [];
    for (const [name, quota] of [
      ['small', 1_500_000_000],
      ['big', 5_000_000_000],
      ['open', null],
    ] as const) {
      ids.push((await plans.create({ name, quotaBytes: quota })).id);
    }
    const now = Date.now();
    const today = cstToday(now);
    await sql`insert into card_plans (card_id, plan_id, expires_on, updated_at)
      select id, case when id % 3 = 0 then cast(${ids[0]} as bigint)
          when id % 3 = 1 then cast(${ids[1]} as bigint) else cast(${ids[2]} as bigint) end,
        case when id % 50 = 0 then cast(${addDays(today, 5)} as text)
          when id % 20 = 0 then cast(${addDays(today, -25)} as text)
          else cast(${addDays(today, 400)} as text) end, cast(${now} as bigint)
      from cards where id % 7 <> 0`.execute(store.db);
    await createCurrentFleetStatsTriggers(store.db, dialect);
    await store.fleetStats.rebuild();
    await analyzeBenchStore(store);
    const context = createServiceContext({ store, catalog: createSupplierCatalog() });
    const summaries = await planSummaries(context);
    for (const summary of summaries) {
      const counted = (await plans.cardIds(summary.plan.id)).length;
      if (counted !== summary.cards) {
        throw new Error(`plan ${summary.plan.name}: kept ${summary.cards}, counted ${counted}`);
      }
    }
    const kept = await percentiles(() => planSummaries(context));
    const scanned = await percentiles(async () => {
      for (const id of ids) await plans.cardIds(id);
    });
    console.log(
      JSON.stringify({
        dialect,
        cards,
        plans: summaries.map((summary) => ({
          name: summary.plan.name,
          cards: summary.cards,
          ...summary.expiry,
        })),
        'plans list (kept figures + expiry index), ms': kept,
        'reading each plan’s card ids (before), ms': scanned,
      }),
    );
  } finally {
    await bench.close();
  }
}
