import type { CardChecks, StoredCard } from '../../store/index.js';
import { DEFAULT_TARGETS_MS, type FreshnessTargetsMs } from './freshness-targets.js';
import type { SliceNeed } from './sync-phases.js';

const HOUR = 3_600_000;

/** A card read or pushed this recently is fresh: an hourly run does not ask it again. */
export const FRESH_FOR_MS = 30 * 60_000;
/**
 * What a run's urgent pass leaves alone: urgent statuses read this recently. Shorter than
 * `FRESH_FOR_MS`: a daily run starting late in the hour (09:41 after a 41-minute hourly run) goes
 * on past the hour and stands in for the next run, whose urgent pass it then does not make.
 */
export const URGENT_FRESH_FOR_MS = 15 * 60_000;
/** A status change this recent makes the card more urgent: it may still be settling (pending). */
export const RECENT_CHANGE_MS = 24 * HOUR;
/** How much staler a card with a recent status change counts (polled about that much sooner). */
export const RECENT_CHANGE_BONUS_MS = 6 * HOUR;
/** Scheduled runs a day the budget is spread over (the default schedule: hourly). */
export const RUNS_PER_DAY = 24;
/** The share of its hour's budget a run plans, so that it ends before the next one is due. */
export const RUN_HEADROOM = 0.9;
/** The time between two scheduled runs. */
export const RUN_INTERVAL_MS = 86_400_000 / RUNS_PER_DAY;

/** A need the schedule polls card by card or batch by batch: its batch size and fleet. */
export interface BudgetedNeed {
  need: SliceNeed;
  /** Cards per call (1: one card a call). */
  batchSize: number;
}

/**
 * How old a card's last read must be, at a run started at `runStart`, for the run to ask it
 * again: read in this run's scheduled hour, it is fresh (a run retried or started by hand soon
 * after another asks nothing twice); for a need whose target is longer than a run interval, read
 * within the target less one interval, it is fresh too, so a run asks a card only when waiting
 * for the next run would leave it staler than its target: statuses (1 h) every run, monthly
 * usage (6 h) every sixth run — the fewest calls the target allows. A need without a target
 * (daily usage asked card by card): `FRESH_FOR_MS`.
 */
export function freshForMs(
  need: BudgetedNeed,
  runStart: number,
  targets: FreshnessTargetsMs = DEFAULT_TARGETS_MS,
): number {
  const target = (targets as Record<string, number | undefined>)[need.need];
  if (target === undefined) return FRESH_FOR_MS;
  // Milliseconds are whole: a read at the hour's first instant is in the hour.
  const sinceHour = runStart - Math.floor(runStart / RUN_INTERVAL_MS) * RUN_INTERVAL_MS + 1;
  return Math.max(sinceHour, target - RUN_INTERVAL_MS);
}

/**
 * The time a slice judges freshness as of: the run's start, or the start of the current hour
 * once the run has gone on past it. A run that outlasts its hour stands in for the next hourly
 * run (which takes the running one up), so a card read in the hour before is read again by it
 * instead of waiting for the run after (the daily run of 1,000,000 China Telecom 5G cards,
 * yesterday's usage first, reads statuses after the hour).
 */
export function freshnessJudgedAt(runStart: number, now: number): number {
  return Math.max(runStart, Math.floor(now / RUN_INTERVAL_MS) * RUN_INTERVAL_MS);
}

/**
 * How many pages of the fleet listing a run lists: null for all of them at once, where that
 * takes no more than a tenth of a run's hour at the schedule's rate (or there is no rate limit);
 * else the share of the day since the last run listed (an hourly run 1/24), each run going on
 * where the last stopped, so the fleet is still listed once a day but no run spends hours on it
 * (1,000,000 China Unicom cards are 20,000 pages: 83 minutes at 4 calls/s, during which no
 * status was read).
 */
export function listingPagesPerRun(
  pages: number,
  ratePerSecond: number,
  budgetShare: number,
  sinceLastMs: number = RUN_INTERVAL_MS,
): number | null {
  if (ratePerSecond <= 0) return null;
  const tenthOfRun = (0.1 * ratePerSecond * budgetShare * RUN_INTERVAL_MS) / 1000;
  if (pages <= tenthOfRun) return null;
  const day = RUNS_PER_DAY * RUN_INTERVAL_MS;
  return Math.max(1, Math.ceil((pages * Math.min(day, sinceLastMs)) / day));
}

/**
 * Calls a run may make per need, out of its share of the day's budget (rate × 86,400 s × share
 * ÷ runs a day). A need whose whole fleet at its target costs less than an even share (with a
 * quarter more, for partly filled batches) is not bounded (Infinity) and that cost is set aside;
 * the rest is shared evenly by the others, which then poll stalest-first inside it. Infinity for
 * every need without a rate limit.
 */
export function runCallAllotments(options: {
  ratePerSecond: number;
  budgetShare: number;
  fleet: number;
  needs: BudgetedNeed[];
  /** Calls this run makes besides (a daily run's usage days), taken from its share first. */
  reserved?: number;
  /** The account's freshness targets (default: `DEFAULT_TARGETS_MS`). */
  targets?: FreshnessTargetsMs;
}): Map<SliceNeed, number> {
  const allotments = new Map<SliceNeed, number>();
  if (options.ratePerSecond <= 0) {
    for (const { need } of options.needs) allotments.set(need, Number.POSITIVE_INFINITY);
    return allotments;
  }
  // A run planned to the last call of its hour would start the next one late: a tenth is kept.
  let budget = Math.max(
    0,
    (RUN_HEADROOM * options.ratePerSecond * 86_400 * options.budgetShare) / RUNS_PER_DAY -
      (options.reserved ?? 0),
  );
  const demand = (need: BudgetedNeed) => {
    const targets: Record<string, number | undefined> = options.targets ?? DEFAULT_TARGETS_MS;
    const target = targets[need.need];
    const runsPerRead = target === undefined ? 1 : Math.max(1, target / RUN_INTERVAL_MS);
    return (1.25 * Math.ceil(options.fleet / Math.max(1, need.batchSize))) / runsPerRead;
  };
  const byDemand = [...options.needs].sort((a, b) => demand(a) - demand(b));
  byDemand.forEach((need, index) => {
    const even = budget / (byDemand.length - index);
    const wanted = demand(need);
    // A need the budget holds at its target is not bounded: its batches stay full.
    allotments.set(need.need, wanted <= even ? Number.POSITIVE_INFINITY : even);
    budget -= Math.min(wanted, even);
  });
  return allotments;
}

/**
 * The cards of a page of `cards` (of a fleet of `fleet`) a run may ask for a need allotted
 * `calls` calls a run: at least one batch.
 */
export function cardAllotment(calls: number, batchSize: number, cards: number, fleet: number) {
  if (!Number.isFinite(calls)) return Number.POSITIVE_INFINITY;
  const size = Math.max(1, batchSize);
  return Math.max(size, Math.floor((calls * size * cards) / Math.max(1, fleet)));
}

/**
 * How many one-card-per-call requests of one need this run may make for `cards` cards of an
 * account of `fleet` cards: its share of the day's budget (rate × 86,400 s × share) spread over
 * the day's runs and the needs asking one card a call. Infinity without a rate limit.
 */
export function runAllotment(options: {
  ratePerSecond: number;
  budgetShare: number;
  perCardNeeds: number;
  cards: number;
  fleet: number;
}): number {
  if (options.ratePerSecond <= 0) return Number.POSITIVE_INFINITY;
  const day = options.ratePerSecond * 86_400 * options.budgetShare;
  const perRun = day / RUNS_PER_DAY / Math.max(1, options.perCardNeeds);
  return Math.max(1, Math.floor((perRun * options.cards) / Math.max(1, options.fleet)));
}

/**
 * Which cards a one-card-per-call need asks this run, most urgent first: what cannot change is
 * left alone (a deactivated card's status and usage, a suspended card's usage once read after
 * it stopped), what was read or pushed in the last `freshFor` ms (half an hour unless the caller
 * says: see `freshForMs`) is fresh; then the `urgent` cards
 * (near their quota, or matched by a rule that may fire: `urgentCards`), then the rest; each
 * group by staleness, never-read first, a card whose status changed in the last day (pending,
 * settling) counting six hours staler. At most `allotment` cards. Asked in batches of
 * `batchSize`, a last batch the due cards leave part empty is filled with the stalest fresh
 * cards (when the allotment allows every due card).
 */
export function pollFirst(
  need: SliceNeed,
  cards: StoredCard[],
  checks: Map<number, CardChecks>,
  now: number,
  allotment: number,
  urgent: ReadonlySet<number> = new Set(),
  freshFor: number = FRESH_FOR_MS,
  batchSize = 1,
): { asked: StoredCard[]; skipped: number; deferred: number } {
  const canChange = (card: StoredCard, at: number | null) => {
    if (need === 'status') return !(card.status === 'deactivated' && at !== null);
    // Usage stops growing when the card stops: one read after that is the last one needed.
    const stopped = card.status === 'deactivated' || card.status === 'suspended';
    return !(stopped && at !== null && at >= (card.statusChangedAt ?? 0));
  };
  const checkedAt = (card: StoredCard) => {
    const check = checks.get(card.id);
    return (need === 'status' ? check?.statusCheckedAt : check?.usageCheckedAt) ?? null;
  };
  /** Fresh cards that can still change: what fills a batch the due cards leave part empty. */
  const fresh: StoredCard[] = [];
  const candidates = cards.filter((card) => {
    const at = checkedAt(card);
    if (at !== null && now - at < freshFor) {
      if (batchSize > 1 && canChange(card, at)) fresh.push(card);
      return false;
    }
    return canChange(card, at);
  });
  const recent = (card: StoredCard) =>
    card.statusChangedAt !== null && now - card.statusChangedAt < RECENT_CHANGE_MS;
  // Urgency is staleness: never read first, then the oldest read, a recent change counting
  // as RECENT_CHANGE_BONUS_MS older.
  const key = (card: StoredCard) =>
    (checkedAt(card) ?? Number.NEGATIVE_INFINITY) - (recent(card) ? RECENT_CHANGE_BONUS_MS : 0);
  const first = (card: StoredCard) => (urgent.has(card.id) ? 0 : 1);
  candidates.sort((a, b) => first(a) - first(b) || key(a) - key(b) || a.id - b.id);
  const asked = candidates.slice(0, Number.isFinite(allotment) ? allotment : undefined);
  const partial = asked.length % batchSize;
  if (asked.length === candidates.length && partial > 0 && fresh.length > 0) {
    // The last batch is sent anyway: the stalest fresh cards fill it, at no extra call. Read a
    // little early, they fall due with the others from then on, so the due cards of a run come
    // to fill whole batches.
    fresh.sort((a, b) => key(a) - key(b) || a.id - b.id);
    asked.push(...fresh.slice(0, batchSize - partial));
  }
  return {
    asked,
    skipped: cards.length - candidates.length,
    deferred: candidates.length - asked.length,
  };
}
