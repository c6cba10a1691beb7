import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  cstDate,
  cstStartOfDay,
  cstTimestamp,
  dateRange,
  daysInMonth,
  isCstDate,
  lastCompleteDays,
  lastMonths,
  monthBounds,
} from './cst.js';

describe('CST calendar', () => {
  // 2024-11-26 17:30:00 UTC is 2024-11-27 01:30 in Shanghai.
  const lateUtc = Date.UTC(2024, 10, 26, 17, 30, 0);

  it('uses the Shanghai date, not the host zone', () => {
    expect(cstDate(lateUtc)).toBe('2024-11-27');
    expect(cstTimestamp(lateUtc)).toBe('20241127013000');
    expect(cstStartOfDay('2024-11-27')).toBe(Date.UTC(2024, 10, 26, 16, 0, 0));
  });

  it('lists the last N complete days, yesterday last', () => {
    expect(lastCompleteDays(7, lateUtc)).toEqual([
      '2024-11-20',
      '2024-11-21',
      '2024-11-22',
      '2024-11-23',
      '2024-11-24',
      '2024-11-25',
      '2024-11-26',
    ]);
  });

  it('does date and month arithmetic across boundaries', () => {
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(dateRange('2024-02-28', '2024-03-01')).toEqual([
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect(addMonths('2024-01', -1)).toBe('2023-12');
    expect(addMonths('2024-11', 2)).toBe('2025-01');
    expect(lastMonths(3, lateUtc)).toEqual(['2024-09', '2024-10', '2024-11']);
    expect(daysInMonth('2024-02')).toBe(29);
    expect(monthBounds('2023-02')).toEqual({ first: '2023-02-01', last: '2023-02-28' });
  });

  it('validates calendar dates', () => {
    expect(isCstDate('2024-02-29')).toBe(true);
    expect(isCstDate('2023-02-29')).toBe(false);
    expect(isCstDate('2024-2-1')).toBe(false);
  });
});
