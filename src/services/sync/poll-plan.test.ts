import { afterEach, describe, expect, it } from 'vitest';
import type { CardChecks, Store, StoredCard } from '../../store/index.js';
import {
  cardAllotment,
  FRESH_FOR_MS,
  freshForMs,
  freshnessJudgedAt,
  pollFirst,
  RUN_INTERVAL_MS,
  runCallAllotments,
} from './poll-priority.js';
import { passReads, runPasses, syncAccount, usagePeriodsToAsk } from './sync.js';
import { type SyncFixture, syncFixture } from './sync-fixture.test-support.js';

const HOUR = 3_600_000;
/** An hour's first instant. */
const AT = Date.UTC(2026, 10, 10, 3);

function card(id: number, status: StoredCard['status'] = 'active'): StoredCard {
  return { id, iccid: `8986${id}`, status, statusChangedAt: null } as StoredCard;
}

function checksOf(entries: [number, number | null][]): Map<number, CardChecks> {
  return new Map(
    entries.map(([id, at]) => [id, { statusCheckedAt: at, usageCheckedAt: at } as CardChecks]),
  );
}

describe('the passes of a run', () => {
  const adapter = (status: number, daily: number) => ({
    capabilities: new Set(['status', 'usage.daily', 'usage.monthly'] as const),
    limits: { batchSize: { status, 'usage.daily': daily, 'usage.monthly': 100 } },
  });
  const daily = { days: ['2026-11-08', '2026-11-09'], month: '2026-11', actor: 't' };
  const hourly = { days: [], month: '2026-11', actor: 't' };

  it('reads urgent statuses first where the budget cannot hold every status, and yesterday before the rest', () => {
    const budget = (ratePerSecond: number) => ({
      ratePerSecond,
      budgetShare: 0.8,
      fleet: 1_000_000,
    });
    // One card a call, 1,000,000 cards at 10 calls/s: urgent statuses first every run.
    expect(runPasses(adapter(1, 100) as never, { ...hourly }, budget(10))).toEqual([
      'urgent',
      'rest',
    ]);
    const params = { ...daily };
    expect(runPasses(adapter(1, 100) as never, params, budget(10))).toEqual([
      'urgent',
      'yesterday',
      'rest',
    ]);
    expect(params).toMatchObject({ leadDays: ['2026-11-09'] });
    // In batches the budget holds, or without a limit, or --full: no urgent pass.
    expect(runPasses(adapter(1000, 100) as never, { ...daily }, budget(10))).toEqual([
      'yesterday',
      'rest',
    ]);
    expect(runPasses(adapter(1, 100) as never, { ...hourly }, budget(0))).toEqual([]);
    expect(runPasses(adapter(1, 100) as never, { ...hourly }, budget(10), { full: true })).toEqual(
      [],
    );
    // Yesterday already read (only filled): one pass.
    expect(
      runPasses(adapter(1000, 100) as never, { ...daily, fillOnly: ['2026-11-09'] }, budget(10)),
    ).toEqual([]);
  });

  it('splits the needs and periods between the passes', () => {
    const lead = ['2026-11-09'];
    expect(passReads('urgent', 'status', '-', lead)).toBe(true);
    expect(passReads('yesterday', 'identities', '-', lead)).toBe(true);
    expect(passReads('urgent', 'usage.monthly', '2026-11', lead)).toBe(false);
    expect(passReads('yesterday', 'usage.daily', '2026-11-09', lead)).toBe(true);
    expect(passReads('yesterday', 'usage.daily', '2026-11-07', lead)).toBe(false);
    expect(passReads('yesterday', 'status', '-', lead)).toBe(false);
    expect(passReads('rest', 'usage.daily', '2026-11-09', lead)).toBe(false);
    expect(passReads('rest', 'usage.daily', '2026-11-07', lead)).toBe(true);
    expect(passReads('rest', 'status', '-', lead)).toBe(true);
    expect(passReads('all', 'usage.daily', '2026-11-09', lead)).toBe(true);
  });
});

describe('the planner by need target', () => {
  it('judges freshness from the run start: this hour, or the target less one run', () => {
    const batch = { need: 'usage.monthly' as const, batchSize: 100 };
    // Monthly usage (6 h target): read in the last 5 hours is fresh.
    expect(freshForMs(batch, AT)).toBe(6 * HOUR - RUN_INTERVAL_MS);
    // Statuses (1 h): fresh only when read in this run's hour.
    expect(freshForMs({ need: 'status', batchSize: 100 }, AT)).toBe(1);
    expect(freshForMs({ need: 'status', batchSize: 1 }, AT + 10 * 60_000)).toBe(10 * 60_000 + 1);
    // Daily usage card by card has no target: half an hour.
    expect(freshForMs({ need: 'usage.daily', batchSize: 1 }, AT)).toBe(FRESH_FOR_MS);
  });

  it('judges a run that outlasts its hour as of the next hour, the run it stands in for', () => {
    const start = AT + 41 * 60_000;
    // Within the run's own hour: as of its start (statuses read since the hour are fresh).
    expect(freshnessJudgedAt(start, start + 10 * 60_000)).toBe(start);
    // Past the hour: as of that hour's start, so a status read at 09:20 is due again at 10:05.
    const after = freshnessJudgedAt(start, AT + HOUR + 5 * 60_000);
    expect(after).toBe(AT + HOUR);
    const status = { need: 'status' as const, batchSize: 100 };
    const checks = new Map<number, CardChecks>([
      [1, { statusCheckedAt: AT + 20 * 60_000, usageCheckedAt: null }],
      [2, { statusCheckedAt: AT + HOUR + 60_000, usageCheckedAt: null }],
    ]);
    const asked = (judgedAt: number) =>
      pollFirst(
        'status',
        [card(1), card(2)],
        checks,
        judgedAt,
        Number.POSITIVE_INFINITY,
        new Set(),
        freshForMs(status, judgedAt),
        1,
      ).asked.map((one) => one.id);
    expect(asked(start)).toEqual([]);
    expect(asked(after)).toEqual([1]);
  });

  it('leaves a need the budget holds unbounded and shares the rest evenly', () => {
    // 10 calls/s × 86,400 × 0.8 / 24 × 0.9 (headroom) = 25,920 calls a run.
    const allotments = runCallAllotments({
      ratePerSecond: 10,
      budgetShare: 0.8,
      fleet: 1_000_000,
      needs: [
        { need: 'status', batchSize: 1 },
        // 10,000 batches every sixth run (and a quarter more): 2,083 a run.
        { need: 'usage.monthly', batchSize: 100 },
      ],
    });
    expect(allotments.get('usage.monthly')).toBe(Number.POSITIVE_INFINITY);
    expect(allotments.get('status')).toBeCloseTo(25_920 - (1.25 * 10_000) / 6, 6);
    // Two one-card-per-call needs the budget cannot hold: half each.
    const even = runCallAllotments({
      ratePerSecond: 10,
      budgetShare: 0.8,
      fleet: 1_000_000,
      needs: [
        { need: 'status', batchSize: 1 },
        { need: 'usage.monthly', batchSize: 1 },
      ],
    });
    expect(even.get('status')).toBeCloseTo(12_960, 6);
    expect(even.get('usage.monthly')).toBeCloseTo(12_960, 6);
    // A daily run's usage days come first.
    const daily = runCallAllotments({
      ratePerSecond: 10,
      budgetShare: 0.8,
      fleet: 1_000_000,
      needs: [{ need: 'status', batchSize: 1 }],
      reserved: 20_000,
    });
    expect(daily.get('status')).toBeCloseTo(5_920, 6);
    // No rate limit: nothing is bounded.
    expect(
      runCallAllotments({ ratePerSecond: 0, budgetShare: 0.8, fleet: 10, needs: [] }).size,
    ).toBe(0);
    // A page's share of a run's calls, in cards: at least one batch.
    expect(cardAllotment(14_400, 1, 2_000, 1_000_000)).toBe(28);
    expect(cardAllotment(5, 10, 2_000, 1_000_000)).toBe(10);
    expect(cardAllotment(Number.POSITIVE_INFINITY, 10, 2_000, 1_000_000)).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it('fills a part-empty last batch with the stalest fresh cards, never with settled ones', () => {
    const cards = [1, 2, 3, 4, 5, 6, 7].map((id) => card(id, id === 7 ? 'deactivated' : 'active'));
    // Cards 1–3 due (read 6 h ago), 4–6 fresh (read 1–3 h ago), 7 deactivated (read).
    const checks = checksOf([
      [1, AT - 6 * HOUR],
      [2, AT - 6 * HOUR],
      [3, AT - 6 * HOUR],
      [4, AT - 1 * HOUR],
      [5, AT - 3 * HOUR],
      [6, AT - 2 * HOUR],
      [7, AT - 9 * HOUR],
    ]);
    const freshFor = 5 * HOUR;
    const chosen = pollFirst('usage.monthly', cards, checks, AT, Infinity, new Set(), freshFor, 5);
    // Three due and the two stalest fresh ones: one full batch of five.
    expect(chosen.asked.map((item) => item.id)).toEqual([1, 2, 3, 5, 6]);
    // One card a call: nothing added.
    const single = pollFirst('usage.monthly', cards, checks, AT, Infinity, new Set(), freshFor, 1);
    expect(single.asked.map((item) => item.id)).toEqual([1, 2, 3]);
    // A bounded run fills nothing (the due cards it defers come first next time).
    const bounded = pollFirst('usage.monthly', cards, checks, AT, 2, new Set(), freshFor, 5);
    expect(bounded.asked.map((item) => item.id)).toEqual([1, 2]);
    // Statuses: a deactivated card read once is never asked, even to fill a batch.
    const status = pollFirst('status', cards, checks, AT, Infinity, new Set(), 7 * HOUR, 10);
    expect(status.asked.map((item) => item.id)).toEqual([]);
  });

  it('reads yesterday and a day turning final in full, fills the days between', () => {
    const days = [
      '2026-11-03',
      '2026-11-04',
      '2026-11-05',
      '2026-11-06',
      '2026-11-07',
      '2026-11-08',
      '2026-11-09',
    ];
    const finalDays = days.slice(0, 5);
    const checked = new Set(days.slice(0, 4));
    expect(usagePeriodsToAsk({ days, finalDays, finalMonth: [], checked, full: false })).toEqual({
      fillOnly: ['2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06', '2026-11-08'],
      toCheck: ['2026-11-07'],
    });
    // --full: everything in full, the final periods checked.
    expect(
      usagePeriodsToAsk({ days, finalDays, finalMonth: ['2026-10'], checked, full: true }),
    ).toEqual({ fillOnly: [], toCheck: [...finalDays, '2026-10'] });
  });
});

describe('hourly runs of a batch supplier', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  /** Requests of one hourly run, by path. */
  async function hourly(fixture: SyncFixture): Promise<Map<string, number>> {
    const before = new Map(fixture.requests);
    await syncAccount(fixture.context, 'acct', { days: 0 });
    return new Map(
      [...fixture.requests].map(([path, count]) => [path, count - (before.get(path) ?? 0)]),
    );
  }

  it('asks statuses every run, not the deactivated cards, and the month every sixth run', async () => {
    // China Telecom 5G: statuses and monthly usage 100 cards a call.
    const fixture = await syncFixture({ type: 'telecom-5g', size: 300 });
    store = fixture.store;
    await hourly(fixture);
    const cards = await store.cards.listForSync('acct', { afterId: 0, limit: 1000 });
    const settled = cards.filter((item) => item.status === 'deactivated').length;
    const runs: Map<string, number>[] = [];
    for (let run = 0; run < 6; run += 1) {
      fixture.clock.set(Math.ceil((fixture.clock.now() + 1) / HOUR) * HOUR);
      runs.push(await hourly(fixture));
    }
    const status = (run: Map<string, number>) => run.get('/api/v1/prod/batchQrySimStatus') ?? 0;
    const month = (run: Map<string, number>) =>
      run.get('/api/v1/batchQry/batchQryFlowByMonth') ?? 0;
    // Every run: the statuses of the cards that can change, 100 a call.
    for (const run of runs) expect(status(run)).toBe(Math.ceil((300 - settled) / 100));
    // The month (6 h target) in one run of the six, no other call.
    expect(runs.filter((run) => month(run) > 0)).toHaveLength(1);
    for (const run of runs)
      expect([...run.values()].reduce((a, b) => a + b, 0)).toBe(status(run) + month(run));
  });
});
