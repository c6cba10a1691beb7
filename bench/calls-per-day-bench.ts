import { parseArgs } from 'node:util';
import { cstStartOfDay, cstToday } from '../src/domain/index.js';
import { type SyncOptions, syncAccount } from '../src/services/sync/sync.js';
import { type SyncFixture, syncFixture } from '../src/services/sync/sync-fixture.test-support.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { machine, writeSection } from './report.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One run of the default schedule (src/jobs/scheduler.ts `defaultScheduleEntries`). */
interface ScheduledRun {
  /** Milliseconds after CST midnight. */
  offset: number;
  options: SyncOptions;
}

/** A day of the default schedule: hourly statuses (`days: 0`), daily usage at 09:30 CST. */
const DEFAULT_DAY: ScheduledRun[] = [
  ...Array.from({ length: 24 }, (_, hour) => ({ offset: hour * HOUR, options: { days: 0 } })),
  { offset: 9.5 * HOUR, options: {} },
].sort((a, b) => a.offset - b.offset);

interface SupplierDays {
  supplier: string;
  /** Calls the simulator answered on each simulated day (token calls included). */
  perDay: number[];
  /** The heaviest hourly run of the last day. */
  peakHourly: number;
}

/**
 * Pauses `count` active cards on the supplier side through simdock's lifecycle call, as an
 * operator elsewhere would; returns the calls that took, to be left out of the sync's count.
 */
async function changeCards(fixture: SyncFixture, count: number): Promise<number> {
  const before = fixture.simulated.calls();
  const adapter = await fixture.context.adapter('acct');
  if (!adapter.doChangeStatus) throw new Error(`${adapter.supplier} has no lifecycle call`);
  const active = (await fixture.store.cards.listForSync('acct', { afterId: 0, limit: 1_000_000 }))
    .filter((card) => card.status === 'active')
    .slice(0, count);
  await adapter.doChangeStatus({
    action: 'pause',
    cards: active.map((card) => ({ key: String(card.id), iccid: card.iccid })),
  });
  return fixture.simulated.calls() - before;
}

/** Simulates `days` days of the default schedule for one supplier; calls per day. */
async function simulate(
  supplier: string,
  cards: number,
  days: number,
  changes = 0,
): Promise<SupplierDays> {
  // Start on the 10th (no month-end reconciliation in the week) at CST midnight.
  const start = cstStartOfDay('2026-11-10');
  const fixture = await syncFixture({ type: supplier, size: cards, start });
  try {
    const perDay: number[] = [];
    let peakHourly = 0;
    for (let day = 0; day < days; day += 1) {
      const midnight = cstStartOfDay(cstToday(start + day * DAY));
      const before = fixture.simulated.calls();
      let changing = 0;
      for (const run of DEFAULT_DAY) {
        // A run starts at its time, or when the one before it ended if that ran late.
        fixture.clock.set(Math.max(fixture.clock.now(), midnight + run.offset));
        // Cards changed on the supplier side since the last run (after the first run).
        if (changes > 0 && run.options.days === 0 && (day > 0 || run.offset > 0)) {
          changing += await changeCards(fixture, changes);
        }
        const runBefore = fixture.simulated.calls();
        await syncAccount(fixture.context, 'acct', { ...run.options, actor: 'schedule' });
        if (day === days - 1 && run.options.days === 0)
          peakHourly = Math.max(peakHourly, fixture.simulated.calls() - runBefore);
      }
      perDay.push(fixture.simulated.calls() - before - changing);
    }
    return { supplier, perDay, peakHourly };
  } finally {
    await fixture.store.close();
  }
}

/**
 * `npm run bench -- calls-per-day --cards 1000 [--days 7] [--supplier onelink-v2] [--changes 5]`: every
 * supplier's simulator in process on a manual clock, N cards imported (or listed), the default
 * schedule run for a simulated week; the calls each supplier answered on the first day and on
 * the last (steady state).
 */
export async function benchCallsPerDay(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cards: { type: 'string', default: '1000' },
      days: { type: 'string', default: '7' },
      supplier: { type: 'string' },
      /** Cards paused on the supplier side before each hourly run (suppliers with lifecycle). */
      changes: { type: 'string', default: '0' },
    },
  });
  const cards = Number(values.cards);
  const days = Number(values.days);
  const suppliers = values.supplier ? [values.supplier] : createSupplierCatalog().types();
  const results: SupplierDays[] = [];
  for (const supplier of suppliers) {
    const started = performance.now();
    const result = await simulate(supplier, cards, days, Number(values.changes));
    results.push(result);
    console.log(
      `${supplier}: ${result.perDay.join(', ')} calls per day; heaviest hourly run ${result.peakHourly} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
  if (values.supplier || Number(values.changes) > 0) return;
  const command = `npm run bench -- calls-per-day --cards ${cards}${days === 7 ? '' : ` --days ${days}`}`;
  const rows = results
    .map(
      (result) =>
        `| ${result.supplier} | ${result.perDay[0]!.toLocaleString('en')} | ${result.perDay.at(-1)!.toLocaleString('en')} | ${result.peakHourly.toLocaleString('en')} |`,
    )
    .join('\n');
  writeSection(
    `calls-per-day-${cards}`,
    `## Supplier calls per day on the default schedule, ${cards.toLocaleString('en')} cards

Command: \`${command}\` — machine: ${machine()}, SQLite in memory, each supplier's simulator in
process on a manual clock, no rate limit. The default schedule (src/jobs/scheduler.ts) for
${days} simulated days from 2026-11-10 CST: a sync every hour with \`days: 0\` (statuses,
identities, month-to-date usage) and the 09:30 sync with 7 days of daily usage. Calls are every
call the simulator answered, access tokens included.

| supplier | calls on day 1 | calls per day, day ${days} (steady state) | heaviest hourly run, day ${days} |
|---|---|---|---|
${rows}`,
  );
}
