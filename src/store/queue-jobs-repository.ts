import { type Kysely, type Selectable, sql } from 'kysely';
import { SimdockError } from '../domain/errors.js';
import type { StoreContext } from './store-context.js';
import { isUniqueViolation } from './store-errors.js';
import type { Database } from './store-schema.js';
import { writeTransaction } from './store-sql.js';

/** A `jobs` row as stored. */
export type QueueJobRow = Selectable<Database['jobs']>;

/**
 * The transaction a job is inserted in, handed to `afterInsert` (graphile-worker's `add_job`
 * runs in it, through `GraphileJobsRepository.addJob`).
 */
export type QueueJobTransaction = Kysely<Database>;

/** A job to insert, checked by the queue (`validateEnqueue`). */
export interface QueueJobInsert {
  name: string;
  /** JSON text. */
  payload: string;
  queue: string | null;
  key: string | null;
  maxAttempts: number;
  runAt: number;
  createdAt: number;
  createdBy: string | null;
}

/** How a run ended, as recorded on the row. */
export type QueueJobOutcome =
  | { state: 'succeeded'; result: unknown }
  | { state: 'cancelled' }
  | { state: 'failed' | 'pending'; error: string; runAt?: number };

/** A job the lease sweep took back from a worker that stopped renewing it. */
export interface ReclaimedQueueJob {
  id: string;
  lockedBy: string | null;
  state: 'pending' | 'failed';
}

/**
 * The `jobs` table on either dialect: the record of every job that `get`, `list`, progress and
 * cancel read, whichever implementation distributes the work, and the embedded queue's claim.
 */
export class QueueJobsRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  #db(): Kysely<Database> {
    return this.#context.db;
  }

  /**
   * Inserts a pending job, or returns the live (pending or running) job holding the same key.
   * `afterInsert` runs in the same transaction (graphile-worker's `add_job` on PostgreSQL).
   */
  async insert(
    job: QueueJobInsert,
    afterInsert?: (transaction: QueueJobTransaction, row: QueueJobRow) => Promise<void>,
  ): Promise<{ row: QueueJobRow; created: boolean }> {
    const key = job.key;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (key !== null) {
        const live = await this.#liveByKey(key);
        if (live) return { row: live, created: false };
      }
      try {
        const row = await this.#db()
          .transaction()
          .execute(async (transaction) => {
            const inserted = await transaction
              .insertInto('jobs')
              .values({
                name: job.name,
                payload: job.payload,
                queue: job.queue,
                key,
                state: 'pending',
                attempts: 0,
                max_attempts: job.maxAttempts,
                run_at: job.runAt,
                created_at: job.createdAt,
                created_by: job.createdBy,
                cancel_requested: 0,
              })
              .returningAll()
              .executeTakeFirstOrThrow();
            await afterInsert?.(transaction, inserted);
            return inserted;
          });
        return { row, created: true };
      } catch (error) {
        // Another process enqueued the same key between our look and our insert: take theirs.
        if (key === null || !isUniqueViolation(error)) throw error;
      }
    }
    throw new SimdockError('conflict', `could not enqueue job with key "${key}"`);
  }

  async #liveByKey(key: string): Promise<QueueJobRow | undefined> {
    return this.#db()
      .selectFrom('jobs')
      .selectAll()
      .where('key', '=', key)
      .where('state', 'in', ['pending', 'running'])
      .executeTakeFirst();
  }

  async row(id: number): Promise<QueueJobRow | undefined> {
    return this.#db().selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first. */
  async list(filter: { state?: string; name?: string; limit: number }): Promise<QueueJobRow[]> {
    let query = this.#db().selectFrom('jobs').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.name) query = query.where('name', '=', filter.name);
    return query.execute();
  }

  /**
   * Marks a job as taken by `workerId` until `lockedUntil`, when it is pending or its previous
   * lease has expired. Returns the row, or undefined when someone else has it or it ended.
   */
  async start(
    id: number,
    claim: { workerId: string; lockedUntil: number; now: number; attempts?: number },
    database: Kysely<Database> = this.#db(),
  ): Promise<QueueJobRow | undefined> {
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
    const result = await this.#db()
      .updateTable('jobs')
      .set({ locked_until: lockedUntil })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .where('locked_by', '=', workerId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setProgress(id: number, workerId: string, progress: unknown): Promise<void> {
    await this.#db()
      .updateTable('jobs')
      .set({ progress: JSON.stringify(progress) })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .execute();
  }

  async cancelRequested(id: number): Promise<boolean> {
    const row = await this.#db()
      .selectFrom('jobs')
      .select(['cancel_requested', 'state'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.state !== 'running' || Number(row.cancel_requested) === 1;
  }

  /** Records how a run ended; only the worker holding the job may. */
  async finish(id: number, workerId: string, outcome: QueueJobOutcome, now: number): Promise<void> {
    const ended = outcome.state !== 'pending';
    await this.#db()
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

  /** Cancels a pending job: the row when it was pending. */
  async cancelPending(id: number, now: number): Promise<QueueJobRow | undefined> {
    return this.#db()
      .updateTable('jobs')
      .set({ state: 'cancelled', finished_at: now })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
  }

  /** Asks a running job to stop (its worker sees the flag and aborts the handler). */
  async requestCancel(id: number): Promise<boolean> {
    const result = await this.#db()
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
  async reclaimExpired(
    now: number,
    database: Kysely<Database> = this.#db(),
  ): Promise<ReclaimedQueueJob[]> {
    const expired = await database
      .selectFrom('jobs')
      .select(['id', 'locked_by', 'attempts', 'max_attempts'])
      .where('state', '=', 'running')
      .where('locked_until', '<', now)
      .execute();
    const reclaimed: ReclaimedQueueJob[] = [];
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
  async due(
    names: string[],
    now: number,
    database: Kysely<Database> = this.#db(),
    limit = 20,
  ): Promise<QueueJobRow[]> {
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

  /**
   * The embedded queue's claim: in one IMMEDIATE transaction, takes back expired leases, then
   * takes the next due job one of `names` can run for `workerId` until `lockedUntil`.
   */
  async claim(
    names: string[],
    claim: { workerId: string; now: number; lockedUntil: number },
  ): Promise<QueueJobRow | undefined> {
    const { now } = claim;
    return writeTransaction(this.#context.db, this.#context.dialect, async (transaction) => {
      const database = transaction;
      await this.reclaimExpired(now, database);
      const [next] = await this.due(names, now, database, 1);
      if (!next) return undefined;
      return this.start(
        next.id,
        { workerId: claim.workerId, lockedUntil: claim.lockedUntil, now },
        database,
      );
    });
  }
}
