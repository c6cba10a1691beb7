import { describe, expect, it, vi } from 'vitest';
import { cstStartOfDay } from '../domain/index.js';
import { describeEachDialect } from '../store/store.test-support.js';
import { useQueueHarness } from './job-queue-conformance.test-support.js';
import { acquireLeadership } from './leader-lock.js';
import { createScheduler, defaultScheduleEntries, latestOccurrence } from './scheduler.js';

const HOUR = 3_600_000;

describe('latestOccurrence', () => {
  it('aligns every-N periods to the epoch', () => {
    const now = Date.UTC(2024, 10, 26, 2, 30);
    expect(latestOccurrence({ name: 'x', payload: null, everyMs: HOUR }, now)).toEqual({
      period: '2024-11-26T02:00:00.000Z',
      at: Date.UTC(2024, 10, 26, 2, 0),
    });
  });

  it('places a daily time in CST, taking yesterday before it comes', () => {
    const entry = { name: 'x', payload: null, at: '09:30' };
    // 01:29 UTC = 09:29 CST on 2024-11-26.
    expect(latestOccurrence(entry, Date.UTC(2024, 10, 26, 1, 29))).toEqual({
      period: '2024-11-25',
      at: cstStartOfDay('2024-11-25') + 9.5 * HOUR,
    });
    expect(latestOccurrence(entry, Date.UTC(2024, 10, 26, 1, 30)).period).toBe('2024-11-26');
  });

  it('takes a monthly day, using the last day of a shorter month', () => {
    const entry = { name: 'x', payload: null, monthlyOn: 31, at: '00:10' };
    expect(latestOccurrence(entry, cstStartOfDay('2025-02-28') + HOUR)).toEqual({
      period: '2025-02',
      at: cstStartOfDay('2025-02-28') + 10 * 60_000,
    });
    expect(latestOccurrence(entry, cstStartOfDay('2025-02-27')).period).toBe('2025-01');
  });

  it('refuses entries without exactly one kind of period', () => {
    expect(() => latestOccurrence({ name: 'x', payload: null }, 0)).toThrow(/everyMs/);
    expect(() =>
      latestOccurrence({ name: 'x', payload: null, everyMs: HOUR, at: '09:30' }, 0),
    ).toThrow(/one of/);
    expect(() => latestOccurrence({ name: 'x', payload: null, at: '24:00' }, 0)).toThrow(/HH:mm/);
  });

  it('has hourly statuses, daily usage at 09:30 CST and a month-end reconciliation by default', () => {
    const entries = defaultScheduleEntries();
    expect(
      entries.map((entry) => [entry.name, entry.everyMs ?? entry.at, entry.monthlyOn]),
    ).toEqual([
      ['sync', HOUR, undefined],
      ['sync', '09:30', undefined],
      ['sync', '10:00', 1],
    ]);
    expect(entries[2]!.payload).toEqual({ days: 0, month: 'previous' });
    // On 2024-11-26 the latest month-end reconciliation was 2024-11-01 10:00 CST.
    expect(latestOccurrence(entries[2]!, Date.UTC(2024, 10, 26, 1, 0)).at).toBe(
      Date.UTC(2024, 10, 1, 2, 0),
    );
  });
});

describeEachDialect('scheduler ($dialect)', (target) => {
  const harness = useQueueHarness(target);

  it('enqueues each period once, with a dedupe key, and again in the next period', async () => {
    const { queue, store, clock } = harness.current;
    clock.set(Date.UTC(2024, 10, 26, 1, 0)); // 09:00 CST
    const entries = defaultScheduleEntries().filter((entry) => entry.key !== 'sync-month-end');
    const scheduler = createScheduler(queue, store, { entries, clock });
    const first = await scheduler.tick();
    expect(first.map((job) => job.key)).toEqual([
      'sync-status-hourly:2024-11-26T01:00:00.000Z',
      'sync-usage-daily:2024-11-25',
    ]);
    expect(first.every((job) => job.createdBy === 'scheduler')).toBe(true);
    expect(first[0]!.payload).toEqual({ days: 0 });
    // The jobs end; the same periods are not enqueued again, even by another scheduler.
    await queue.drain({ sync: async () => null });
    expect(await scheduler.tick()).toEqual([]);
    const other = createScheduler(queue, store, { entries, clock });
    expect(await other.tick()).toEqual([]);
    clock.advance(40 * 60_000); // 09:40 CST
    const next = await scheduler.tick();
    expect(next.map((job) => job.key)).toEqual(['sync-usage-daily:2024-11-26']);
    clock.advance(20 * 60_000); // 10:00 CST
    expect((await scheduler.tick()).map((job) => job.key)).toEqual([
      'sync-status-hourly:2024-11-26T02:00:00.000Z',
    ]);
    expect(await queue.list({ name: 'sync' })).toHaveLength(4);
  });

  it('runs only while it leads', async () => {
    const { queue, store, clock, url } = harness.current;
    const entries = [{ name: 'sync', key: 'lead-test', everyMs: HOUR, payload: {} }];
    const held = await acquireLeadership(store, { databaseUrl: url });
    expect(held).not.toBeNull();
    const scheduler = createScheduler(queue, store, {
      entries,
      clock,
      databaseUrl: url,
      tickIntervalMs: 20,
    });
    scheduler.start();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(scheduler.leading).toBe(false);
    expect(await queue.list()).toEqual([]);
    await held!.release();
    await vi.waitFor(() => expect(scheduler.leading).toBe(true), { timeout: 5_000 });
    await vi.waitFor(async () => expect(await queue.list()).toHaveLength(1), { timeout: 5_000 });
    await scheduler.stop();
    expect(scheduler.leading).toBe(false);
    const again = await acquireLeadership(store, { databaseUrl: url });
    expect(again).not.toBeNull();
    await again!.release();
  });
});
