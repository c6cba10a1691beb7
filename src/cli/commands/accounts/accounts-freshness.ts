import type { ServiceContext } from '../../../services/context.js';
import { formatTargetDuration } from '../../../services/sync/freshness-targets.js';
import {
  type AccountFreshness,
  accountFreshness,
  type NeedFreshness,
  targetUnreachable,
} from '../../../services/sync/sync-freshness.js';

/** A staleness for people: 42 s, 17 min, 3.5 h, 2.1 d; `-` when none. */
export function staleness(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/** `98%`: whole percent, floored so 99.6 % is not shown as 100 % (1e-9: 0.29 × 100 < 29). */
export function share(value: number): string {
  return `${Math.floor(value * 100 + 1e-9)}%`;
}

/** One need in a table cell: `status 98% ≤1h`. */
export function needCell(need: NeedFreshness): string {
  return `${need.need} ${share(need.withinTarget)} ≤${formatTargetDuration(need.targetMs)}`;
}

/** What simdock says when the call budget cannot hold a need's target. */
export function budgetNote(need: NeedFreshness, rateLimit: number): string | null {
  if (!targetUnreachable(need)) return null;
  // Within one run's interval the budget is not what limits it: the hourly schedule is.
  if (need.achievableMs! <= 3_600_000) {
    return `the hourly schedule holds ≈ 1h; target ${formatTargetDuration(need.targetMs)} not reachable`;
  }
  return (
    `budget holds ≈ ${formatTargetDuration(need.achievableMs!)}; ` +
    `target ${formatTargetDuration(need.targetMs)} not reachable at ${rateLimit} calls/s`
  );
}

/**
 * The freshness of an enabled account, or why it has none: a disabled account (or one whose
 * supplier cannot be set up) has no supplier limits to measure against.
 */
export async function freshnessOrProblem(
  context: ServiceContext,
  account: { id: string; enabled: boolean },
): Promise<{ freshness: AccountFreshness | null; problem: string | null }> {
  if (!account.enabled) return { freshness: null, problem: 'disabled' };
  try {
    return { freshness: await accountFreshness(context, account.id), problem: null };
  } catch (error) {
    return { freshness: null, problem: (error as Error).message };
  }
}
