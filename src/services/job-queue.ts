/**
 * The job queue services use for work that outlives a request: syncs, bulk lifecycle jobs,
 * webhook deliveries. Two implementations honour it: an embedded one on SQLite (leases, so a
 * crashed process's jobs are taken up again) and graphile-worker on PostgreSQL (many nodes).
 * Services depend on this interface only.
 */

export type JobState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  done: number;
  total: number;
  message?: string;
}

/** A job as stored: what to run, and what became of it. */
export interface JobRecord<Payload = unknown> {
  id: string;
  /** The task name; a handler of that name runs it. */
  name: string;
  payload: Payload;
  /** Jobs of one named queue run one at a time, in order; null = no ordering. */
  queue: string | null;
  /** Dedupe key: enqueuing a key that is pending or running returns that job. */
  key: string | null;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  /** Epoch ms before which the job does not start. */
  runAt: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  progress: JobProgress | null;
  /** The handler's return value (JSON), when it succeeded. */
  result: unknown;
  /** The last failure's message. */
  lastError: string | null;
  /** Who asked for it (a user, an API key, `scheduler`, `cli`). */
  createdBy: string | null;
}

export interface EnqueueOptions<Payload> {
  name: string;
  payload: Payload;
  queue?: string;
  key?: string;
  runAt?: number;
  /** Attempts before the job fails for good (default 5); retries back off exponentially. */
  maxAttempts?: number;
  createdBy?: string;
}

/** What a handler gets besides its payload. */
export interface JobContext {
  job: JobRecord;
  /** Aborted when the job is cancelled or the worker stops. */
  abortSignal: AbortSignal;
  /** Records progress (throttled by the implementation); visible through `get` and `list`. */
  progress(progress: JobProgress): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: handlers are keyed by name with their own payloads.
export type JobHandler<Payload = any> = (payload: Payload, context: JobContext) => Promise<unknown>;

export type JobHandlers = Record<string, JobHandler>;

export interface JobListFilter {
  state?: JobState;
  name?: string;
  limit?: number;
}

export interface WorkerOptions {
  /** Jobs run at once by this process (default 2). */
  concurrency?: number;
  /** How often to look for due jobs when idle, in ms (default 500). */
  pollIntervalMs?: number;
}

/** A running worker: stop it to finish the jobs in hand and take no more. */
export interface JobWorker {
  stop(): Promise<void>;
}

export interface JobQueue {
  enqueue<Payload>(options: EnqueueOptions<Payload>): Promise<JobRecord<Payload>>;
  get(id: string): Promise<JobRecord | null>;
  list(filter?: JobListFilter): Promise<JobRecord[]>;
  /** Cancels a pending job, or asks a running one to stop; false when it had already ended. */
  cancel(id: string): Promise<boolean>;
  /** Starts taking jobs in this process. */
  work(handlers: JobHandlers, options?: WorkerOptions): Promise<JobWorker>;
  /** Runs due jobs until none is left (tests, one-shot CLI commands). */
  drain(handlers: JobHandlers): Promise<void>;
  close(): Promise<void>;
}
