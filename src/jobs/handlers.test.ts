import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../domain/clock.js';
import { createServiceContext, saveAccounts } from '../services/context.js';
import { importCards } from '../services/inventory/card-import.js';
import { openStore, type Store } from '../store/index.js';
import { createSupplierCatalog } from '../suppliers/catalog.js';
import { createOnelinkV2Simulator, onelinkV2Definition } from '../suppliers/onelink-v2/index.js';
import { appFetch } from '../suppliers/spec/simulator-kit.js';
import { EmbeddedJobQueue } from './embedded-job-queue.js';
import { jobHandlers, type SyncJobResult, type SyncSliceJobResult } from './handlers.js';

const credentials = {
  appid: 'handlers',
  password: 'handlers-password',
  ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
};

async function setup(passwordOfSecond: string, latencyMs = 0) {
  const clock = new ManualClock(Date.UTC(2024, 10, 26, 2), { autoAdvance: true });
  const simulator = createOnelinkV2Simulator({ ...credentials, size: 20, clock });
  const store = await openStore({ url: 'sqlite::memory:', secretKey: Buffer.alloc(32, 7), clock });
  const catalog = createSupplierCatalog();
  const account = (id: string, password: string) => ({
    id,
    type: onelinkV2Definition.type,
    name: null,
    rateLimit: 0,
    settings: { baseUrl: 'http://sim/v2', ...credentials, password },
  });
  await saveAccounts(store, catalog, [
    account('east', credentials.password),
    account('west', passwordOfSecond),
  ]);
  const answer = appFetch(simulator.app);
  const fetch: typeof answer = async (...args) => {
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return answer(...args);
  };
  const context = createServiceContext({ store, catalog, clock, fetch });
  const iccids = Array.from({ length: 20 }, (_, index) => simulator.fleet.card(index).iccid);
  await importCards(context, 'east', iccids.slice(0, 12).join('\n'));
  await importCards(context, 'west', iccids.slice(12).join('\n'));
  const queue = new EmbeddedJobQueue(store, { clock });
  return { store, context, queue, clock, simulator };
}

/** The `sync` handler, whose first attempt does its work and then dies before it answers. */
function dyingOnce(handlers: ReturnType<typeof jobHandlers>) {
  let attempts = 0;
  return async (...args: Parameters<NonNullable<typeof handlers.sync>>) => {
    const result = await handlers.sync!(...args);
    attempts += 1;
    if (attempts === 1) throw new Error('the worker died before it could answer');
    return result;
  };
}

/** Runs the job's retry once it is due; it succeeds on its second attempt. Its result's lines. */
async function retried(
  fixture: Awaited<ReturnType<typeof setup>>,
  handlers: Parameters<EmbeddedJobQueue['drain']>[0],
  jobId: string,
) {
  fixture.clock.advance(60_000);
  await fixture.queue.drain(handlers);
  const job = await fixture.queue.get(jobId);
  expect(job).toMatchObject({ state: 'succeeded', attempts: 2 });
  return (job!.result as SyncJobResult).accounts;
}

describe('the sync job', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  it('syncs one named account, or every enabled account, with progress and a result', async () => {
    const fixture = await setup(credentials.password);
    store = fixture.store;
    const { queue, context } = fixture;
    const one = await queue.enqueue({ name: 'sync', payload: { account: 'east', days: 2 } });
    const all = await queue.enqueue({ name: 'sync', payload: { days: 0 } });
    await queue.drain(jobHandlers(context));
    const oneDone = await queue.get(one.id);
    expect(oneDone?.state).toBe('succeeded');
    expect((oneDone!.result as SyncJobResult).accounts).toEqual([
      expect.objectContaining({ account: 'east', status: 'succeeded', cards: 12, synced: 12 }),
    ]);
    const allDone = await queue.get(all.id);
    expect((allDone!.result as SyncJobResult).accounts.map((item) => item.account)).toEqual([
      'east',
      'west',
    ]);
    expect(allDone?.progress?.message).toMatch(/^west \(2\/2\): /);
    const synced = await store.cards.list({ account: 'west', limit: 10 });
    expect(synced.cards.every((card) => card.msisdn !== null)).toBe(true);
  });

  it('fails (and so retries later) when an account cannot be synced, naming it', async () => {
    const fixture = await setup('wrong-password');
    store = fixture.store;
    const { queue, context } = fixture;
    const job = await queue.enqueue({ name: 'sync', payload: {}, maxAttempts: 2 });
    await queue.drain(jobHandlers(context));
    const failed = await queue.get(job.id);
    expect(failed).toMatchObject({ state: 'pending', attempts: 1 });
    expect(failed?.lastError).toMatch(/^sync failed for west \(/);
  });

  it('with its queue, plans the run and hands one sync-slice job per slice to the workers', async () => {
    const fixture = await setup(credentials.password);
    store = fixture.store;
    const { queue, context, simulator } = fixture;
    const handlers = jobHandlers(context, { queue });
    const job = await queue.enqueue({
      name: 'sync',
      payload: { account: 'east', days: 2, sliceSize: 5 },
      createdBy: 'ops',
    });
    await queue.drain(handlers);
    const planned = await queue.get(job.id);
    expect(planned?.state).toBe('succeeded');
    const runId = (planned!.result as SyncJobResult).accounts[0]!.runId;
    expect((planned!.result as SyncJobResult).accounts).toEqual([
      // Three ranges of cards, twice: yesterday's usage first, then the rest.
      { account: 'east', runId, status: 'distributed', cards: 12, slices: 6, queued: 6 },
    ]);
    const slices = await queue.list({ name: 'sync-slice' });
    expect(slices.map((slice) => slice.key).sort()).toEqual(
      [0, 1, 2, 3, 4, 5].map((slice) => `sync-slice:${runId}:${slice}`),
    );
    expect(slices.every((slice) => slice.state === 'succeeded')).toBe(true);
    // Exactly one slice job closed the run: the last one to finish.
    const closing = slices.filter((slice) => (slice.result as SyncSliceJobResult).finished);
    expect(closing).toHaveLength(1);
    expect((closing[0]!.result as SyncSliceJobResult).finished).toMatchObject({
      runId,
      status: 'succeeded',
      cards: 12,
      synced: 12,
      // Per slice of 5, 5 and 2 cards: one identity call and one usage call per day.
      calls: 3 + 3 * 2,
    });
    expect(await store.syncRuns.get(runId)).toMatchObject({ status: 'succeeded' });
    const calls = simulator.callLog.entries.map(
      (entry) => `${entry.path} ${entry.params.query_date ?? ''} ${entry.params.iccids ?? ''}`,
    );
    expect(calls).toHaveLength(9);
    expect(new Set(calls).size).toBe(9);

    // A second sync job while nothing is unfinished plans a new run.
    await queue.enqueue({ name: 'sync', payload: { account: 'east', days: 0 } });
    await queue.drain(handlers);
    expect((await store.syncRuns.get(runId + 1))?.status).toBe('succeeded');
  });

  it('retried after its worker died, takes up the run it planned, even one closed meanwhile', async () => {
    const fixture = await setup(credentials.password);
    store = fixture.store;
    const { queue, context, simulator } = fixture;
    const handlers = jobHandlers(context, { queue });
    // The first attempt plans the run and queues its slices, then dies before it can answer.
    const dying = { ...handlers, sync: dyingOnce(handlers) };
    const job = await queue.enqueue({
      name: 'sync',
      payload: { account: 'east', days: 2, sliceSize: 5 },
      maxAttempts: 3,
    });
    await queue.drain(dying);
    expect((await queue.get(job.id))?.state).toBe('pending');
    const slices = await queue.list({ name: 'sync-slice' });
    expect(slices.every((slice) => slice.state === 'succeeded')).toBe(true);
    const runId = Number(slices[0]!.key!.split(':')[1]);
    expect(await store.syncRuns.get(runId)).toMatchObject({ status: 'succeeded' });
    const callsBefore = simulator.callLog.total;

    expect(await retried(fixture, dying, job.id)).toEqual([
      { account: 'east', runId, status: 'distributed', cards: 12, slices: 6, queued: 0 },
    ]);
    // No second run, no call made again.
    expect(await store.syncRuns.get(runId + 1)).toBeNull();
    expect(simulator.callLog.total).toBe(callsBefore);
  });

  it('run here and retried after its run closed, answers that run and asks nothing again', async () => {
    const fixture = await setup(credentials.password);
    store = fixture.store;
    const { queue, context, simulator } = fixture;
    const dying = { sync: dyingOnce(jobHandlers(context)) };
    const job = await queue.enqueue({
      name: 'sync',
      payload: { account: 'east', days: 2 },
      maxAttempts: 3,
    });
    await queue.drain(dying);
    const callsBefore = simulator.callLog.total;
    expect(await retried(fixture, dying, job.id)).toEqual([
      expect.objectContaining({ account: 'east', runId: 1, status: 'succeeded', synced: 12 }),
    ]);
    expect(await store.syncRuns.get(2)).toBeNull();
    expect(simulator.callLog.total).toBe(callsBefore);
  });

  it('with two workers, runs the passes over one range of cards one after the other', async () => {
    const fixture = await setup(credentials.password, 20);
    store = fixture.store;
    const { queue, context, simulator } = fixture;
    // One range of 12 cards, two passes over it (yesterday's usage, then the rest).
    const job = await queue.enqueue({
      name: 'sync',
      payload: { account: 'east', days: 2, sliceSize: 20 },
    });
    const worker = await queue.work(jobHandlers(context, { queue }), {
      concurrency: 2,
      pollIntervalMs: 5,
    });
    try {
      await expect
        .poll(async () => (await store!.syncRuns.get(1))?.status, { timeout: 10_000 })
        .toBe('succeeded');
    } finally {
      await worker.stop();
    }
    expect((await queue.get(job.id))?.state).toBe('succeeded');
    // The second pass found the identities the first one read: one identity call, one a day.
    const calls = simulator.callLog.entries.map(
      (entry) => `${entry.path} ${entry.params.query_date ?? ''} ${entry.params.iccids ?? ''}`,
    );
    expect(calls).toHaveLength(3);
    expect(new Set(calls).size).toBe(3);
  });

  it('lets the daily run take the place of an hourly run whose slices still wait in the queue', async () => {
    const fixture = await setup(credentials.password);
    store = fixture.store;
    const { queue, context, simulator } = fixture;
    const handlers = jobHandlers(context, { queue });
    const planOnly = { sync: handlers.sync! };
    const hourly = await queue.enqueue({
      name: 'sync',
      payload: { account: 'east', days: 0, sliceSize: 5 },
    });
    await queue.drain(planOnly);
    const hourlyRun = ((await queue.get(hourly.id))!.result as SyncJobResult).accounts[0]!.runId;
    // The 09:30 run is planned while the hourly run's slices are still queued ahead of it.
    const daily = await queue.enqueue({
      name: 'sync',
      payload: { account: 'east', days: 2, sliceSize: 5 },
    });
    await queue.drain(planOnly);
    const dailyRun = ((await queue.get(daily.id))!.result as SyncJobResult).accounts[0]!.runId;
    expect(dailyRun).not.toBe(hourlyRun);
    expect(await store.syncRuns.get(hourlyRun)).toMatchObject({ status: 'superseded', calls: 0 });

    await queue.drain(handlers);
    const slices = await queue.list({ name: 'sync-slice' });
    expect(slices.every((slice) => slice.state === 'succeeded')).toBe(true);
    expect(await store.syncRuns.get(dailyRun)).toMatchObject({
      status: 'succeeded',
      cards: 12,
      synced: 12,
    });
    expect((await store.syncRuns.get(hourlyRun))?.status).toBe('superseded');
    // Only the daily run asked: each card's identities and each day's usage once.
    const calls = simulator.callLog.entries.map(
      (entry) => `${entry.path} ${entry.params.query_date ?? ''} ${entry.params.iccids ?? ''}`,
    );
    expect(calls).toHaveLength(3 + 3 * 2);
    expect(new Set(calls).size).toBe(calls.length);
  });

  it('settles the remaining slices with the reason when a slice stopped the run', async () => {
    const fixture = await setup('wrong-password');
    store = fixture.store;
    const { queue, context, simulator } = fixture;
    const job = await queue.enqueue({
      name: 'sync',
      payload: { account: 'west', days: 1, sliceSize: 3 },
    });
    await queue.drain(jobHandlers(context, { queue }));
    const runId = ((await queue.get(job.id))!.result as SyncJobResult).accounts[0]!.runId;
    const run = await store.syncRuns.get(runId);
    expect(run).toMatchObject({ status: 'failed', cards: 8, failed: 8 });
    // The first slice found the credentials refused; the other two never called the supplier.
    expect(simulator.callLog.total).toBe(1);
    const results = (await queue.list({ name: 'sync-slice' })).map(
      (slice) => slice.result as SyncSliceJobResult,
    );
    expect(results.every((result) => result.stoppedBy !== null)).toBe(true);
  });
});
