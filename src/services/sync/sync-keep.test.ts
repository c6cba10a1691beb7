import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../../store/index.js';
import { syncAccount } from './sync.js';
import { syncFixture } from './sync-fixture.test-support.js';

describe('a slice stores its batches together', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  it('writes a week of daily usage in two transactions', async () => {
    // OneLink v2: 100 cards a call, so 250 cards are 3 batches a day.
    const fixture = await syncFixture({ type: 'onelink-v2', size: 250, imported: 250 });
    store = fixture.store;
    const upsertDaily = vi.spyOn(store.usage, 'upsertDaily');
    const summary = await syncAccount(fixture.context, 'acct', { days: 7 });
    expect(summary).toMatchObject({ status: 'succeeded', synced: 250, failed: 0 });
    // 21 calls, two writes (yesterday's pass, then the other 6 days): each card's usage cycle
    // (and the fleet figures) moves twice, not 7 times.
    expect(upsertDaily.mock.calls.map(([rows]) => rows.length)).toEqual([250, 250 * 6]);
    expect(summary.rowsWritten).toBe(250 + 250 * 7);
    // The figures kept on the way equal a recount from the data (the fixture's today: 11-10).
    const root = { tenantPath: '/root/', isRoot: true };
    const at = { cycle: '2026-11', today: '2026-11-10' };
    const kept = await store.fleetStats.figures(root, at);
    expect(kept).toEqual(await store.fleetStats.recount(root, at));
    expect(kept.usage.cardsWithUsage).toBe(250);
    expect(await store.fleetStats.daily(root, '2026-11-01', '2026-11-30')).toEqual(
      await store.fleetStats.recountDaily(root, '2026-11-01', '2026-11-30'),
    );
  });

  it('records the cards of batches it could not store as failed, with the reason', async () => {
    const fixture = await syncFixture({ type: 'onelink-v2', size: 250, imported: 250 });
    store = fixture.store;
    vi.spyOn(store.usage, 'upsertDaily').mockRejectedValue(new Error('disk I/O error'));
    const summary = await syncAccount(fixture.context, 'acct', { days: 7 });
    // Identities were stored; no card's usage is lost without a word.
    expect(summary).toMatchObject({ status: 'partial', synced: 0, failed: 250 });
    expect(summary.failuresByReason).toEqual({ internal: 250 });
    const failures = await store.syncRuns.failures(summary.runId);
    expect(failures.some((failure) => failure.message?.includes('disk I/O error'))).toBe(true);
    // Nothing was marked done that was not stored: the 3 identity batches only.
    expect(summary.calls).toBe(3);
  });
});
