import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../store/index.js';
import { SyncCheckpoints } from '../../store/repositories/sync-checkpoints.js';
import { planSync, resumableRun, syncAccount, syncSlice } from './sync.js';
import { type SyncFixture, syncFixture } from './sync-fixture.test-support.js';

function calls(fixture: SyncFixture): number {
  return [...fixture.requests.values()].reduce((sum, count) => sum + count, 0);
}

describe('a newer run taking an unfinished one’s place', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  it('a daily run planned while the hourly run is unfinished closes it: its remaining slices ask nothing, and it is not taken up again', async () => {
    // The M2M platform reads statuses one card a call: 6 cards in slices of 2.
    const fixture = await syncFixture({ type: 'm2m10086', size: 6 });
    store = fixture.store;
    await syncAccount(fixture.context, 'acct', { days: 0 });
    fixture.clock.set(fixture.clock.now() + 3_600_000);

    const hourly = await planSync(fixture.context, 'acct', { days: 0, sliceSize: 2 });
    const slices = await new SyncCheckpoints(fixture.store).slices(hourly.runId);
    const ranges = hourly.params.ranges ?? slices.length;
    expect(ranges).toBe(3);
    // Every pass over the first range of cards, then the run is left (its worker stopped).
    for (const { slice } of slices.filter((item) => item.slice % ranges === 0))
      await syncSlice(fixture.context, hourly.runId, slice);
    expect((await fixture.store.syncRuns.get(hourly.runId))?.status).toBe('running');
    // A card of the finished range failed, and one of a range the run had begun (a worker's
    // slice under way): each counts failed, once.
    const failure = { code: 'timeout', message: 'no answer' };
    await fixture.store.syncRuns.recordFailures(hourly.runId, [
      { cardId: slices[0]!.firstCardId, ...failure },
      { cardId: slices[1]!.firstCardId, ...failure },
    ]);

    fixture.clock.set(fixture.clock.now() + 30 * 60_000);
    const daily = await planSync(fixture.context, 'acct', { days: 1, sliceSize: 2 });
    const closed = await fixture.store.syncRuns.get(hourly.runId);
    // Of 6 cards: 2 failed, 3 not reached (the unfinished ranges' other cards), 1 synced.
    expect(closed).toMatchObject({ status: 'superseded', cards: 6, synced: 1, failed: 2 });
    expect(closed?.failuresByReason).toEqual({ timeout: 2 });
    expect(closed?.finishedAt).not.toBeNull();
    const [audit] = await fixture.store.audit.list({ account: 'acct', limit: 1 });
    expect(audit).toMatchObject({
      action: 'sync',
      outcome: 'skipped',
      details: expect.objectContaining({ runId: hourly.runId, supersededBy: daily.runId }),
    });

    // A worker still holding one of its slices asks the supplier nothing for it.
    const before = calls(fixture);
    expect(await syncSlice(fixture.context, hourly.runId, 1)).toEqual({ stoppedBy: null });
    expect(calls(fixture)).toBe(before);

    // The next hourly run takes up the daily one, not the closed one.
    expect((await resumableRun(fixture.context, 'acct', { days: 0 }))?.runId).toBe(daily.runId);
    const summary = await syncAccount(fixture.context, 'acct', { days: 0, resume: true });
    expect(summary).toMatchObject({ runId: daily.runId, status: 'succeeded', synced: 6 });
    expect((await fixture.store.syncRuns.get(hourly.runId))?.status).toBe('superseded');
  });

  it('the month-end reconciliation is not taken up by a run reading this month, nor takes its place', async () => {
    // December 1st, 10:00 CST: the 09:30 run (this month's usage) has not finished.
    const fixture = await syncFixture({
      type: 'm2m10086',
      size: 4,
      start: Date.UTC(2026, 11, 1, 2),
    });
    store = fixture.store;
    const daily = await planSync(fixture.context, 'acct', {});
    expect(daily.params.month).toBe('2026-12');
    const reconciliation = await syncAccount(fixture.context, 'acct', {
      month: 'previous',
      resume: true,
    });
    expect(reconciliation.runId).not.toBe(daily.runId);
    expect(reconciliation.status).toBe('succeeded');
    const checkpoints = new SyncCheckpoints(fixture.store);
    expect((await checkpoints.plan(reconciliation.runId))?.params.month).toBe('2026-11');
    expect((await fixture.store.syncRuns.get(daily.runId))?.status).toBe('running');
  });

  it('a narrower run leaves an unfinished wider one to finish', async () => {
    const fixture = await syncFixture({ type: 'onelink-v2', size: 300 });
    store = fixture.store;
    // A daily run (identities and yesterday's usage) planned and left before any slice ran.
    const daily = await planSync(fixture.context, 'acct', { days: 1 });
    // Statuses only, and one not --full, do not read what it would: it stays.
    const hourly = await syncAccount(fixture.context, 'acct', { days: 0 });
    expect(hourly.status).toBe('succeeded');
    expect((await fixture.store.syncRuns.get(daily.runId))?.status).toBe('running');
    const resumed = await syncAccount(fixture.context, 'acct', { days: 1, resume: true });
    expect(resumed).toMatchObject({ runId: daily.runId, status: 'succeeded', synced: 300 });
    // A --full run does cover it, and a plain one does not cover a --full one.
    const full = await planSync(fixture.context, 'acct', { days: 1, full: true });
    await planSync(fixture.context, 'acct', { days: 1 });
    expect((await fixture.store.syncRuns.get(full.runId))?.status).toBe('running');
  });
});
