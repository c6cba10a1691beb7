import { describe, expect, it } from 'vitest';
import {
  billingCycleAt,
  billingCycleOf,
  billingCycleOfMonth,
  isBillingCycleStartDay,
  shiftBillingCycle,
} from './billing-cycle.js';
import { cstStartOfDay } from './cst.js';

describe('billing cycles', () => {
  it('is the calendar month for start day 1', () => {
    const cycle = billingCycleOf('2026-02-14');
    expect(cycle).toEqual({
      key: '2026-02-01',
      start: '2026-02-01',
      end: '2026-02-28',
      startDay: 1,
      calendarMonth: true,
      month: '2026-02',
      startsAt: cstStartOfDay('2026-02-01'),
      endsAt: cstStartOfDay('2026-03-01'),
    });
    expect(billingCycleOf('2024-02-29').end).toBe('2024-02-29');
    expect(billingCycleOf('2026-12-31')).toMatchObject({ start: '2026-12-01', end: '2026-12-31' });
  });

  it('runs from the 27th to the 26th for China Unicom, the billing month being the end month', () => {
    expect(billingCycleOf('2026-12-26', 27)).toMatchObject({
      start: '2026-11-27',
      end: '2026-12-26',
      month: '2026-12',
      calendarMonth: false,
    });
    // Usage on the 28th belongs to the new cycle.
    expect(billingCycleOf('2026-12-28', 27)).toMatchObject({
      start: '2026-12-27',
      end: '2027-01-26',
      month: '2027-01',
    });
    expect(billingCycleOf('2026-12-27', 27).start).toBe('2026-12-27');
    // Across a short month.
    expect(billingCycleOf('2026-03-01', 27)).toMatchObject({
      start: '2026-02-27',
      end: '2026-03-26',
    });
  });

  it('places an instant by its CST date, not UTC', () => {
    // 2026-12-26 16:30 UTC is 2026-12-27 00:30 in Shanghai: the new Unicom cycle.
    const instant = Date.UTC(2026, 11, 26, 16, 30);
    expect(billingCycleAt(instant, 27).start).toBe('2026-12-27');
    expect(billingCycleAt(instant - 60 * 60 * 1000, 27).start).toBe('2026-11-27');
    expect(billingCycleAt(instant, 27).startsAt).toBe(Date.UTC(2026, 11, 26, 16, 0));
    // Calendar month: 2026-11-30 17:00 UTC is already December in CST.
    expect(billingCycleAt(Date.UTC(2026, 10, 30, 17), 1).month).toBe('2026-12');
  });

  it('clamps a start day past the end of a short month to its last day', () => {
    expect(billingCycleOf('2026-02-28', 31)).toMatchObject({
      start: '2026-02-28',
      end: '2026-03-30',
    });
    expect(billingCycleOf('2026-02-27', 31)).toMatchObject({
      start: '2026-01-31',
      end: '2026-02-27',
    });
    expect(billingCycleOf('2024-02-29', 30)).toMatchObject({
      start: '2024-02-29',
      end: '2024-03-29',
    });
    expect(billingCycleOf('2026-04-30', 31)).toMatchObject({
      start: '2026-04-30',
      end: '2026-05-30',
    });
  });

  it('tiles the calendar: consecutive cycles leave no gap and no overlap', () => {
    for (const startDay of [1, 15, 27, 29, 30, 31]) {
      let cycle = billingCycleOf('2023-12-15', startDay);
      for (let step = 0; step < 30; step += 1) {
        const next = shiftBillingCycle(cycle, 1);
        expect(next.startsAt, `day ${startDay} after ${cycle.start}`).toBe(cycle.endsAt);
        expect(billingCycleOf(next.start, startDay)).toEqual(next);
        expect(billingCycleOf(cycle.end, startDay)).toEqual(cycle);
        cycle = next;
      }
    }
  });

  it('finds the cycle of a billing month and shifts back', () => {
    expect(billingCycleOfMonth('2026-12', 27)).toMatchObject({
      start: '2026-11-27',
      end: '2026-12-26',
    });
    expect(billingCycleOfMonth('2026-12')).toMatchObject({ start: '2026-12-01' });
    expect(shiftBillingCycle(billingCycleOf('2026-01-05', 27), -1).start).toBe('2025-11-27');
  });

  it('refuses a start day outside 1–31', () => {
    for (const bad of [0, 32, 1.5, Number.NaN]) {
      expect(() => billingCycleOf('2026-01-01', bad)).toThrow(RangeError);
      expect(isBillingCycleStartDay(bad)).toBe(false);
    }
    expect(isBillingCycleStartDay(27)).toBe(true);
    expect(isBillingCycleStartDay('27')).toBe(false);
  });
});
