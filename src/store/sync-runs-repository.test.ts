import { expect, it } from 'vitest';
import { SyncCheckpoints } from './repositories/sync-checkpoints.js';
import { describeEachDialect, useTestStore } from './store.test-support.js';

describeEachDialect('sync runs on $dialect', (target) => {
  const context = useTestStore(target);

  it('records a run from start to finish', async () => {
    const { store, clock } = context.current;
    const startedAt = clock.now();
    const id = await store.syncRuns.start({ account: 'quectel-main', kind: 'full' });
    expect(await store.syncRuns.get(id)).toEqual({
      id,
      account: 'quectel-main',
      kind: 'full',
      status: 'running',
      startedAt,
      finishedAt: null,
      cards: null,
      synced: null,
      failed: null,
      calls: null,
      rowsWritten: null,
      failuresByReason: null,
      durationMs: null,
    });
    clock.advance(4200);
    await store.syncRuns.finish(id, {
      status: 'partial',
      cards: 1000,
      synced: 998,
      failed: 2,
      calls: 11,
      rowsWritten: 7000,
      failuresByReason: { supplier_card_unknown: 2 },
      durationMs: 4200,
    });
    expect(await store.syncRuns.get(id)).toMatchObject({
      status: 'partial',
      finishedAt: clock.now(),
      cards: 1000,
      synced: 998,
      failed: 2,
      calls: 11,
      rowsWritten: 7000,
      failuresByReason: { supplier_card_unknown: 2 },
      durationMs: 4200,
    });
    expect(await store.syncRuns.get(id + 100)).toBeNull();
  });

  it('keeps the change feed position per account, never moving it back', async () => {
    const { store, clock } = context.current;
    const checkpoints = new SyncCheckpoints(store, () => clock.now());
    expect(await checkpoints.changeFeedReadFrom('unicom-main')).toBeNull();
    await checkpoints.saveChangeFeed('unicom-main', 5_000, 1);
    await checkpoints.saveChangeFeed('unicom-other', 9_000, 2);
    expect(await checkpoints.changeFeedReadFrom('unicom-main')).toBe(5_000);
    await checkpoints.saveChangeFeed('unicom-main', 4_000, 3);
    expect(await checkpoints.changeFeedReadFrom('unicom-main')).toBe(5_000);
    await checkpoints.saveChangeFeed('unicom-main', 7_000, 4);
    expect(await checkpoints.changeFeedReadFrom('unicom-main')).toBe(7_000);
    await checkpoints.forgetChangeFeed('unicom-main');
    expect(await checkpoints.changeFeedReadFrom('unicom-main')).toBeNull();
    expect(await checkpoints.changeFeedReadFrom('unicom-other')).toBe(9_000);
  });

  it('records and lists failures of a run', async () => {
    const { store } = context.current;
    const id = await store.syncRuns.start({ account: 'a', kind: 'usage.daily' });
    const other = await store.syncRuns.start({ account: 'a', kind: 'status' });
    await store.syncRuns.recordFailures(id, [
      { cardId: 7, code: 'supplier_card_unknown', message: 'card not found (12021)' },
      { cardId: null, code: 'supplier_throttled', message: 'rate limited' },
    ]);
    await store.syncRuns.recordFailures(other, [{ cardId: 1, code: 'x', message: 'y' }]);
    await store.syncRuns.recordFailures(id, []);
    const failures = await store.syncRuns.failures(id);
    expect(
      failures.map(({ cardId, code, message, runId }) => ({ cardId, code, message, runId })),
    ).toEqual([
      { cardId: 7, code: 'supplier_card_unknown', message: 'card not found (12021)', runId: id },
      { cardId: null, code: 'supplier_throttled', message: 'rate limited', runId: id },
    ]);
    await expect(
      store.syncRuns.recordFailures(9999, [{ cardId: null, code: 'x', message: 'y' }]),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists runs newest first, per account, with a limit', async () => {
    const { store, clock } = context.current;
    const ids: number[] = [];
    for (const account of ['a', 'b', 'a', 'a']) {
      ids.push(await store.syncRuns.start({ account, kind: 'full' }));
      clock.advance(1000);
    }
    expect((await store.syncRuns.list()).map((run) => run.id)).toEqual([...ids].reverse());
    expect((await store.syncRuns.list({ account: 'a', limit: 2 })).map((run) => run.id)).toEqual([
      ids[3],
      ids[2],
    ]);
    expect(await store.syncRuns.list({ account: 'c' })).toEqual([]);
  });

  it('rejects finishing an unknown run or with a bad outcome', async () => {
    const { store } = context.current;
    const result = {
      status: 'succeeded' as const,
      cards: 0,
      synced: 0,
      failed: 0,
      calls: 0,
      rowsWritten: 0,
      failuresByReason: {},
      durationMs: 0,
    };
    await expect(store.syncRuns.finish(12345, result)).rejects.toMatchObject({ code: 'not_found' });
    const id = await store.syncRuns.start({ account: 'a', kind: 'full' });
    await expect(
      store.syncRuns.finish(id, { ...result, status: 'running' as 'failed' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(store.syncRuns.finish(id, { ...result, calls: -1 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect((await store.syncRuns.get(id))?.status).toBe('running');
  });
});
