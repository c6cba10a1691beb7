import { parseArgs } from 'node:util';
import { cstDate, cstStartOfDay, lastCompleteDays } from '../src/domain/index.js';
import { defaultScheduleEntries, latestOccurrence } from '../src/jobs/scheduler.js';
import { DEFAULT_BUDGET_SHARE } from '../src/services/limits/shared-limiter.js';
import { DEFAULT_TARGETS_MS } from '../src/services/sync/freshness-targets.js';
import {
  type BudgetedNeed,
  cardAllotment,
  freshForMs,
  freshnessJudgedAt,
  listingPagesPerRun,
  pollFirst,
  RUN_INTERVAL_MS,
  runCallAllotments,
  URGENT_FRESH_FOR_MS,
} from '../src/services/sync/poll-priority.js';
import {
  budgetedNeeds,
  couldUse,
  dailyUsageCalls,
  defaultSliceSize,
  passReads,
  runPasses,
  type SyncPass,
  sliceCutter,
  usagePeriodsToAsk,
} from '../src/services/sync/sync.js';
import { syncFixture } from '../src/services/sync/sync-fixture.test-support.js';
import type { SliceNeed } from '../src/services/sync/sync-phases.js';
import { DEFAULT_REVISION_DAYS, periodIsFinal } from '../src/services/sync/sync-settings.js';
import type { CardChecks, StoredCard } from '../src/store/index.js';
import type { SyncPlanParams } from '../src/store/repositories/sync-checkpoints.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { type SupplierAdapterV1, supplierExtra } from '../src/suppliers/spec/index.js';
import { FLEET_STATUSES } from './bench-fleet.js';
import { machine, writeSection } from './report.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The rate limit each supplier type is benchmarked at, calls per second, and where it comes
 * from. No supplier publishes one: every figure is a guess, the documented ones from
 * /work/shared/suppliers.
 */
export const DAY_RATES: Record<string, { rate: number; source: string }> = {
  'onelink-v2': { rate: 5, source: 'guess (PROTOCOL-NOTES.md: "start at 5 requests/s")' },
  'onelink-v5': { rate: 10, source: 'guess (PROTOCOL-NOTES.md: unpublished)' },
  m2m10086: { rate: 10, source: 'guess (unpublished)' },
  agent: { rate: 10, source: 'guess (unpublished)' },
  quectel: { rate: 5, source: 'guess (unpublished)' },
  'unicom-gw': { rate: 5, source: 'guess (cn-carriers-notes.md: "start at 5 calls/s")' },
  'telecom-5g': { rate: 5, source: 'guess (unpublished)' },
  'telecom-cmp': { rate: 10, source: 'guess (unpublished)' },
};

type Need = 'inventory' | 'feed' | SliceNeed;

/** What one supplier type asks of the planner, read from its adapter on the simulator. */
interface SupplierShape {
  supplier: string;
  adapter: Pick<SupplierAdapterV1, 'capabilities' | 'limits'>;
  feeds: boolean;
  pageSize: number;
  dailyWindow: number;
  revisionDays: number;
}

async function supplierShape(supplier: string): Promise<SupplierShape> {
  // The adapter as simdock builds it for an account on the in-process simulator.
  const fixture = await syncFixture({ type: supplier, size: 10 });
  try {
    const adapter = await fixture.context.adapter('acct');
    return {
      supplier,
      adapter: { capabilities: adapter.capabilities, limits: adapter.limits },
      feeds: supplierExtra(adapter, 'doListChangedCards') !== null,
      pageSize: adapter.limits.pageSize ?? 100,
      dailyWindow: adapter.limits.dailyUsageWindowDays ?? 7,
      revisionDays: adapter.limits.revisionWindowDays ?? DEFAULT_REVISION_DAYS,
    };
  } finally {
    await fixture.store.close();
  }
}

/**
 * Calls spaced as the account's shared limiter spaces scheduled work while no operator call is
 * made (capacity 1 buckets at the whole rate; src/services/limits/shared-limiter.ts).
 */
class ScheduleLimiter {
  readonly spacing: number;
  #last = Number.NEGATIVE_INFINITY;
  #second = -1;
  #inSecond = 0;
  peak = 0;
  secondsOver = 0;
  constructor(readonly rate: number) {
    this.spacing = SECOND / rate;
  }
  /** The time a call asked for at `at` is sent. */
  take(at: number): number {
    const time = Math.max(at, this.#last + this.spacing);
    this.#last = time;
    const second = Math.floor(time / SECOND);
    if (second !== this.#second) {
      this.#second = second;
      this.#inSecond = 0;
    }
    this.#inSecond += 1;
    if (this.#inSecond > this.peak) this.peak = this.#inSecond;
    if (this.#inSecond === Math.floor(this.rate) + 1) this.secondsOver += 1;
    return time;
  }
}

interface StalenessSamples {
  all: number[];
  urgent: number[];
  neverRead: number;
}

export interface DayResult {
  supplier: string;
  rate: number;
  cards: number;
  /** Calls of the reported (last) day per need, and the minimum for the information asked. */
  calls: Map<Need, number>;
  minimum: Map<Need, number>;
  peakPerSecond: number;
  secondsOver: number;
  /** Milliseconds after CST midnight yesterday's usage was complete for every card. */
  yesterdayCompleteAt: number | null;
  dailyRunStart: number | null;
  staleness: Map<'status' | 'usage.monthly', StalenessSamples>;
  longestRunMs: number;
  seconds: number;
}

/**
 * One supplier type's account of `cards` cards through `days` simulated days of the default
 * schedule. The planner's own functions choose every run's cards and periods (budgetedNeeds,
 * runCallAllotments, cardAllotment, pollFirst with freshForMs and freshnessJudgedAt,
 * usagePeriodsToAsk), slice by slice as sync.ts does; each call is timed by the account's rate as
 * the shared limiter spaces scheduled work.
 */
export async function simulateDay(options: {
  supplier: string;
  cards: number;
  days: number;
  nearQuota: number;
  changesPerDay: number;
  rate?: number;
  /** Every card active (no deactivated card to leave out): the most calls yesterday takes. */
  allActive?: boolean;
  log?: (line: string) => void;
}): Promise<DayResult> {
  const began = performance.now();
  const shape = await supplierShape(options.supplier);
  const { adapter } = shape;
  const rate = options.rate ?? DAY_RATES[options.supplier]?.rate ?? 5;
  const share = DEFAULT_BUDGET_SHARE;
  const limiter = new ScheduleLimiter(rate);
  const batch = (need: SliceNeed) => adapter.limits.batchSize[need] ?? 1;
  const has = (need: SliceNeed) => adapter.capabilities.has(need);
  const n = options.cards;
  const start = cstStartOfDay('2026-11-10');
  const end = start + options.days * DAY;
  const reportFrom = end - DAY;

  // The fleet: statuses cycle as the other benchmarks' fleets do; `nearQuota` of the cards
  // that can change are at 80 % of their quota or more (urgent: urgentCards finds them).
  const cards: StoredCard[] = [];
  const checks = new Map<number, CardChecks>();
  const supplierStatus: string[] = [];
  const urgent = new Set<number>();
  const urgentEvery = options.nearQuota > 0 ? Math.round(1 / options.nearQuota) : 0;
  for (let id = 1; id <= n; id += 1) {
    const status = options.allActive
      ? 'active'
      : (FLEET_STATUSES[id % FLEET_STATUSES.length] as StoredCard['status']);
    cards.push({
      id,
      iccid: `8986${String(id).padStart(16, '0')}`,
      status,
      statusChangedAt: null,
    } as StoredCard);
    supplierStatus.push(status);
    checks.set(id, { statusCheckedAt: null, usageCheckedAt: null });
    if (urgentEvery > 0 && (id * 7_919) % urgentEvery === 0 && status !== 'deactivated')
      urgent.add(id);
  }
  // The slices planRun cuts: the same number of cards that can change in each.
  const cutter = sliceCutter(defaultSliceSize(adapter));
  for (const card of cards) cutter.add(card);
  const slices = cutter
    .slices()
    .map((slice) => cards.slice(slice.firstCardId - 1, slice.lastCardId));
  const changeable = cards.filter((card) => card.status !== 'deactivated');
  const growing = changeable.filter((card) => card.status !== 'suspended');

  // Budgeted needs and the allotment the hourly run gives each.
  const month = '2026-11';
  const hourlyNeeds: BudgetedNeed[] = budgetedNeeds(adapter, { days: [], month });
  const allotments = runCallAllotments({
    ratePerSecond: rate,
    budgetShare: share,
    fleet: n,
    needs: hourlyNeeds,
  });
  // Warm start: every card read once before the first day, as the steady state spreads reads:
  // within the target where the budget holds it, over the cycle the budget allows otherwise.
  const random = mulberry32(7);
  for (const need of hourlyNeeds) {
    if (need.need === 'usage.daily') continue;
    const target = DEFAULT_TARGETS_MS[need.need as keyof typeof DEFAULT_TARGETS_MS];
    const pool = need.need === 'status' ? changeable : growing;
    const perHour = (allotments.get(need.need) ?? Number.POSITIVE_INFINITY) * need.batchSize;
    const cycle = Math.max(target, (pool.length / perHour) * HOUR);
    for (const card of cards) {
      const span = urgent.has(card.id) ? Math.min(cycle, target) : cycle;
      const at = start - random() * span;
      const entry = checks.get(card.id)!;
      if (need.need === 'status') entry.statusCheckedAt = at;
      else entry.usageCheckedAt = at;
    }
  }
  // Daily usage before the first day is stored and every final day checked.
  const checkedDays = new Set<string>();
  for (const day of lastCompleteDays(shape.dailyWindow, start))
    if (periodIsFinal(day, shape.revisionDays, start)) checkedDays.add(day);
  let feedAt: number | null = shape.feeds ? start - HOUR : null;
  let changedSinceFeed = new Set<number>();

  // Staleness samples every 10 minutes of the reported day.
  const staleness = new Map<'status' | 'usage.monthly', StalenessSamples>();
  const sampled: ('status' | 'usage.monthly')[] = [];
  if (has('status')) sampled.push('status');
  if (has('usage.monthly')) sampled.push('usage.monthly');
  for (const need of sampled) staleness.set(need, { all: [], urgent: [], neverRead: 0 });
  let nextSample = reportFrom;
  const sampleStep = Math.max(1, Math.floor(n / 20_000));
  const sampleTo = (time: number) => {
    while (nextSample <= time && nextSample < end) {
      for (const need of sampled) {
        const into = staleness.get(need)!;
        const pool = need === 'status' ? changeable : growing;
        for (let index = 0; index < pool.length; index += 1) {
          const card = pool[index]!;
          const isUrgent = urgent.has(card.id);
          if (!isUrgent && index % sampleStep !== 0) continue;
          const entry = checks.get(card.id)!;
          let at = need === 'status' ? entry.statusCheckedAt : entry.usageCheckedAt;
          if (need === 'status' && at !== null && feedAt !== null) at = Math.max(at, feedAt);
          if (at === null) {
            into.neverRead += 1;
            continue;
          }
          const age = Math.max(0, nextSample - at);
          if (index % sampleStep === 0) into.all.push(age);
          if (isUrgent) into.urgent.push(age);
        }
      }
      nextSample += 10 * MINUTE;
    }
  };

  const calls = new Map<Need, number>();
  const count = (need: Need, time: number) => {
    if (time >= reportFrom && time < end) calls.set(need, (calls.get(need) ?? 0) + 1);
  };
  /** Sends one call of `need` no earlier than `at`; returns when it was sent. */
  const call = (need: Need, at: number) => {
    const time = limiter.take(at);
    sampleTo(time);
    count(need, time);
    return time;
  };

  // Cards changed on the supplier side (paused or resumed), spread over the day.
  const changeEvery = options.changesPerDay > 0 ? DAY / options.changesPerDay : Infinity;
  let nextChange = start;
  const changeTo = (time: number) => {
    while (nextChange <= time) {
      const card = changeable[Math.floor(random() * changeable.length)]!;
      supplierStatus[card.id - 1] =
        supplierStatus[card.id - 1] === 'active' ? 'suspended' : 'active';
      changedSinceFeed.add(card.id);
      nextChange += changeEvery;
    }
  };
  const readStatus = (card: StoredCard, time: number) => {
    const now = supplierStatus[card.id - 1] as StoredCard['status'];
    if (now !== card.status) {
      card.status = now;
      card.statusChangedAt = time;
    }
    checks.get(card.id)!.statusCheckedAt = time;
  };

  // A fleet too large to list in one run is listed a share a run, from where the last stopped.
  const listingPages = Math.ceil(n / shape.pageSize);
  let listingCursor = 0;
  let listedAt = start - HOUR;

  let yesterdayCompleteAt: number | null = null;
  let dailyRunStart: number | null = null;
  let longestRunMs = 0;

  /**
   * One run of the default schedule, as planRun and runSlice make it; returns its end. A run
   * that a newer one takes the place of at `stopAt` starts no slice from then on (the one under
   * way ends as it is), saves no feed position and marks no day checked (`supersedeCovered`).
   */
  const run = (
    at: number,
    payload: { days?: number; month?: string },
    stopAt = Number.POSITIVE_INFINITY,
  ): number => {
    changeTo(at);
    let time = at;
    const runStart = at;
    const daily = payload.days !== 0;
    // Inventory: the daily run lists the fleet, or every run its share of a large one.
    let planningCalls = 0;
    if (adapter.capabilities.has('inventory')) {
      const perRun = listingPagesPerRun(listingPages, rate, share, at - listedAt);
      const pages =
        perRun === null
          ? daily
            ? listingPages
            : 0
          : Math.min(perRun, listingPages - listingCursor);
      for (let page = 0; page < pages; page += 1) time = call('inventory', time);
      planningCalls += pages;
      if (perRun !== null) listingCursor = (listingCursor + pages) % listingPages;
      listedAt = at;
    }
    // The change feed names the cards whose status changed since its last read.
    let statusCards: Set<number> | null = null;
    if (shape.feeds && feedAt !== null) {
      const pages = Math.max(1, Math.ceil(changedSinceFeed.size / shape.pageSize));
      for (let page = 0; page < pages; page += 1) time = call('feed', time);
      planningCalls += pages;
      statusCards = changedSinceFeed;
      changedSinceFeed = new Set();
    }
    const dailyBatch = batch('usage.daily');
    const days =
      has('usage.daily') && dailyBatch > 1
        ? lastCompleteDays(Math.min(payload.days ?? 7, shape.dailyWindow), at)
        : [];
    const finalDays = days.filter((day) => periodIsFinal(day, shape.revisionDays, at));
    const { fillOnly, toCheck } = usagePeriodsToAsk({
      days,
      finalDays,
      finalMonth: [],
      checked: checkedDays,
      full: false,
    });
    const newest = days.at(-1);
    if (daily && newest) dailyRunStart = at;
    const budgeted = budgetedNeeds(adapter, { days, month });
    const allotBesides = (reserved: number) =>
      runCallAllotments({
        ratePerSecond: rate,
        budgetShare: share,
        fleet: n,
        needs: budgeted,
        reserved,
      });
    const runAllot = allotBesides(dailyUsageCalls(adapter, { days, fillOnly }, n) + planningCalls);
    const urgentAllot = allotBesides(planningCalls);
    // The run's passes as planRun makes them: urgent statuses (one card a call), yesterday, the rest.
    const params: SyncPlanParams = {
      days,
      month,
      fillOnly,
      actor: 'bench',
      ...(statusCards ? { statusCards: [...statusCards] } : {}),
    };
    const passes: (SyncPass | 'all')[] = runPasses(adapter, params, {
      ratePerSecond: rate,
      budgetShare: share,
      fleet: n,
      startedAt: at,
    });
    const leadDays = params.leadDays ?? [];
    const sliceRun = (slice: StoredCard[], pass: SyncPass | 'all') => {
      const judgedAt = freshnessJudgedAt(runStart, time);
      const urgentOnly = pass === 'urgent' || pass === 'urgent-again';
      // A run that ended in its hour has no urgent status to read again (runSlice).
      if (pass === 'urgent-again' && judgedAt === runStart) return;
      for (const need of ['status', 'usage.daily', 'usage.monthly'] as const) {
        if (!has(need)) continue;
        // The statuses the feed named are read once for the run (runSlice's first slice).
        if (need === 'status' && statusCards) continue;
        const periods = (need === 'usage.daily' ? days : ['-']).filter((period) =>
          passReads(pass, need, period, leadDays),
        );
        if (periods.length === 0) continue;
        const budgetedNeed = budgeted.find((item) => item.need === need);
        let asked = urgentOnly ? slice.filter((card) => urgent.has(card.id)) : slice;
        if (budgetedNeed) {
          let allotment = cardAllotment(
            (urgentOnly ? urgentAllot : runAllot).get(need) ?? Number.POSITIVE_INFINITY,
            budgetedNeed.batchSize,
            slice.length,
            n,
          );
          if (pass === 'rest' && need === 'status' && passes.includes('urgent'))
            allotment = Math.max(
              0,
              allotment -
                slice.filter((card) => (checks.get(card.id)!.statusCheckedAt ?? -1) >= judgedAt)
                  .length,
            );
          asked = pollFirst(
            need,
            asked,
            checks,
            judgedAt,
            allotment,
            urgent,
            Math.min(
              urgentOnly ? URGENT_FRESH_FOR_MS : Number.POSITIVE_INFINITY,
              freshForMs(budgetedNeed, judgedAt),
            ),
            budgetedNeed.batchSize,
          ).asked;
        }
        for (const period of periods) {
          // Filled periods: every card already has its figure (none new in this fleet).
          if (fillOnly.includes(period)) continue;
          const size = batch(need);
          const cardsOf =
            need === 'status' ? asked : asked.filter((card) => couldUse(card, period));
          for (let offset = 0; offset < cardsOf.length; offset += size) {
            time = call(need, time);
            const group = cardsOf.slice(offset, offset + size);
            if (need === 'status') for (const card of group) readStatus(card, time);
            if (need === 'usage.monthly')
              for (const card of group) checks.get(card.id)!.usageCheckedAt = time;
            if (need === 'usage.daily' && period === newest && daily) yesterdayCompleteAt = time;
          }
        }
      }
    };
    if (statusCards && has('status')) {
      const named = [...statusCards].sort((a, b) => a - b).map((id) => cards[id - 1]!);
      for (let offset = 0; offset < named.length; offset += batch('status')) {
        time = call('status', time);
        for (const card of named.slice(offset, offset + batch('status'))) readStatus(card, time);
      }
      // The named statuses stored, the feed position moves to the run's start (runSlice).
      feedAt = runStart;
    }
    const work = (passes.length > 0 ? passes : ['all' as const]).flatMap((pass) =>
      slices.map((slice) => [slice, pass] as const),
    );
    let superseded = false;
    for (const [slice, pass] of work) {
      superseded = time >= stopAt;
      if (superseded) break;
      sliceRun(slice, pass);
    }
    if (!superseded) {
      for (const day of toCheck) checkedDays.add(day);
      if (shape.feeds) feedAt = runStart;
    }
    longestRunMs = Math.max(longestRunMs, time - at);
    return time;
  };

  // The default schedule's occurrences over the simulated days.
  const entries = defaultScheduleEntries();
  const occurrences: { at: number; key: string; payload: { days?: number; month?: string } }[] = [];
  for (const entry of entries) {
    let last: string | null = null;
    for (let time = start; time < end; time += MINUTE) {
      const occurrence = latestOccurrence(entry, time);
      if (occurrence.at < start || occurrence.period === last) continue;
      last = occurrence.period;
      occurrences.push({
        at: occurrence.at,
        key: entry.key ?? entry.name,
        payload: entry.payload as never,
      });
    }
  }
  occurrences.sort((a, b) => a.at - b.at);
  // Runs one after another, as the sync job decides (`resumableRun`, then `planSync` and its
  // `supersedeCovered`): a run due while another runs is taken up by it when that one reads all
  // it asks (an hourly run during the daily one, or the daily one where the supplier has no
  // batch daily usage, so that its plan has no days either); otherwise, the daily run with days
  // during an hourly one, it is planned and takes the running one's place, which starts no
  // slice after that.
  const plansDays = (payload: { days?: number }) =>
    payload.days !== 0 && has('usage.daily') && batch('usage.daily') > 1;
  let busyUntil = start;
  let runningDays = false;
  for (const [index, occurrence] of occurrences.entries()) {
    const days = plansDays(occurrence.payload);
    const covered = occurrence.at < busyUntil && (!days || runningDays);
    if (covered) continue;
    const at = Math.max(occurrence.at, busyUntil);
    runningDays = days;
    const takenOver = days
      ? undefined
      : occurrences
          .slice(index + 1)
          .find(
            (next) => plansDays(next.payload) && next.payload.month === occurrence.payload.month,
          )?.at;
    busyUntil = run(at, occurrence.payload, takenOver);
    options.log?.(
      `${options.supplier} ${new Date(at + 8 * HOUR).toISOString().slice(5, 16)} CST ${occurrence.key}: ${Math.round((busyUntil - at) / MINUTE)} min`,
    );
  }
  sampleTo(end);

  // The minimum for the information asked, per day: statuses of every card that can change
  // each hour (1 h target) in batches, or the feed once an hour and the cards it names;
  // monthly usage of every growing card each 6 h; the revision window's days of daily usage;
  // the fleet listed once. One card a call: what the budget allots, at most the target's need.
  const minimum = new Map<Need, number>();
  const reads = (need: 'status' | 'usage.monthly') => DAY / DEFAULT_TARGETS_MS[need];
  const dayBudget = rate * 86_400 * share;
  const budgetFor = (need: SliceNeed) => ((runAllot24.get(need) ?? 0) * DAY) / RUN_INTERVAL_MS;
  const runAllot24 = allotments;
  if (adapter.capabilities.has('inventory'))
    minimum.set('inventory', Math.ceil(n / shape.pageSize));
  if (shape.feeds) {
    minimum.set('feed', 24 * Math.max(1, Math.ceil(options.changesPerDay / 24 / shape.pageSize)));
  }
  if (has('status')) {
    const needed = shape.feeds
      ? 24 * Math.ceil(options.changesPerDay / 24 / batch('status'))
      : Math.ceil(changeable.length / batch('status')) * reads('status');
    minimum.set('status', Math.min(needed, Math.floor(budgetFor('status'))));
  }
  if (has('usage.monthly')) {
    const needed = Math.ceil(growing.length / batch('usage.monthly')) * reads('usage.monthly');
    minimum.set('usage.monthly', Math.min(needed, Math.floor(budgetFor('usage.monthly'))));
  }
  if (has('usage.daily') && batch('usage.daily') > 1)
    // Cards deactivated before a day have no usage that day: not asked (sync.ts couldUse).
    minimum.set(
      'usage.daily',
      shape.revisionDays * Math.ceil(changeable.length / batch('usage.daily')),
    );
  void dayBudget;
  return {
    supplier: options.supplier,
    rate,
    cards: n,
    calls,
    minimum,
    peakPerSecond: limiter.peak,
    secondsOver: limiter.secondsOver,
    yesterdayCompleteAt:
      yesterdayCompleteAt === null
        ? null
        : yesterdayCompleteAt - cstStartOfDay(cstDate(yesterdayCompleteAt)),
    dailyRunStart:
      dailyRunStart === null ? null : dailyRunStart - cstStartOfDay(cstDate(dailyRunStart)),
    staleness,
    longestRunMs,
    seconds: (performance.now() - began) / 1000,
  };
}

/** A small seeded generator, so a run is repeatable. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function percentile(values: number[], share: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

/** A share in per cent: whole, or to a tenth where rounding would hide a miss (99.6 is not 100). */
function percentText(part: number, whole: number): string {
  const percent = (100 * part) / whole;
  return part === whole || percent < 99 ? percent.toFixed(0) : percent.toFixed(1);
}

function duration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < HOUR) return `${Math.round(ms / MINUTE)} min`;
  if (ms < 2 * DAY) return `${(ms / HOUR).toFixed(1)} h`;
  return `${(ms / DAY).toFixed(1)} d`;
}

function clockTime(ms: number | null): string {
  if (ms === null) return '–';
  const minutes = Math.round(ms / MINUTE);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

const NEED_ORDER: Need[] = ['inventory', 'feed', 'status', 'usage.daily', 'usage.monthly'];

function rows(result: DayResult): string[] {
  const lines: string[] = [];
  let total = 0;
  let totalMinimum = 0;
  for (const need of NEED_ORDER) {
    const calls = result.calls.get(need) ?? 0;
    const minimum = result.minimum.get(need);
    if (minimum === undefined && calls === 0) continue;
    total += calls;
    totalMinimum += minimum ?? 0;
    const stale =
      need === 'status' || need === 'usage.monthly' ? result.staleness.get(need) : undefined;
    const target = need === 'status' || need === 'usage.monthly' ? DEFAULT_TARGETS_MS[need] : null;
    const within = (values: number[]) =>
      target === null || values.length === 0
        ? '–'
        : `${percentText(values.filter((age) => age <= target).length, values.length)} %`;
    lines.push(
      `| ${result.supplier} | ${need} | ${Math.round(calls / 24).toLocaleString('en')} | ${minimum === undefined ? '–' : Math.round(minimum / 24).toLocaleString('en')} | ${minimum ? (calls / minimum).toFixed(2) : '–'} | ${stale ? `${duration(percentile(stale.all, 0.5))} / ${duration(percentile(stale.all, 0.99))} (${within(stale.all)})` : '–'} | ${stale?.urgent.length ? `${duration(percentile(stale.urgent, 0.5))} / ${duration(percentile(stale.urgent, 0.99))}${need === 'status' ? ` / ${duration(stale.urgent.reduce((most, age) => Math.max(most, age), 0))}` : ''} (${within(stale.urgent)})` : '–'} |`,
    );
  }
  lines.push(
    `| ${result.supplier} | **day** | ${Math.round(total / 24).toLocaleString('en')} | ${Math.round(totalMinimum / 24).toLocaleString('en')} | **${totalMinimum ? (total / totalMinimum).toFixed(2) : '–'}** | peak ${result.peakPerSecond} calls/s of ${result.rate}, ${result.secondsOver} s over | yesterday's usage complete ${clockTime(result.yesterdayCompleteAt)}${result.dailyRunStart !== null ? ` (run from ${clockTime(result.dailyRunStart)})` : ''}; longest run ${duration(result.longestRunMs)} |`,
  );
  return lines;
}

/**
 * `npm run bench -- day [--cards 1000000] [--supplier onelink-v2] [--days 2] [--near-quota 0.01]
 * [--changes 2000] [--rate 5] [--all-active]`: each supplier type's account through simulated
 * days of the default schedule, the planner choosing every run's calls; figures of the last day.
 */
export async function benchDay(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cards: { type: 'string', default: '1000000' },
      supplier: { type: 'string' },
      days: { type: 'string', default: '2' },
      'near-quota': { type: 'string', default: '0.01' },
      changes: { type: 'string', default: '2000' },
      rate: { type: 'string' },
      'all-active': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const cards = Number(values.cards);
  const days = Number(values.days);
  const nearQuota = Number(values['near-quota']);
  const changesPerDay = Number(values.changes);
  const suppliers = values.supplier ? [values.supplier] : createSupplierCatalog().types();
  const results: DayResult[] = [];
  for (const supplier of suppliers) {
    const result = await simulateDay({
      supplier,
      cards,
      days,
      nearQuota,
      changesPerDay,
      ...(values.rate ? { rate: Number(values.rate) } : {}),
      ...(values['all-active'] ? { allActive: true } : {}),
      ...(values.verbose ? { log: console.log } : {}),
    });
    results.push(result);
    for (const line of rows(result)) console.log(line);
    console.log(`(${result.seconds.toFixed(0)} s)`);
  }
  if (values.supplier || values.rate || values['all-active']) return;
  const command = `npm run bench -- day --cards ${cards}`;
  const rates = suppliers
    .map(
      (supplier) =>
        `${supplier} ${DAY_RATES[supplier]?.rate ?? 5}/s — ${DAY_RATES[supplier]?.source ?? 'guess'}`,
    )
    .join('; ');
  writeSection(
    `day-${cards}`,
    `## A simulated day of the default schedule, ${cards.toLocaleString('en')} cards per supplier type

Command: \`${command}\` — machine: ${machine()}; ${results.reduce((sum, result) => sum + result.seconds, 0).toFixed(0)} s in all.

Each supplier type's account holds ${cards.toLocaleString('en')} cards (statuses cycling active,
active, active, suspended, inventory, test, deactivated; ${(nearQuota * 100).toFixed(0)} % of the
cards that can change at 80 % of their quota or more; ${changesPerDay.toLocaleString('en')} cards
paused or resumed on the supplier side a day) and goes through ${days} simulated days of the
default schedule (src/jobs/scheduler.ts: hourly \`days: 0\`, daily usage at 09:30 CST) from
2026-11-10, on a manual clock. Every run's calls are chosen by the planner's own functions, slice
by slice as sync.ts cuts them (sliceCutter, runPasses and passReads: urgent statuses first where
they are one card a call, then yesterday's usage, then the rest; listingPagesPerRun,
budgetedNeeds, runCallAllotments, cardAllotment, pollFirst with freshForMs and freshnessJudgedAt,
usagePeriodsToAsk, couldUse), from each supplier's adapter as built on its in-process simulator
(capabilities, batch and page sizes, change feed, windows); the calls themselves are counted, not
sent (a million cards' answers through HTTP every hour would take the machine the day), each one
timed at the account's rate limit as the shared limiter spaces scheduled work while no operator
call is made (operator calls would hold it to its schedule share, ${DEFAULT_BUDGET_SHARE * 100} %, which also
bounds what the planner plans for a day). The fleet starts warm: every card read once, spread over
the cycle the budget allows. A run due while another runs is taken up by it when that one reads
all it asks, and otherwise takes its place (the 09:30 run with daily usage during an hourly run:
the hourly run starts no slice after 09:30), as the sync job decides. Operator calls, pushes (M2M
notices, Quectel callbacks), access-token calls and new cards are left out. Figures are of the
last day.

Rate limits: ${rates}.

Minimum for the information asked, per day: statuses of every card that can change each hour in
batches (1 h target), or the change feed once an hour and the cards it names; monthly usage of
every card whose usage grows every 6 h; the revision window's days of daily usage (2) for every
card not deactivated before the day; the fleet listed once. Where a need is asked one card (or ten) a call and the budget cannot hold the target,
the minimum is the budget's allotment to that need (the achievable freshness is then reported).
Staleness p50 / p99 (share within target) over samples every 10 minutes of the day: all cards
whose figure can change, and those near their quota.

| supplier | need | calls per hour | minimum per hour | ratio | staleness p50 / p99 (within target) | near quota: p50 / p99, status also max (within target) |
|---|---|---|---|---|---|---|
${results.flatMap(rows).join('\n')}`,
  );
}
