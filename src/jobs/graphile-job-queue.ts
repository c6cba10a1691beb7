import {
  Logger,
  type Runner,
  run,
  runMigrations,
  runOnce,
  type Task,
  type TaskList,
} from 'graphile-worker';
import pg from 'pg';
import { type Clock, SimdockError, systemClock } from '../domain/index.js';
import type {
  EnqueueOptions,
  JobHandler,
  JobHandlers,
  JobListFilter,
  JobQueue,
  JobRecord,
  JobWorker,
  WorkerOptions,
} from '../services/job-queue.js';
import type { GraphileJobsRepository, Store } from '../store/index.js';
import { type ExecutionOptions, executeJob, JobCancelledError } from './job-execution.js';
import {
  DEFAULT_CHECK_INTERVAL_MS,
  DEFAULT_LEASE_MS,
  DEFAULT_PROGRESS_INTERVAL_MS,
  type JobQueueOptions,
  newWorkerId,
} from './job-queue-options.js';
import { JobsRepository, parseJobId } from './jobs-repository.js';

/** graphile-worker's job key for the simdock job with this id. */
function graphileKey(id: number | string): string {
  return `simdock-job:${id}`;
}

/**
 * graphile-worker's schema for a store: `graphile_worker` beside simdock's tables in `public`,
 * else `<schema>_graphile_worker`, so that two simdock schemas in one database never run each
 * other's jobs.
 */
export async function graphileSchemaFor(store: Store): Promise<string> {
  const schema = await store.graphileJobs.currentSchema();
  return schema === 'public' ? 'graphile_worker' : `${schema}_graphile_worker`;
}

/**
 * The job queue on PostgreSQL: simdock's `jobs` table keeps the record (state, progress,
 * result, last error) and graphile-worker distributes the work over every node. Enqueuing
 * writes the row and graphile-worker's job in one transaction (`add_job`, its payload naming the
 * row, `queue_name` for serial queues, `max_attempts` and its exponential backoff). The same
 * lease as on SQLite guards each run: when a node stops renewing it, the jobs its graphile-worker
 * held are unlocked (`force_unlock_workers`) and run again.
 */
export class GraphileJobQueue implements JobQueue {
  readonly #store: Store;
  readonly #repository: JobsRepository;
  readonly #graphile: GraphileJobsRepository;
  readonly #clock: Clock;
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #logger: Logger;
  readonly #leaseMs: number;
  readonly #checkIntervalMs: number;
  readonly #progressIntervalMs: number;
  readonly #running = new Map<string, AbortController>();
  readonly #workers = new Set<JobWorker>();
  #closed = false;

  private constructor(
    store: Store,
    pool: pg.Pool,
    schema: string,
    logger: Logger,
    options: JobQueueOptions,
  ) {
    this.#store = store;
    this.#repository = new JobsRepository(store);
    this.#graphile = store.graphileJobs;
    this.#clock = options.clock ?? systemClock;
    this.#pool = pool;
    this.#schema = schema;
    this.#logger = logger;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#checkIntervalMs = options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
    this.#progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  }

  /** Opens graphile-worker's pool and brings its schema up to date. */
  static async open(store: Store, options: JobQueueOptions = {}): Promise<GraphileJobQueue> {
    if (!options.databaseUrl) {
      throw new SimdockError('config_error', 'the PostgreSQL job queue needs the database URL');
    }
    const schema = options.workerSchema ?? (await graphileSchemaFor(store));
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 32 });
    // A connection the server drops must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    pool.on('connect', (client) => {
      client.on('error', () => {});
    });
    const log =
      options.log ??
      ((level: string, message: string) => {
        if (level === 'error' || level === 'warning') process.stderr.write(`${message}\n`);
      });
    const logger = new Logger(() => (level, message) => log(level, message));
    try {
      await runMigrations({ pgPool: pool, schema, logger });
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return new GraphileJobQueue(store, pool, schema, logger, options);
  }

  /** graphile-worker's schema (tests move its clock through it). */
  get workerSchema(): string {
    return this.#schema;
  }

  async enqueue<Payload>(options: EnqueueOptions<Payload>): Promise<JobRecord<Payload>> {
    const now = this.#clock.now();
    const { record } = await this.#repository.insert(options, now, async (transaction, row) => {
      // graphile-worker compares run_at with the database's clock: carry over the delay only.
      const delayMs = Math.max(0, Number(row.run_at) - now);
      await this.#graphile.addJob(transaction, this.#schema, {
        name: row.name,
        payload: { jobId: String(row.id) },
        queue: row.queue,
        delayMs,
        maxAttempts: Number(row.max_attempts),
        key: graphileKey(row.id),
      });
    });
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
    if (await this.#store.queueJobs.cancelPending(numeric, this.#clock.now())) {
      // Should a worker have fetched it meanwhile, it finds the row cancelled and skips it.
      await this.#graphile.removeJob(this.#schema, graphileKey(numeric));
      return true;
    }
    if (!(await this.#store.queueJobs.requestCancel(numeric))) return false;
    this.#running.get(id)?.abort(new JobCancelledError(id));
    return true;
  }

  /**
   * Takes back jobs whose lease expired and unlocks their graphile-worker jobs; then unlocks
   * graphile-worker's jobs held a lease long with no run behind them (a worker that died between
   * taking a job and starting it, or between these two steps).
   */
  async #reclaim(): Promise<void> {
    const reclaimed = await this.#store.queueJobs.reclaimExpired(this.#clock.now());
    const workers = [...new Set(reclaimed.flatMap((job) => (job.lockedBy ? [job.lockedBy] : [])))];
    if (workers.length > 0) await this.#graphile.forceUnlockWorkers(this.#schema, workers);
    await this.#graphile.unlockLost(this.#schema, graphileKey(''), this.#leaseMs);
  }

  #taskList(handlers: JobHandlers, stopSignal: AbortSignal): TaskList {
    const taskList: TaskList = {};
    for (const [name, handler] of Object.entries(handlers)) {
      taskList[name] = this.#task(handler, stopSignal);
    }
    return taskList;
  }

  #task(handler: JobHandler, stopSignal: AbortSignal): Task {
    return async (payload, helpers) => {
      const id = parseJobId(String((payload as { jobId?: unknown } | null)?.jobId ?? ''));
      if (id === null) return;
      const workerId = helpers.job.locked_by ?? newWorkerId();
      const now = this.#clock.now();
      const row = await this.#store.queueJobs.start(id, {
        workerId,
        lockedUntil: now + this.#leaseMs,
        now,
        attempts: helpers.job.attempts,
      });
      // Cancelled, ended, or held by a live worker: nothing to run.
      if (!row) return;
      const execution: ExecutionOptions = {
        repository: this.#store.queueJobs,
        clock: this.#clock,
        workerId,
        leaseMs: this.#leaseMs,
        checkIntervalMs: this.#checkIntervalMs,
        progressIntervalMs: this.#progressIntervalMs,
        stopSignal: AbortSignal.any([stopSignal, helpers.abortSignal]),
        running: this.#running,
      };
      const outcome = await executeJob(row, handler, execution);
      // Throwing hands the failure to graphile-worker: it retries with backoff until max_attempts.
      if (outcome.state === 'retry' || outcome.state === 'failed') throw new Error(outcome.error);
    };
  }

  async drain(handlers: JobHandlers): Promise<void> {
    if (Object.keys(handlers).length === 0) return;
    await this.#reclaim();
    await runOnce({
      pgPool: this.#pool,
      schema: this.#schema,
      logger: this.#logger,
      noHandleSignals: true,
      taskList: this.#taskList(handlers, new AbortController().signal),
    });
  }

  async work(handlers: JobHandlers, options: WorkerOptions = {}): Promise<JobWorker> {
    const stop = new AbortController();
    const pollIntervalMs = options.pollIntervalMs ?? 500;
    let runner: Runner | null = null;
    if (Object.keys(handlers).length > 0) {
      runner = await run({
        pgPool: this.#pool,
        schema: this.#schema,
        logger: this.#logger,
        noHandleSignals: true,
        concurrency: Math.max(1, Math.min(options.concurrency ?? 2, 30)),
        pollInterval: pollIntervalMs,
        taskList: this.#taskList(handlers, stop.signal),
      });
    }
    let sweeping: Promise<void> = Promise.resolve();
    const sweeper = setInterval(() => {
      sweeping = sweeping.then(() => this.#reclaim().catch(() => {}));
    }, pollIntervalMs);
    sweeper.unref?.();
    const worker: JobWorker = {
      stop: async () => {
        this.#workers.delete(worker);
        clearInterval(sweeper);
        stop.abort();
        await sweeping;
        await runner?.stop();
      },
    };
    this.#workers.add(worker);
    return worker;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#workers].map((worker) => worker.stop()));
    await this.#pool.end();
  }
}
