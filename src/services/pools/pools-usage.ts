import { addDays, type CstDate, cstToday, lastCompleteDays } from '../../domain/index.js';
import { PoolsRepository, type StoredPool } from '../../store/repositories/pools-repository.js';
import { type AccountCycleDay, accountCycleDay } from '../billing/card-cycles.js';
import type { ServiceContext } from '../context.js';
import { billingCycleOf } from '../plans/plans-cycle.js';
import { cycleUsageBytes, loadUsage } from '../rules/rules-usage.js';

/** Days of history the run-out forecast averages over. */
export const FORECAST_DAYS = 7;

/** A pool's use of its quota this cycle and when it runs out at the current rate. */
export interface PoolUsage {
  pool: StoredPool;
  /** The cycle counted: the pool's start day, or its account's billing cycle when that is 1. */
  cycle: { start: CstDate; end: CstDate; startDay: number };
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
 * The day a pool's cycle starts: the pool's own when it names another day than 1, else its
 * account's billing cycle (China Unicom: 27), else the calendar month.
 */
export function poolCycleStartDay(pool: StoredPool, accountDay?: AccountCycleDay): number {
  return pool.cycleStartDay !== 1 ? pool.cycleStartDay : (accountDay?.startDay ?? 1);
}

/**
 * Pool usage = the sum of the members' usage this cycle (`poolCycleStartDay`); the forecast
 * divides what is left by the mean daily usage of the last 7 complete CST days.
 */
export function computePoolUsage(
  pool: StoredPool,
  memberIds: readonly number[],
  usage: Awaited<ReturnType<typeof loadUsage>>,
  now: number,
  accountDay?: AccountCycleDay,
): PoolUsage {
  const today = cstToday(now);
  const cycle = billingCycleOf(today, poolCycleStartDay(pool, accountDay));
  const supplierStartDay = accountDay?.supplierStartDay ?? 1;
  const window = lastCompleteDays(FORECAST_DAYS, now);
  let used: number | null = null;
  let membersWithUsage = 0;
  let windowBytes = 0;
  let windowKnown = false;
  for (const cardId of memberIds) {
    const card = usage.get(cardId);
    const bytes = cycleUsageBytes(card, cycle, today, supplierStartDay);
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
    cycle: { start: cycle.start, end: cycle.end, startDay: cycle.startDay },
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
  const accountDay = pool.account ? await accountCycleDay(context, pool.account) : undefined;
  const cycle = billingCycleOf(today, poolCycleStartDay(pool, accountDay));
  // CST dates compare as text: the earlier of the forecast window and the cycle start.
  const fromDate = [addDays(today, -FORECAST_DAYS), cycle.start].sort()[0]!;
  const usage = await loadUsage(context.store, memberIds, {
    fromDate,
    fromMonth: cycle.start.slice(0, 7),
  });
  return computePoolUsage(pool, memberIds, usage, now, accountDay);
}
