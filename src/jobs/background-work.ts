import type { ServiceContext } from '../services/context.js';
import type { JobHandlers, JobQueue, JobWorker } from '../services/job-queue.js';
import { createJobQueue } from './create-job-queue.js';
import { jobHandlers } from './handlers.js';
import {
  createScheduler,
  defaultScheduleEntries,
  type ScheduleEntry,
  type Scheduler,
} from './scheduler.js';

export interface BackgroundWorkOptions {
  context: ServiceContext;
  /** The URL the store was opened with (graphile-worker and the leader lock on PostgreSQL). */
  databaseUrl: string;
  /** Jobs run at once (default 2). */
  concurrency?: number;
  /** Run the scheduler when this process leads (default true). */
  schedule?: boolean;
  entries?: ScheduleEntry[];
  /** Default: every handler simdock has (`jobHandlers`). */
  handlers?: JobHandlers;
  pollIntervalMs?: number;
  tickIntervalMs?: number;
}

/** A process's background work: a worker taking jobs, and the scheduler while leader. */
export interface BackgroundWork {
  queue: JobQueue;
  scheduler: Scheduler | null;
  worker: JobWorker;
  /** Stops scheduling and taking jobs, lets the jobs in hand end, closes the queue. */
  stop(): Promise<void>;
}

/**
 * Starts running jobs in this process: what `simdock worker` does, and what `simdock serve`
 * does beside the API when asked to run jobs too.
 */
export async function startBackgroundWork(options: BackgroundWorkOptions): Promise<BackgroundWork> {
  const { context } = options;
  const queue = await createJobQueue(context.store, {
    clock: context.clock,
    databaseUrl: options.databaseUrl,
  });
  const worker = await queue.work(options.handlers ?? jobHandlers(context, { queue }), {
    concurrency: options.concurrency ?? 2,
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  const scheduler =
    options.schedule === false
      ? null
      : createScheduler(queue, context.store, {
          entries: options.entries ?? defaultScheduleEntries(),
          clock: context.clock,
          databaseUrl: options.databaseUrl,
          ...(options.tickIntervalMs ? { tickIntervalMs: options.tickIntervalMs } : {}),
        });
  scheduler?.start();
  let stopping: Promise<void> | null = null;
  return {
    queue,
    scheduler,
    worker,
    stop() {
      stopping ??= (async () => {
        await scheduler?.stop();
        await worker.stop();
        await queue.close();
      })();
      return stopping;
    },
  };
}
