import type { CstDate } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { BillingCycle } from '../plans/plans-cycle.js';

/** A card's stored usage: bytes per CST day and per CST month. Absent means unknown. */
export interface CardUsage {
  daily: Map<CstDate, number>;
  monthly: Map<string, number>;
}

/** Loads the daily rows from `fromDate` and the monthly rows from `fromMonth` of many cards. */
export async function loadUsage(
  store: Store,
  cardIds: readonly number[],
  range: { fromDate: CstDate; fromMonth: string },
): Promise<Map<number, CardUsage>> {
  const result = new Map<number, CardUsage>();
  const of = (cardId: number) => {
    let usage = result.get(cardId);
    if (!usage) {
      usage = { daily: new Map(), monthly: new Map() };
      result.set(cardId, usage);
    }
    return usage;
  };
  const rows = await store.usage.since(cardIds, range);
  for (const row of rows.daily) of(row.cardId).daily.set(row.date, row.bytes);
  for (const row of rows.monthly) of(row.cardId).monthly.set(row.month, row.bytes);
  return result;
}

/**
 * Bytes a card used in a cycle up to `today`: the sum of its known days, or, when the cycle is the
 * supplier's own (`supplierStartDay`: the calendar month for most, China Unicom's 27th to 26th),
 * the supplier's figure for it when that is larger (it also covers days not pulled daily).
 * Null when neither is known.
 */
export function cycleUsageBytes(
  usage: CardUsage | undefined,
  cycle: BillingCycle,
  today: CstDate,
  supplierStartDay = 1,
): number | null {
  if (!usage) return null;
  const last = cycle.end < today ? cycle.end : today;
  let daySum: number | null = null;
  for (const [date, bytes] of usage.daily) {
    if (date >= cycle.start && date <= last) daySum = (daySum ?? 0) + bytes;
  }
  // The supplier's monthly rows are labelled by billing month (the month its cycle ends in).
  const month = cycle.startDay === supplierStartDay ? usage.monthly.get(cycle.month) : undefined;
  if (month === undefined) return daySum;
  return Math.max(month, daySum ?? 0);
}

/** The median of numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
