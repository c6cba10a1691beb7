import { SimdockError } from '../domain/errors.js';
import type {
  EnqueueOptions,
  JobListFilter,
  JobProgress,
  JobRecord,
  JobState,
} from '../services/job-queue.js';
import type { QueueJobRow, QueueJobTransaction, Store } from '../store/index.js';

export type JobRow = QueueJobRow;

/** Attempts a job gets when the caller names none. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** A job row that a worker has taken, with the lease it holds. */
export interface ClaimedJob {
  record: JobRecord;
  workerId: string;
}

/** Parses a job id as written by `JobRecord.id`; null when it cannot name a job. */
export function parseJobId(id: string): number | null {
  return /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : null;
}

function parseJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

/** The stored row as the queue interface shows it. */
export function toJobRecord(row: JobRow): JobRecord {
  return {
    id: String(row.id),
    name: row.name,
    payload: parseJson(row.payload),
    queue: row.queue,
    key: row.key,
    state: row.state as JobState,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    runAt: Number(row.run_at),
    createdAt: Number(row.created_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    progress: parseJson(row.progress) as JobProgress | null,
    result: row.result === null ? null : parseJson(row.result),
    lastError: row.last_error,
    createdBy: row.created_by,
  };
}

/** Checks what a caller asks to enqueue before anything is written. */
export function validateEnqueue(options: EnqueueOptions<unknown>): void {
  if (typeof options.name !== 'string' || options.name.trim() === '') {
    throw new SimdockError('invalid_argument', 'a job needs a name');
  }
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 1000) {
    throw new SimdockError('invalid_argument', 'maxAttempts must be an integer from 1 to 1000', {
      details: { maxAttempts },
    });
  }
  if (options.runAt !== undefined && !Number.isSafeInteger(options.runAt)) {
    throw new SimdockError('invalid_argument', 'runAt must be epoch milliseconds');
  }
}

/**
 * The record of every job (`store.queueJobs`, the `jobs` table) as the queue interface shows it:
 * enqueue, `get` and `list`, whichever implementation distributes the work. Claims, leases,
 * progress, cancels and outcomes go to `store.queueJobs` directly.
 */
export class JobsRepository {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Inserts a pending job, or returns the live (pending or running) job holding the same key.
   * `afterInsert` runs in the same transaction (graphile-worker's `add_job` on PostgreSQL).
   */
  async insert(
    options: EnqueueOptions<unknown>,
    now: number,
    afterInsert?: (transaction: QueueJobTransaction, row: JobRow) => Promise<void>,
  ): Promise<{ record: JobRecord; created: boolean }> {
    validateEnqueue(options);
    const { row, created } = await this.#store.queueJobs.insert(
      {
        name: options.name,
        payload: JSON.stringify(options.payload ?? null),
        queue: options.queue ?? null,
        key: options.key ?? null,
        maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        runAt: options.runAt ?? now,
        createdAt: now,
        createdBy: options.createdBy ?? null,
      },
      afterInsert,
    );
    return { record: toJobRecord(row), created };
  }

  async get(id: string): Promise<JobRecord | null> {
    const numeric = parseJobId(id);
    const row = numeric === null ? undefined : await this.#store.queueJobs.row(numeric);
    return row ? toJobRecord(row) : null;
  }

  /** Newest first. */
  async list(filter: JobListFilter = {}): Promise<JobRecord[]> {
    const limit = filter.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new SimdockError('invalid_argument', 'limit must be a positive integer');
    }
    const rows = await this.#store.queueJobs.list({
      ...(filter.state ? { state: filter.state } : {}),
      ...(filter.name ? { name: filter.name } : {}),
      limit,
    });
    return rows.map(toJobRecord);
  }
}
