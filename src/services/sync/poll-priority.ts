import type { CardChecks, StoredCard } from '../../store/index.js';
import type { SliceNeed } from './sync-phases.js';

const HOUR = 3_600_000;

/** A card read or pushed this recently is fresh: an hourly run does not ask it again. */
export const FRESH_FOR_MS = 30 * 60_000;
/** A status change this recent makes the card more urgent: it may still be settling (pending). */
export const RECENT_CHANGE_MS = 24 * HOUR;
/** How much staler a card with a recent status change counts (polled about that much sooner). */
export const RECENT_CHANGE_BONUS_MS = 6 * HOUR;
/** Scheduled runs a day the budget is spread over (the default schedule: hourly). */
export const RUNS_PER_DAY = 24;

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
 * it stopped), what was read or pushed in the last half hour is fresh; then the `urgent` cards
 * (near their quota, or matched by a rule that may fire: `urgentCards`), then the rest; each
 * group by staleness, never-read first, a card whose status changed in the last day (pending,
 * settling) counting six hours staler. At most `allotment` cards.
 */
export function pollFirst(
  need: SliceNeed,
  cards: StoredCard[],
  checks: Map<number, CardChecks>,
  now: number,
  allotment: number,
  urgent: ReadonlySet<number> = new Set(),
): { asked: StoredCard[]; skipped: number; deferred: number } {
  const checkedAt = (card: StoredCard) => {
    const check = checks.get(card.id);
    return (need === 'status' ? check?.statusCheckedAt : check?.usageCheckedAt) ?? null;
  };
  const candidates = cards.filter((card) => {
    const at = checkedAt(card);
    if (at !== null && now - at < FRESH_FOR_MS) return false;
    if (need === 'status') return !(card.status === 'deactivated' && at !== null);
    // Usage stops growing when the card stops: one read after that is the last one needed.
    const stopped = card.status === 'deactivated' || card.status === 'suspended';
    return !(stopped && at !== null && at >= (card.statusChangedAt ?? 0));
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
  return {
    asked,
    skipped: cards.length - candidates.length,
    deferred: candidates.length - asked.length,
  };
}
