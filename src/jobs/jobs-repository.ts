import { type Kysely, type Selectable, sql } from 'kysely';
import { SimdockError } from '../domain/errors.js';
import type {
  EnqueueOptions,
  JobListFilter,
  JobProgress,
  JobRecord,
  JobState,
} from '../services/job-queue.js';
import type { Database, Store } from '../store/index.js';

/** The tables the job queue owns (migration 0003), as the store declares them. */
export type JobsTables = Pick<Database, 'jobs' | 'job_schedules'>;

export type JobsDatabase = Kysely<JobsTables>;
export type JobRow = Selectable<JobsTables['jobs']>;

/** Attempts a job gets when the caller names none. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** A job row that a worker has taken, with the lease it holds. */
export interface ClaimedJob {
  record: JobRecord;
  workerId: string;
}

/** A job the lease sweep took back from a worker that stopped renewing it. */
export interface ReclaimedJob {
  id: string;
  lockedBy: string | null;
  state: 'pending' | 'failed';
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

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
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
 * The `jobs` table on either dialect: the record of every job that `get`, `list`, progress and
 * cancel read, whichever implementation distributes the work.
 */
export class JobsRepository {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  get db(): JobsDatabase {
    return this.#store.db.withTables<JobsTables>();
  }

  /**
   * Inserts a pending job, or returns the live (pending or running) job holding the same key.
   * `afterInsert` runs in the same transaction (graphile-worker's `add_job` on PostgreSQL).
   */
  async insert(
    options: EnqueueOptions<unknown>,
    now: number,
    afterInsert?: (transaction: JobsDatabase, row: JobRow) => Promise<void>,
  ): Promise<{ record: JobRecord; created: boolean }> {
    validateEnqueue(options);
    const key = options.key ?? null;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (key !== null) {
        const live = await this.#liveByKey(key);
        if (live) return { record: toJobRecord(live), created: false };
      }
      try {
        const row = await this.db.transaction().execute(async (transaction) => {
          const inserted = await transaction
            .insertInto('jobs')
            .values({
              name: options.name,
              payload: JSON.stringify(options.payload ?? null),
              queue: options.queue ?? null,
              key,
              state: 'pending',
              attempts: 0,
              max_attempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
              run_at: options.runAt ?? now,
              created_at: now,
              created_by: options.createdBy ?? null,
              cancel_requested: 0,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          await afterInsert?.(transaction, inserted);
          return inserted;
        });
        return { record: toJobRecord(row), created: true };
      } catch (error) {
        // Another process enqueued the same key between our look and our insert: take theirs.
        if (key === null || !isUniqueViolation(error)) throw error;
      }
    }
    throw new SimdockError('conflict', `could not enqueue job with key "${key}"`);
  }

  async #liveByKey(key: string): Promise<JobRow | undefined> {
    return this.db
      .selectFrom('jobs')
      .selectAll()
      .where('key', '=', key)
      .where('state', 'in', ['pending', 'running'])
      .executeTakeFirst();
  }

  async row(id: string): Promise<JobRow | undefined> {
    const numeric = parseJobId(id);
    if (numeric === null) return undefined;
    return this.db.selectFrom('jobs').selectAll().where('id', '=', numeric).executeTakeFirst();
  }

  async get(id: string): Promise<JobRecord | null> {
    const row = await this.row(id);
    return row ? toJobRecord(row) : null;
  }

  /** Newest first. */
  async list(filter: JobListFilter = {}): Promise<JobRecord[]> {
    const limit = filter.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new SimdockError('invalid_argument', 'limit must be a positive integer');
    }
    let query = this.db.selectFrom('jobs').selectAll().orderBy('id', 'desc').limit(limit);
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.name) query = query.where('name', '=', filter.name);
    return (await query.execute()).map(toJobRecord);
  }

  /**
   * Marks a job as taken by `workerId` until `lockedUntil`, when it is pending or its previous
   * lease has expired. Returns the row, or undefined when someone else has it or it ended.
   */
  async start(
    id: number,
    claim: { workerId: string; lockedUntil: number; now: number; attempts?: number },
    database: JobsDatabase = this.db,
  ): Promise<JobRow | undefined> {
    return database
      .updateTable('jobs')
      .set((eb) => ({
        state: 'running',
        attempts: claim.attempts ?? eb('attempts', '+', 1),
        started_at: claim.now,
        locked_by: claim.workerId,
        locked_until: claim.lockedUntil,
        progress: null,
        last_error: null,
      }))
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('state', '=', 'pending'),
          eb.and([eb('state', '=', 'running'), eb('locked_until', '<', claim.now)]),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
  }

  /** Extends a running job's lease; false when the worker no longer holds it. */
  async renew(id: number, workerId: string, lockedUntil: number): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ locked_until: lockedUntil })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setProgress(id: number, workerId: string, progress: JobProgress): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ progress: JSON.stringify(progress) })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .execute();
  }

  async cancelRequested(id: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('jobs')
      .select(['cancel_requested', 'state'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.state !== 'running' || Number(row.cancel_requested) === 1;
  }

  /** Records how a run ended; only the worker holding the job may. */
  async finish(
    id: number,
    workerId: string,
    outcome:
      | { state: 'succeeded'; result: unknown }
      | { state: 'cancelled' }
      | { state: 'failed' | 'pending'; error: string; runAt?: number },
    now: number,
  ): Promise<void> {
    const ended = outcome.state !== 'pending';
    await this.db
      .updateTable('jobs')
      .set({
        state: outcome.state,
        finished_at: ended ? now : null,
        locked_by: null,
        locked_until: null,
        ...(outcome.state === 'succeeded'
          ? { result: JSON.stringify(outcome.result ?? null) }
          : {}),
        ...(outcome.state === 'failed' || outcome.state === 'pending'
          ? { last_error: outcome.error }
          : {}),
        ...(outcome.state === 'pending' && outcome.runAt !== undefined
          ? { run_at: outcome.runAt }
          : {}),
      })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .where('locked_by', '=', workerId)
      .execute();
  }

  /** Cancels a pending job: true when it was pending. */
  async cancelPending(id: number, now: number): Promise<JobRow | undefined> {
    return this.db
      .updateTable('jobs')
      .set({ state: 'cancelled', finished_at: now })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
  }

  /** Asks a running job to stop (its worker sees the flag and aborts the handler). */
  async requestCancel(id: number): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ cancel_requested: 1 })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Takes back jobs whose worker stopped renewing its lease (a crashed process): pending again
   * when attempts remain, else failed. Returns what it took back, with the lost worker's id.
   */
  async reclaimExpired(now: number, database: JobsDatabase = this.db): Promise<ReclaimedJob[]> {
    const expired = await database
      .selectFrom('jobs')
      .select(['id', 'locked_by', 'attempts', 'max_attempts'])
      .where('state', '=', 'running')
      .where('locked_until', '<', now)
      .execute();
    const reclaimed: ReclaimedJob[] = [];
    for (const row of expired) {
      const exhausted = Number(row.attempts) >= Number(row.max_attempts);
      const result = await database
        .updateTable('jobs')
        .set({
          state: exhausted ? 'failed' : 'pending',
          locked_by: null,
          locked_until: null,
          run_at: now,
          last_error: 'the worker running this job stopped renewing its lease',
          ...(exhausted ? { finished_at: now } : {}),
        })
        .where('id', '=', row.id)
        .where('state', '=', 'running')
        .where('locked_until', '<', now)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) {
        reclaimed.push({
          id: String(row.id),
          lockedBy: row.locked_by,
          state: exhausted ? 'failed' : 'pending',
        });
      }
    }
    return reclaimed;
  }

  /** Pending jobs of the given names that are due, oldest first (the SQLite claim). */
  async due(names: string[], now: number, database: JobsDatabase = this.db, limit = 20) {
    if (names.length === 0) return [];
    return database
      .selectFrom('jobs')
      .selectAll()
      .where('state', '=', 'pending')
      .where('run_at', '<=', now)
      .where('name', 'in', names)
      .where((eb) =>
        eb.or([
          eb('queue', 'is', null),
          eb.not(
            eb.exists(
              eb
                .selectFrom('jobs as busy')
                .select(sql`1`.as('one'))
                .whereRef('busy.queue', '=', 'jobs.queue')
                .where('busy.state', '=', 'running'),
            ),
          ),
        ]),
      )
      .orderBy('run_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }
}
