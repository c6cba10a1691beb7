import { type Clock, systemClock } from '../domain/index.js';
import type {
  EnqueueOptions,
  JobHandlers,
  JobListFilter,
  JobQueue,
  JobRecord,
  JobWorker,
  WorkerOptions,
} from '../services/job-queue.js';
import type { Store } from '../store/index.js';
import { type ExecutionOptions, executeJob, JobCancelledError } from './job-execution.js';
import {
  DEFAULT_CHECK_INTERVAL_MS,
  DEFAULT_LEASE_MS,
  DEFAULT_PROGRESS_INTERVAL_MS,
  type JobQueueOptions,
  newWorkerId,
} from './job-queue-options.js';
import { type JobRow, JobsRepository, parseJobId } from './jobs-repository.js';

/**
 * The job queue embedded in simdock's SQLite database. A worker claims a due job by writing a
 * lease (`locked_by`, `locked_until`) in one IMMEDIATE transaction, renews it while the handler
 * runs, and a job whose lease ran out (its process crashed) is taken back by the next claim.
 * A named queue runs one job at a time: a job is not claimed while another of its queue runs.
 */
export class EmbeddedJobQueue implements JobQueue {
  readonly #store: Store;
  readonly #repository: JobsRepository;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #checkIntervalMs: number;
  readonly #progressIntervalMs: number;
  readonly #running = new Map<string, AbortController>();
  readonly #wakers = new Set<() => void>();
  readonly #workers = new Set<JobWorker>();

  constructor(store: Store, options: JobQueueOptions = {}) {
    this.#store = store;
    this.#repository = new JobsRepository(store);
    this.#clock = options.clock ?? systemClock;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#checkIntervalMs = options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
    this.#progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  }

  async enqueue<Payload>(options: EnqueueOptions<Payload>): Promise<JobRecord<Payload>> {
    const { record } = await this.#repository.insert(options, this.#clock.now());
    for (const wake of this.#wakers) wake();
    return record as JobRecord<Payload>;
  }

  get(id: string): Promise<JobRecord | null> {
    return this.#repository.get(id);
  }

  list(filter?: JobListFilter): Promise<JobRecord[]> {
    return this.#repository.list(filter);
  }

  async cancel(id: string): Promise<boolean> {
    const numeric = parseJobId(id);
    if (numeric === null) return false;
    if (await this.#store.queueJobs.cancelPending(numeric, this.#clock.now())) return true;
    if (!(await this.#store.queueJobs.requestCancel(numeric))) return false;
    this.#running.get(id)?.abort(new JobCancelledError(id));
    return true;
  }

  /** Takes the next due job one of `names` can run, after taking back expired leases. */
  async #claim(names: string[], workerId: string): Promise<JobRow | undefined> {
    const now = this.#clock.now();
    return this.#store.queueJobs.claim(names, { workerId, now, lockedUntil: now + this.#leaseMs });
  }

  #executionOptions(workerId: string, stopSignal: AbortSignal): ExecutionOptions {
    return {
      repository: this.#store.queueJobs,
      clock: this.#clock,
      workerId,
      leaseMs: this.#leaseMs,
      checkIntervalMs: this.#checkIntervalMs,
      progressIntervalMs: this.#progressIntervalMs,
      stopSignal,
      running: this.#running,
    };
  }

  async drain(handlers: JobHandlers): Promise<void> {
    const names = Object.keys(handlers);
    const workerId = newWorkerId();
    const options = this.#executionOptions(workerId, new AbortController().signal);
    for (;;) {
      const row = await this.#claim(names, workerId);
      if (!row) return;
      await executeJob(row, handlers[row.name]!, options);
    }
  }

  async work(handlers: JobHandlers, options: WorkerOptions = {}): Promise<JobWorker> {
    const names = Object.keys(handlers);
    const concurrency = Math.max(1, options.concurrency ?? 2);
    const pollIntervalMs = options.pollIntervalMs ?? 500;
    const workerId = newWorkerId();
    const stop = new AbortController();
    const execution = this.#executionOptions(workerId, stop.signal);
    const active = new Set<Promise<unknown>>();
    let wake: () => void = () => {};
    const waker = () => wake();
    this.#wakers.add(waker);

    const loop = (async () => {
      while (!stop.signal.aborted) {
        let row: JobRow | undefined;
        if (active.size < concurrency) {
          try {
            row = await this.#claim(names, workerId);
          } catch {
            // The database was busy or briefly unreachable: look again after the poll interval.
          }
        }
        if (row) {
          const handler = handlers[row.name]!;
          const run: Promise<unknown> = executeJob(row, handler, execution)
            .catch(() => {})
            .finally(() => {
              active.delete(run);
              wake();
            });
          active.add(run);
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, pollIntervalMs);
          function done() {
            clearTimeout(timer);
            stop.signal.removeEventListener('abort', done);
            resolve();
          }
          wake = done;
          stop.signal.addEventListener('abort', done, { once: true });
        });
      }
    })();

    const worker: JobWorker = {
      stop: async () => {
        this.#wakers.delete(waker);
        this.#workers.delete(worker);
        stop.abort();
        await loop;
        await Promise.all([...active]);
      },
    };
    this.#workers.add(worker);
    return worker;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#workers].map((worker) => worker.stop()));
  }
}
