/**
 * China Standard Time calendar helpers. Every supplier speaks CST (Asia/Shanghai, UTC+8, no
 * daylight saving since 1991), so a fixed offset is exact and needs no time-zone database.
 * Instants are epoch milliseconds; calendar dates are `YYYY-MM-DD` strings, months `YYYY-MM`.
 */
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A calendar date in CST, `YYYY-MM-DD`. */
export type CstDate = string;
/** A calendar month in CST, `YYYY-MM`. */
export type CstMonth = string;

interface CstParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function cstParts(instant: number): CstParts {
  const shifted = new Date(instant + CST_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
  };
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** The CST date of an instant. */
export function cstDate(instant: number): CstDate {
  const parts = cstParts(instant);
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)}`;
}

/** Today in CST. */
export function cstToday(now: number): CstDate {
  return cstDate(now);
}

/** The CST month of an instant. */
export function cstMonth(instant: number): CstMonth {
  return cstDate(instant).slice(0, 7);
}

/** `yyyyMMddHHmmss` in CST, as OneLink `transid` and M2M `requesttime` want it. */
export function cstTimestamp(instant: number): string {
  const parts = cstParts(instant);
  return (
    `${parts.year}${pad(parts.month)}${pad(parts.day)}` +
    `${pad(parts.hour)}${pad(parts.minute)}${pad(parts.second)}`
  );
}

/** Whether a string is a real calendar date `YYYY-MM-DD`. */
export function isCstDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/** The instant a CST date begins (00:00 CST). */
export function cstStartOfDay(date: CstDate): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day) - CST_OFFSET_MS;
}

/** The date `days` after (or before, when negative) a date. */
export function addDays(date: CstDate, days: number): CstDate {
  return cstDate(cstStartOfDay(date) + days * DAY_MS);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: CstDate, to: CstDate): number {
  return Math.round((cstStartOfDay(to) - cstStartOfDay(from)) / DAY_MS);
}

/** Every date from `from` to `to`, both included, in order. */
export function dateRange(from: CstDate, to: CstDate): CstDate[] {
  const dates: CstDate[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) dates.push(date);
  return dates;
}

/** The last `count` complete CST days before today, oldest first (yesterday is last). */
export function lastCompleteDays(count: number, now: number): CstDate[] {
  const today = cstToday(now);
  const dates: CstDate[] = [];
  for (let back = count; back >= 1; back -= 1) dates.push(addDays(today, -back));
  return dates;
}

/** `YYYY-MM-DD` → `YYYYMMDD`. */
export function compactDate(date: CstDate): string {
  return date.replaceAll('-', '');
}

/** `YYYYMMDD` → `YYYY-MM-DD`. */
export function expandDate(compact: string): CstDate {
  return `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
}

/** The month `months` after (or before) a month. */
export function addMonths(month: CstMonth, months: number): CstMonth {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (monthNumber - 1) + months;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
}

/** The last `count` months ending with the month of `now` (current month last). */
export function lastMonths(count: number, now: number): CstMonth[] {
  const current = cstMonth(now);
  const months: CstMonth[] = [];
  for (let back = count - 1; back >= 0; back -= 1) months.push(addMonths(current, -back));
  return months;
}

/** Number of days in a month. */
export function daysInMonth(month: CstMonth): number {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, monthNumber, 0)).getUTCDate();
}

/** The first and last date of a month. */
export function monthBounds(month: CstMonth): { first: CstDate; last: CstDate } {
  return { first: `${month}-01`, last: `${month}-${pad(daysInMonth(month))}` };
}
