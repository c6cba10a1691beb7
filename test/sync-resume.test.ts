import { afterEach, describe, expect, it } from 'vitest';
import { createServiceContext, saveAccounts } from '../src/services/context.js';
import { importCards } from '../src/services/inventory/card-import.js';
import { finishSync, planSync, syncAccount, syncSlice } from '../src/services/sync/sync.js';
import { openStore, type Store } from '../src/store/index.js';
import { SyncCheckpoints } from '../src/store/repositories/sync-checkpoints.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { createOnelinkV2Simulator } from '../src/suppliers/onelink-v2/index.js';
import { appFetch } from '../src/suppliers/spec/simulator-kit.js';

const credentials = {
  appid: 'resume',
  password: 'resume-password',
  ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
};

async function setup(size: number) {
  const simulator = createOnelinkV2Simulator({ ...credentials, size });
  const store = await openStore({ url: 'sqlite::memory:', secretKey: Buffer.alloc(32, 5) });
  const catalog = createSupplierCatalog();
  await saveAccounts(store, catalog, [
    {
      id: 'cmcc',
      type: 'onelink-v2',
      name: null,
      rateLimit: 0,
      settings: { baseUrl: 'http://sim/v2', ...credentials },
    },
  ]);
  const context = () => createServiceContext({ store, catalog, fetch: appFetch(simulator.app) });
  const first = context();
  const lines = Array.from({ length: size }, (_, index) => simulator.fleet.card(index).iccid);
  await importCards(first, 'cmcc', lines.join('\n'));
  return { simulator, store, context, first };
}

/** The calls the simulator answered, as `path ids` strings, to spot a batch fetched twice. */
function fetchedBatches(simulator: ReturnType<typeof createOnelinkV2Simulator>) {
  return simulator.callLog.entries.map(
    (entry) =>
      `${entry.path} ${entry.params.query_date ?? ''} ${entry.params.iccids ?? entry.params.msisdns ?? ''}`,
  );
}

describe('sync checkpoints', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  it('resumes a run killed mid-way without fetching a finished batch again', async () => {
    const fixture = await setup(1000);
    store = fixture.store;
    const controller = new AbortController();
    const interrupted = syncAccount(fixture.first, 'cmcc', {
      concurrency: 1,
      sliceSize: 300,
      abortSignal: controller.signal,
      onProgress: (progress) => {
        if (progress.phase === 'usage.daily' && progress.done >= 3000)
          controller.abort(new Error('killed'));
      },
    });
    await expect(interrupted).rejects.toThrow('killed');
    const before = fetchedBatches(fixture.simulator);
    expect(before.length).toBeLessThan(80);
    const checkpoints = new SyncCheckpoints(fixture.store);
    const runId = (await checkpoints.unfinishedRun('cmcc'))!;
    const finishedAtKill = (await checkpoints.finishedBatches(runId)).size;

    // A new process: a fresh context on the same database resumes the unfinished run.
    const summary = await syncAccount(fixture.context(), 'cmcc', { resume: true, concurrency: 1 });
    expect(summary.status).toBe('succeeded');
    expect(summary.cards).toBe(1000);
    const batches = fetchedBatches(fixture.simulator);
    // ⌈1000/100⌉… per slice of 300: 4 slices of 3,3,3,1 batches = 10 identity + 70 usage calls.
    expect(new Set(batches).size).toBe(80);
    // Asked again: only what was answered and not yet stored at the kill (a batch in flight in
    // each of the two slices at work), never a finished batch.
    const again = batches.slice(before.length).filter((batch) => before.includes(batch));
    expect(again.length).toBe(before.length - finishedAtKill);
    expect(again.length).toBeLessThanOrEqual(2);
    expect(batches).toHaveLength(80 + again.length);
    expect(summary.calls).toBe(80);
    expect(summary.rowsWritten).toBe(1000 + 7000);
  });

  it('lets two workers share the slices of one run with no batch fetched twice', async () => {
    const fixture = await setup(1200);
    store = fixture.store;
    const plan = await planSync(fixture.first, 'cmcc', { sliceSize: 200 });
    // Six card ranges, twice: yesterday's usage first over all of them, then the rest.
    const slices = await new SyncCheckpoints(fixture.store).slices(plan.runId);
    expect(slices).toHaveLength(12);
    expect(plan.params).toMatchObject({ ranges: 6, passes: ['yesterday', 'rest'] });
    const workers = [fixture.context(), fixture.context()];
    let next = 0;
    await Promise.all(
      workers.map(async (worker) => {
        while (next < slices.length) await syncSlice(worker, plan.runId, next++);
      }),
    );
    const summary = await finishSync(workers[0]!, plan.runId);
    expect(await finishSync(workers[1]!, plan.runId)).toBeNull();
    expect(summary).toMatchObject({
      status: 'succeeded',
      cards: 1200,
      synced: 1200,
      failed: 0,
      calls: 12 + 84,
    });
    const batches = fetchedBatches(fixture.simulator);
    expect(new Set(batches).size).toBe(batches.length);
  });

  it('lists every card that failed, with its reason, and adds up', async () => {
    const fixture = await setup(500);
    store = fixture.store;
    fixture.simulator.faults.set({ partialFailureRate: 0.05 });
    const summary = await syncAccount(fixture.first, 'cmcc', {});
    expect(summary.synced + summary.failed).toBe(summary.cards);
    expect(summary.failed).toBeGreaterThan(0);
    const failures = await fixture.store.syncRuns.failures(summary.runId);
    expect(new Set(failures.map((failure) => failure.cardId)).size).toBe(summary.failed);
  });

  it('closes a run whose closing process died half-way, whichever step it had reached', async () => {
    const fixture = await setup(300);
    store = fixture.store;
    const checkpoints = new SyncCheckpoints(fixture.store);
    const work = async (options: { days?: number }) => {
      const plan = await planSync(fixture.first, 'cmcc', { sliceSize: 300, ...options });
      for (const slice of await checkpoints.slices(plan.runId)) {
        await syncSlice(fixture.first, plan.runId, slice.slice);
      }
      return plan.runId;
    };
    // Died after marking the plan finished and before writing the run's row.
    const first = await work({ days: 1 });
    await checkpoints.claimFinish(first);
    expect((await fixture.store.syncRuns.get(first))?.status).toBe('running');
    expect(await finishSync(fixture.context(), first)).toMatchObject({
      status: 'succeeded',
      cards: 300,
      synced: 300,
    });
    expect((await fixture.store.syncRuns.get(first))?.status).toBe('succeeded');
    expect(await finishSync(fixture.context(), first)).toBeNull();

    // Died after writing the run's row and before marking the plan finished: the open plan would
    // be taken up by every later sync of the account.
    const second = await work({ days: 0 });
    const closing = await finishSync(fixture.context(), second);
    await fixture.store.db
      .updateTable('sync_plans')
      .set({ finished_at: null })
      .where('run_id', '=', second)
      .execute();
    expect(closing?.status).toBe('succeeded');
    expect(await checkpoints.unfinishedRun('cmcc')).toBe(second);
    expect(await finishSync(fixture.context(), second)).toBeNull();
    expect(await checkpoints.unfinishedRun('cmcc')).toBeNull();
  });
});
