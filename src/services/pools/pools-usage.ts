import { addDays, type CstDate, cstToday, lastCompleteDays } from '../../domain/index.js';
import { PoolsRepository, type StoredPool } from '../../store/repositories/pools-repository.js';
import type { ServiceContext } from '../context.js';
import { billingCycleOf } from '../plans/plans-cycle.js';
import { cycleUsageBytes, loadUsage } from '../rules/rules-usage.js';

/** Days of history the run-out forecast averages over. */
export const FORECAST_DAYS = 7;

/** A pool's use of its quota this cycle and when it runs out at the current rate. */
export interface PoolUsage {
  pool: StoredPool;
  cycle: { start: CstDate; end: CstDate };
  members: number;
  /** Members whose usage this cycle is known. */
  membersWithUsage: number;
  /** The sum of the members' usage this cycle; null when no member's usage is known. */
  usedBytes: number | null;
  /** quota − used (negative once over); null when the quota or the usage is unknown. */
  remainingBytes: number | null;
  /** Used as a share of the quota (100 = all of it); null when either is unknown. */
  percentUsed: number | null;
  /** Mean bytes per day over the last 7 complete CST days; null when no member has those days. */
  dailyRateBytes: number | null;
  /** The CST date the quota runs out at that rate; null when the rate is 0 or unknown. */
  runOutOn: CstDate | null;
}

/**
 * Pool usage = the sum of the members' usage this cycle (the pool's cycle start day); the
 * forecast divides what is left by the mean daily usage of the last 7 complete CST days.
 */
export function computePoolUsage(
  pool: StoredPool,
  memberIds: readonly number[],
  usage: Awaited<ReturnType<typeof loadUsage>>,
  now: number,
): PoolUsage {
  const today = cstToday(now);
  const cycle = billingCycleOf(today, pool.cycleStartDay);
  const window = lastCompleteDays(FORECAST_DAYS, now);
  let used: number | null = null;
  let membersWithUsage = 0;
  let windowBytes = 0;
  let windowKnown = false;
  for (const cardId of memberIds) {
    const card = usage.get(cardId);
    const bytes = cycleUsageBytes(card, cycle, today);
    if (bytes !== null) {
      used = (used ?? 0) + bytes;
      membersWithUsage += 1;
    }
    for (const date of window) {
      const day = card?.daily.get(date);
      if (day !== undefined) {
        windowBytes += day;
        windowKnown = true;
      }
    }
  }
  const quota = pool.quotaBytes;
  const remaining = quota !== null && used !== null ? quota - used : null;
  const rate = windowKnown ? windowBytes / FORECAST_DAYS : null;
  let runOutOn: CstDate | null = null;
  if (remaining !== null && remaining <= 0) runOutOn = today;
  else if (remaining !== null && rate) runOutOn = addDays(today, Math.ceil(remaining / rate));
  return {
    pool,
    cycle: { start: cycle.start, end: cycle.end },
    members: memberIds.length,
    membersWithUsage,
    usedBytes: used,
    remainingBytes: remaining,
    percentUsed: quota && used !== null ? Math.round((used / quota) * 10_000) / 100 : null,
    dailyRateBytes: rate === null ? null : Math.round(rate),
    runOutOn,
  };
}

/** Loads a pool's members and usage and computes `PoolUsage`. */
export async function poolUsage(context: ServiceContext, poolIdOrName: number | string) {
  const pools = new PoolsRepository(context.store, () => context.clock.now());
  const pool = await pools.require(poolIdOrName);
  const memberIds = await pools.cardIds(pool.id);
  const now = context.clock.now();
  const today = cstToday(now);
  const cycle = billingCycleOf(today, pool.cycleStartDay);
  // CST dates compare as text: the earlier of the forecast window and the cycle start.
  const fromDate = [addDays(today, -FORECAST_DAYS), cycle.start].sort()[0]!;
  const usage = await loadUsage(context.store, memberIds, {
    fromDate,
    fromMonth: cycle.start.slice(0, 7),
  });
  return computePoolUsage(pool, memberIds, usage, now);
}
