import { describe, expect, it, vi } from 'vitest';
import type { JobContext } from '../services/job-queue.js';
import { describeEachDialect } from '../store/store.test-support.js';
import { retryDelayMs } from './job-execution.js';
import { TEST_LEASE_MS, useQueueHarness } from './job-queue-conformance.test-support.js';

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const waitOptions = { timeout: 10_000, interval: 10 };

describeEachDialect('job queue conformance ($dialect)', (target) => {
  const harness = useQueueHarness(target);

  it('stores what was enqueued and lists it newest first, filtered', async () => {
    const { queue, clock } = harness.current;
    const first = await queue.enqueue({
      name: 'sync',
      payload: { account: 'a' },
      createdBy: 'cli',
    });
    expect(first).toMatchObject({
      name: 'sync',
      payload: { account: 'a' },
      queue: null,
      key: null,
      state: 'pending',
      attempts: 0,
      maxAttempts: 5,
      runAt: clock.now(),
      createdAt: clock.now(),
      startedAt: null,
      finishedAt: null,
      progress: null,
      result: null,
      lastError: null,
      createdBy: 'cli',
    });
    const second = await queue.enqueue({ name: 'report', payload: null, maxAttempts: 2 });
    expect(await queue.get(first.id)).toEqual(first);
    expect((await queue.list()).map((job) => job.id)).toEqual([second.id, first.id]);
    expect((await queue.list({ name: 'report' })).map((job) => job.id)).toEqual([second.id]);
    expect(await queue.list({ state: 'running' })).toEqual([]);
    expect(await queue.list({ limit: 1 })).toHaveLength(1);
    expect(await queue.get('999999')).toBeNull();
    expect(await queue.get('not-an-id')).toBeNull();
    await expect(queue.enqueue({ name: 'x', payload: 1, maxAttempts: 0 })).rejects.toThrow(
      /maxAttempts/,
    );
  });

  it('dedupes by key while the job is pending or running, not after it ended', async () => {
    const { queue } = harness.current;
    const first = await queue.enqueue({ name: 'sync', payload: { n: 1 }, key: 'sync:a' });
    const again = await queue.enqueue({ name: 'sync', payload: { n: 2 }, key: 'sync:a' });
    expect(again.id).toBe(first.id);
    expect(again.payload).toEqual({ n: 1 });
    const ran: unknown[] = [];
    await queue.drain({ sync: async (payload) => ran.push(payload) });
    expect(ran).toEqual([{ n: 1 }]);
    const later = await queue.enqueue({ name: 'sync', payload: { n: 3 }, key: 'sync:a' });
    expect(later.id).not.toBe(first.id);
    expect(await queue.list()).toHaveLength(2);
  });

  it('does not start a job before its runAt', async () => {
    const { queue, clock, advance } = harness.current;
    const job = await queue.enqueue({ name: 'later', payload: null, runAt: clock.now() + 60_000 });
    const handlers = { later: vi.fn(async () => 'done') };
    await queue.drain(handlers);
    expect(handlers.later).not.toHaveBeenCalled();
    await advance(60_000);
    await queue.drain(handlers);
    expect(handlers.later).toHaveBeenCalledTimes(1);
    expect(await queue.get(job.id)).toMatchObject({ state: 'succeeded', result: 'done' });
  });

  it('retries with exponential backoff until maxAttempts, then fails with the last error', async () => {
    const { queue, clock, advance } = harness.current;
    const job = await queue.enqueue({ name: 'flaky', payload: null, maxAttempts: 3 });
    let calls = 0;
    const handlers = {
      flaky: async () => {
        calls += 1;
        throw new Error(`boom ${calls}`);
      },
    };
    await queue.drain(handlers);
    const afterFirst = await queue.get(job.id);
    expect(afterFirst).toMatchObject({ state: 'pending', attempts: 1, lastError: 'boom 1' });
    expect(afterFirst!.runAt).toBe(clock.now() + retryDelayMs(1));
    await queue.drain(handlers);
    expect(calls).toBe(1);
    await advance(retryDelayMs(1) + 1_000);
    await queue.drain(handlers);
    expect(await queue.get(job.id)).toMatchObject({ state: 'pending', attempts: 2 });
    expect(retryDelayMs(2)).toBeGreaterThan(retryDelayMs(1));
    await advance(retryDelayMs(2) + 1_000);
    await queue.drain(handlers);
    expect(calls).toBe(3);
    const failed = await queue.get(job.id);
    expect(failed).toMatchObject({ state: 'failed', attempts: 3, lastError: 'boom 3' });
    expect(failed!.finishedAt).toBe(clock.now());
    await advance(retryDelayMs(3) + 1_000);
    await queue.drain(handlers);
    expect(calls).toBe(3);
  });

  it('runs the jobs of a named queue one at a time, in order', async () => {
    const { queue } = harness.current;
    const gates = new Map<number, ReturnType<typeof gate>>();
    const started: number[] = [];
    for (const n of [1, 2, 3]) {
      gates.set(n, gate());
      await queue.enqueue({ name: 'serial', payload: n, queue: 'account:a' });
    }
    await queue.enqueue({ name: 'free', payload: null });
    const free = gate();
    const worker = await queue.work(
      {
        serial: async (n: number) => {
          started.push(n);
          await gates.get(n)!.promise;
        },
        free: async () => free.open(),
      },
      { concurrency: 4, pollIntervalMs: 20 },
    );
    try {
      await vi.waitFor(() => expect(started).toEqual([1]), waitOptions);
      await free.promise;
      // A free slot and a due job of the queue, yet it waits for job 1.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(started).toEqual([1]);
      gates.get(1)!.open();
      await vi.waitFor(() => expect(started).toEqual([1, 2]), waitOptions);
      gates.get(2)!.open();
      await vi.waitFor(() => expect(started).toEqual([1, 2, 3]), waitOptions);
      gates.get(3)!.open();
      await vi.waitFor(
        async () => expect(await queue.list({ state: 'succeeded' })).toHaveLength(4),
        waitOptions,
      );
    } finally {
      for (const item of gates.values()) item.open();
      await worker.stop();
    }
  });

  it('cancels a pending job: it never runs, and a second cancel says it had ended', async () => {
    const { queue, clock } = harness.current;
    const job = await queue.enqueue({ name: 'sync', payload: null, key: 'k' });
    expect(await queue.cancel(job.id)).toBe(true);
    expect(await queue.get(job.id)).toMatchObject({
      state: 'cancelled',
      finishedAt: clock.now(),
    });
    const handlers = { sync: vi.fn(async () => null) };
    await queue.drain(handlers);
    expect(handlers.sync).not.toHaveBeenCalled();
    expect(await queue.cancel(job.id)).toBe(false);
    expect(await queue.cancel('424242')).toBe(false);
    // The key is free again once the job ended.
    expect((await queue.enqueue({ name: 'sync', payload: null, key: 'k' })).id).not.toBe(job.id);
  });

  it('cancels a running job from another process by aborting its signal', async () => {
    const { queue, openQueue } = harness.current;
    const job = await queue.enqueue({ name: 'long', payload: null, maxAttempts: 5 });
    let seen: unknown;
    const worker = await queue.work(
      {
        long: (_payload, context: JobContext) =>
          new Promise((_resolve, reject) => {
            context.abortSignal.addEventListener('abort', () => {
              seen = context.abortSignal.reason;
              reject(context.abortSignal.reason);
            });
          }),
      },
      { pollIntervalMs: 20 },
    );
    try {
      await vi.waitFor(
        async () => expect((await queue.get(job.id))?.state).toBe('running'),
        waitOptions,
      );
      const other = await openQueue();
      expect(await other.cancel(job.id)).toBe(true);
      await vi.waitFor(
        async () => expect((await queue.get(job.id))?.state).toBe('cancelled'),
        waitOptions,
      );
      expect(String(seen)).toMatch(/cancelled/);
      expect(await other.cancel(job.id)).toBe(false);
      const cancelled = await queue.get(job.id);
      expect(cancelled).toMatchObject({ attempts: 1, lastError: null });
      expect(cancelled!.finishedAt).not.toBeNull();
    } finally {
      await worker.stop();
    }
  });

  it('shows progress while running and keeps the last one with the result', async () => {
    const { queue } = harness.current;
    const job = await queue.enqueue({ name: 'counted', payload: null });
    const release = gate();
    const reported = gate();
    const worker = await queue.work(
      {
        counted: async (_payload, context: JobContext) => {
          await context.progress({ done: 1, total: 3, message: 'first' });
          // Within the throttle interval: kept in memory, written when the job ends.
          await context.progress({ done: 2, total: 3, message: 'second' });
          reported.open();
          await release.promise;
          return { synced: 2 };
        },
      },
      { pollIntervalMs: 20 },
    );
    try {
      await reported.promise;
      expect(await queue.get(job.id)).toMatchObject({
        state: 'running',
        attempts: 1,
        progress: { done: 1, total: 3, message: 'first' },
      });
      expect((await queue.list({ state: 'running' })).map((item) => item.id)).toEqual([job.id]);
      release.open();
      await vi.waitFor(
        async () => expect((await queue.get(job.id))?.state).toBe('succeeded'),
        waitOptions,
      );
      expect(await queue.get(job.id)).toMatchObject({
        progress: { done: 2, total: 3, message: 'second' },
        result: { synced: 2 },
      });
    } finally {
      release.open();
      await worker.stop();
    }
  });

  it("takes back a crashed worker's job once its lease expires", async () => {
    const { queue, simulateCrashedWorker, advance } = harness.current;
    const job = await queue.enqueue({ name: 'sync', payload: null });
    await simulateCrashedWorker(job.id);
    const handlers = { sync: vi.fn(async () => 'recovered') };
    await queue.drain(handlers);
    expect(handlers.sync).not.toHaveBeenCalled();
    expect((await queue.get(job.id))?.state).toBe('running');
    await advance(TEST_LEASE_MS + 1);
    await queue.drain(handlers);
    expect(handlers.sync).toHaveBeenCalledTimes(1);
    expect(await queue.get(job.id)).toMatchObject({
      state: 'succeeded',
      attempts: 2,
      result: 'recovered',
    });
  });

  it('runs a job whose worker died between taking it and starting it, a lease later', async () => {
    const { queue, simulateDiedBeforeStart, advance } = harness.current;
    // A serial queue: its lock must be given back too, or the queue's later jobs wait as well.
    const job = await queue.enqueue({ name: 'sync', payload: null, queue: 'account:a' });
    const next = await queue.enqueue({ name: 'sync', payload: null, queue: 'account:a' });
    await simulateDiedBeforeStart(job.id);
    const handlers = { sync: vi.fn(async () => 'ran') };
    await advance(TEST_LEASE_MS + 1);
    await queue.drain(handlers);
    expect(handlers.sync).toHaveBeenCalledTimes(2);
    expect(await queue.get(job.id)).toMatchObject({ state: 'succeeded', result: 'ran' });
    expect(await queue.get(next.id)).toMatchObject({ state: 'succeeded', result: 'ran' });
  });

  it('leaves a job taken less than a lease ago to the worker that took it', async () => {
    const { queue, simulateDiedBeforeStart, advance, store } = harness.current;
    const job = await queue.enqueue({ name: 'sync', payload: null });
    await simulateDiedBeforeStart(job.id);
    await advance(TEST_LEASE_MS - 1_000);
    const handlers = { sync: vi.fn(async () => 'ran') };
    await queue.drain(handlers);
    expect(handlers.sync).toHaveBeenCalledTimes(store.dialect === 'postgres' ? 0 : 1);
  });

  it('fails a crashed job that had used its last attempt', async () => {
    const { queue, simulateCrashedWorker, advance } = harness.current;
    const job = await queue.enqueue({ name: 'sync', payload: null, maxAttempts: 1 });
    await simulateCrashedWorker(job.id);
    await advance(TEST_LEASE_MS + 1);
    const handlers = { sync: vi.fn(async () => null) };
    await queue.drain(handlers);
    expect(handlers.sync).not.toHaveBeenCalled();
    expect(await queue.get(job.id)).toMatchObject({ state: 'failed', attempts: 1 });
    expect((await queue.get(job.id))?.lastError).toMatch(/lease/);
  });

  it('never runs one job twice with two workers on one database', async () => {
    const { queue, openQueue } = harness.current;
    const other = await openQueue();
    const runs: string[] = [];
    const handlers = {
      work: async (_payload: unknown, context: JobContext) => {
        runs.push(context.job.id);
        await new Promise((resolve) => setTimeout(resolve, 2));
      },
    };
    const ids = new Set<string>();
    for (let n = 0; n < 30; n += 1) {
      ids.add((await queue.enqueue({ name: 'work', payload: n })).id);
    }
    const workers = [
      await queue.work(handlers, { concurrency: 3, pollIntervalMs: 20 }),
      await other.work(handlers, { concurrency: 3, pollIntervalMs: 20 }),
    ];
    try {
      await vi.waitFor(
        async () => expect(await queue.list({ state: 'succeeded', limit: 100 })).toHaveLength(30),
        waitOptions,
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
    expect(runs).toHaveLength(30);
    expect(new Set(runs)).toEqual(ids);
  });

  it('takes only jobs it has a handler for', async () => {
    const { queue } = harness.current;
    const job = await queue.enqueue({ name: 'unknown-task', payload: null });
    await queue.drain({ other: async () => null });
    await queue.drain({});
    expect((await queue.get(job.id))?.state).toBe('pending');
  });
});

describe('retryDelayMs', () => {
  it("follows graphile-worker's e^attempts seconds, capped at attempt 10", () => {
    expect(retryDelayMs(1)).toBe(2718);
    expect(retryDelayMs(2)).toBe(7389);
    expect(retryDelayMs(10)).toBe(retryDelayMs(25));
  });
});
