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

  #db(): Kysely<unknown> {
    return this.#context.db as unknown as Kysely<unknown>;
  }
}
