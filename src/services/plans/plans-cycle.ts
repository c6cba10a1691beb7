import { addDays, addMonths, type CstDate, daysInMonth } from '../../domain/index.js';

/** One billing cycle: CST dates, both ends included. The key is the first date. */
export interface BillingCycle {
  key: string;
  start: CstDate;
  end: CstDate;
  /** True when the cycle is exactly a calendar month. */
  calendarMonth: boolean;
}

/** The date a cycle starting on `startDay` begins in `month` (clamped to the month's length). */
function cycleStart(month: string, startDay: number): CstDate {
  const day = Math.min(startDay, daysInMonth(month));
  return `${month}-${String(day).padStart(2, '0')}`;
}

/**
 * The billing cycle containing `date`: the calendar month (CST) when `startDay` is 1, else from
 * `startDay` of one month to the day before `startDay` of the next (a start day past the end of a
 * short month falls on its last day).
 */
export function billingCycleOf(date: CstDate, startDay = 1): BillingCycle {
  if (!Number.isInteger(startDay) || startDay < 1 || startDay > 31) {
    throw new RangeError(`cycle start day must be 1–31, got ${startDay}`);
  }
  const month = date.slice(0, 7);
  const thisStart = cycleStart(month, startDay);
  const startMonth = date >= thisStart ? month : addMonths(month, -1);
  const start = cycleStart(startMonth, startDay);
  const end = addDays(cycleStart(addMonths(startMonth, 1), startDay), -1);
  return { key: start, start, end, calendarMonth: startDay === 1 };
}
