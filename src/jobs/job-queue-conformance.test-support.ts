import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { ManualClock } from '../domain/clock.js';
import type { JobQueue } from '../services/job-queue.js';
import type { Store } from '../store/index.js';
import {
  advanceGraphileJobs,
  crashGraphileJob,
  crashJob,
  dropSchema,
  lockedGraphileJobs,
} from '../store/job-queue.test-support.js';
import {
  openTestStore,
  type StoreTestTarget,
  type TestStore,
} from '../store/store.test-support.js';
import { createJobQueue } from './create-job-queue.js';
import { GraphileJobQueue } from './graphile-job-queue.js';
import type { JobQueueOptions } from './job-queue-options.js';
import { parseJobId } from './jobs-repository.js';

/** The lease the conformance suite runs with (clock time). */
export const TEST_LEASE_MS = 30_000;

/** A store and queues on it for one test, with the means to move time and fake a crash. */
export interface QueueHarness {
  store: Store;
  clock: ManualClock;
  /** The URL the store was opened with. */
  url: string;
  /** The queue under test. */
  queue: JobQueue;
  /** Opens another queue on the same database (a second process). */
  openQueue(): Promise<JobQueue>;
  /**
   * Moves time forward: the ManualClock, and on PostgreSQL graphile-worker's schedule (it
   * compares run_at with the database clock), so backoff and runAt pass without sleeping.
   */
  advance(ms: number): Promise<void>;
  /** Leaves a job as a crashed worker would: running, attempt counted, lease not renewed. */
  simulateCrashedWorker(id: string): Promise<void>;
  /**
   * Leaves a job as a worker that died between taking it and starting it would: on
   * PostgreSQL, graphile-worker's job (and queue) locked, simdock's row still pending. The
   * embedded queue takes and starts a job in one transaction, so there it changes nothing.
   */
  simulateDiedBeforeStart(id: string): Promise<void>;
}

function queueOptions(test: TestStore): JobQueueOptions {
  return {
    clock: test.clock,
    leaseMs: TEST_LEASE_MS,
    checkIntervalMs: 20,
    databaseUrl: test.url,
    log: () => {},
  };
}

/** A fresh store and queue for every test of the enclosing describe. */
export function useQueueHarness(target: StoreTestTarget): { readonly current: QueueHarness } {
  let current: QueueHarness | undefined;
  let test: TestStore | undefined;
  const queues: JobQueue[] = [];
  beforeEach(async () => {
    test = await openTestStore(target.dialect);
    const opened = test;
    const openQueue = async () => {
      const queue = await createJobQueue(opened.store, queueOptions(opened));
      queues.push(queue);
      return queue;
    };
    const queue = await openQueue();
    const workerSchema = queue instanceof GraphileJobQueue ? queue.workerSchema : null;
    current = {
      store: opened.store,
      clock: opened.clock,
      url: opened.url,
      queue,
      openQueue,
      async advance(ms) {
        opened.clock.advance(ms);
        if (workerSchema) {
          // graphile-worker may record a failure just after the run returns: wait for it.
          await vi.waitFor(async () => {
            expect(await lockedGraphileJobs(opened.store, workerSchema)).toBe(0);
          });
          await advanceGraphileJobs(opened.store, workerSchema, ms);
        }
      },
      async simulateCrashedWorker(id) {
        await crashJob(opened.store, parseJobId(id), {
          now: opened.clock.now(),
          lockedUntil: opened.clock.now() + TEST_LEASE_MS,
        });
        if (workerSchema) {
          await crashGraphileJob(opened.store, workerSchema, `simdock-job:${id}`);
        }
      },
      async simulateDiedBeforeStart(id) {
        if (workerSchema) {
          await crashGraphileJob(opened.store, workerSchema, `simdock-job:${id}`);
        }
      },
    };
  });
  afterEach(async () => {
    const workerSchema = queues.find(
      (queue): queue is GraphileJobQueue => queue instanceof GraphileJobQueue,
    )?.workerSchema;
    for (const queue of queues.splice(0)) await queue.close();
    if (workerSchema && test) {
      await dropSchema(test.store, workerSchema);
    }
    await test?.dispose();
    test = undefined;
    current = undefined;
  });
  return {
    get current() {
      if (!current) throw new Error('no queue harness outside a test');
      return current;
    },
  };
}
