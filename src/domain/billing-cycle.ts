import {
  addDays,
  addMonths,
  type CstDate,
  type CstMonth,
  cstDate,
  cstStartOfDay,
  daysInMonth,
} from './cst.js';

/**
 * A supplier billing cycle: the "month" a card's usage, quota and pool figures count in. Most
 * suppliers bill by the calendar month (start day 1); China Unicom bills from the 27th to the 26th
 * (`cn-carriers-notes.md`: 上月27号 - 本月26号). Dates are CST, both ends included.
 */
export interface BillingCycle {
  /** The cycle's first date (a stable key). */
  key: string;
  start: CstDate;
  end: CstDate;
  /** The start day the cycle was computed from (1–31). */
  startDay: number;
  /** True when the cycle is exactly a calendar month (start day 1). */
  calendarMonth: boolean;
  /**
   * The billing month the cycle is known by: the CST month of its last day (China Unicom's
   * "本月" in 上月27号 - 本月26号; the month itself for a calendar month).
   */
  month: CstMonth;
  /** Epoch ms the cycle begins (00:00 CST of `start`). */
  startsAt: number;
  /** Epoch ms the cycle ends, exclusive (00:00 CST the day after `end`). */
  endsAt: number;
}

/** Whether a value is a valid cycle start day (an integer 1–31). */
export function isBillingCycleStartDay(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 31;
}

function checkStartDay(startDay: number): void {
  if (!isBillingCycleStartDay(startDay)) {
    throw new RangeError(`cycle start day must be 1–31, got ${startDay}`);
  }
}

/** The date a cycle starting on `startDay` begins in `month` (clamped to the month's length). */
function startIn(month: CstMonth, startDay: number): CstDate {
  const day = Math.min(startDay, daysInMonth(month));
  return `${month}-${String(day).padStart(2, '0')}`;
}

function cycleFrom(startMonth: CstMonth, startDay: number): BillingCycle {
  const start = startIn(startMonth, startDay);
  const end = addDays(startIn(addMonths(startMonth, 1), startDay), -1);
  return {
    key: start,
    start,
    end,
    startDay,
    calendarMonth: startDay === 1,
    month: end.slice(0, 7),
    startsAt: cstStartOfDay(start),
    endsAt: cstStartOfDay(addDays(end, 1)),
  };
}

/**
 * The billing cycle containing a CST date: the calendar month when `startDay` is 1, else from
 * `startDay` of one month to the day before `startDay` of the next. A start day past the end of
 * a short month falls on its last day (start day 31: Feb 28 in 2026, Mar 31 the month after).
 */
export function billingCycleOf(date: CstDate, startDay = 1): BillingCycle {
  checkStartDay(startDay);
  const month = date.slice(0, 7);
  const startMonth = date >= startIn(month, startDay) ? month : addMonths(month, -1);
  return cycleFrom(startMonth, startDay);
}

/** The billing cycle containing an instant (epoch ms), in CST. */
export function billingCycleAt(instant: number, startDay = 1): BillingCycle {
  return billingCycleOf(cstDate(instant), startDay);
}

/** The cycle known as billing month `month` (the one that ends in it). */
export function billingCycleOfMonth(month: CstMonth, startDay = 1): BillingCycle {
  checkStartDay(startDay);
  return startDay === 1 ? cycleFrom(month, 1) : cycleFrom(addMonths(month, -1), startDay);
}

/** The cycle `cycles` after (or before, when negative) a cycle, with the same start day. */
export function shiftBillingCycle(cycle: BillingCycle, cycles: number): BillingCycle {
  return billingCycleOfMonth(addMonths(cycle.month, cycles), cycle.startDay);
}

/**
 * The key of a card's usage-cycle row in the kept fleet figures (migrations 0015, 0029) for a
 * CST date and the start day of the card's plan cycle: the calendar month `YYYY-MM` for start
 * day 1, else the month the plan cycle starts in and the start day, `YYYY-MM@DD` (the start
 * day is part of the key: start days 29–31 all begin on Feb 28 in 2026 but end on different
 * days). The SQL of `planCycleKeySql` computes the same key.
 */
export function cycleUsageKey(date: CstDate, startDay: number): string {
  if (startDay === 1) return date.slice(0, 7);
  const { start } = billingCycleOf(date, startDay);
  return `${start.slice(0, 7)}@${String(startDay).padStart(2, '0')}`;
}
