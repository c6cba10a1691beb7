import { type Kysely, sql } from 'kysely';
import type { QueueJobTransaction } from './queue-jobs-repository.js';
import type { StoreContext } from './store-context.js';

/**
 * Calls into graphile-worker's schema (PostgreSQL only): the functions it documents for adding,
 * removing and unlocking jobs, in the schema the queue runs in.
 */
export class GraphileJobsRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /** The schema simdock's tables are in (`current_schema()`). */
  async currentSchema(): Promise<string> {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
      this.#context.db,
    );
    return rows[0]?.schema ?? 'public';
  }

  /**
   * Adds graphile-worker's job for a simdock job, in the transaction that inserted the row:
   * `run_at` is the database's clock plus `delayMs`, `job_key` makes it replaceable.
   */
  async addJob(
    transaction: QueueJobTransaction,
    schema: string,
    job: {
      name: string;
      payload: unknown;
      queue: string | null;
      delayMs: number;
      maxAttempts: number;
      key: string;
    },
  ): Promise<void> {
    await sql`select id from ${sql.id(schema, 'add_job')}(
        ${job.name},
        ${JSON.stringify(job.payload)}::json,
        queue_name => ${job.queue}::text,
        run_at => now() + (${job.delayMs}::bigint * interval '1 millisecond'),
        max_attempts => ${job.maxAttempts}::int,
        job_key => ${job.key}::text
      )`.execute(transaction);
  }

  /** Removes graphile-worker's job with this key (a cancelled pending job). */
  async removeJob(schema: string, key: string): Promise<void> {
    await sql`select ${sql.id(schema, 'remove_job')}(${key}::text)`.execute(this.#db());
  }

  /** Unlocks the jobs graphile-worker's workers with these ids held (their process died). */
  async forceUnlockWorkers(schema: string, workers: readonly string[]): Promise<void> {
    await sql`select ${sql.id(schema, 'force_unlock_workers')}(${workers}::text[])`.execute(
      this.#db(),
    );
  }

  /**
   * Unlocks graphile-worker's jobs, and their queues, that one of its workers has held for
   * longer than `leaseMs` while simdock's job is not running under that worker's lease: the
   * worker took the job and died before starting it, or a reclaim that had set the job pending
   * again was cut short before it unlocked it. Nothing else would free them before
   * graphile-worker's own recovery of stale locks, hours later, and a queue stays blocked
   * meanwhile. Only those jobs are unlocked, not the rest of their worker's (it may be alive).
   * Returns how many.
   */
  async unlockLost(schema: string, keyPrefix: string, leaseMs: number): Promise<number> {
    const id = sql`substr(graphile.key, ${keyPrefix.length + 1})`;
    const { rows } = await sql<{ unlocked: number }>`
      with lost as (
        select graphile.id, graphile.job_queue_id, graphile.locked_by
        from ${sql.id(schema, '_private_jobs')} graphile
        where graphile.locked_at < now() - (${leaseMs}::bigint * interval '1 millisecond')
          and starts_with(graphile.key, ${keyPrefix})
          and not exists (
            select 1 from jobs
            where jobs.id = case when ${id} ~ '^[0-9]{1,18}$' then cast(${id} as bigint) end
              and jobs.state = 'running' and jobs.locked_by = graphile.locked_by)
        for update of graphile skip locked
      ), queues as (
        update ${sql.id(schema, '_private_job_queues')} queue
        set locked_at = null, locked_by = null
        from lost
        where queue.id = lost.job_queue_id and queue.locked_by = lost.locked_by
      ), unlocked as (
        update ${sql.id(schema, '_private_jobs')} graphile
        set locked_at = null, locked_by = null
        from lost
        where graphile.id = lost.id
        returning graphile.id
      )
      select count(*)::int as unlocked from unlocked`.execute(this.#db());
    return Number(rows[0]?.unlocked ?? 0);
  }

  #db(): Kysely<unknown> {
    return this.#context.db as unknown as Kysely<unknown>;
  }
}
