import { sql } from 'kysely';
import type { Store } from './index.js';

/**
 * What the job queue conformance suite does behind the queue's back: counts and moves
 * graphile-worker's private jobs, and leaves a job as a crashed worker would.
 */

/** How many of graphile-worker's jobs a live worker (not `crashed-worker`) holds. */
export async function lockedGraphileJobs(store: Store, workerSchema: string): Promise<number> {
  const { rows } = await sql<{ locked: number }>`select count(*)::int as locked
    from ${sql.id(workerSchema, '_private_jobs')}
    where locked_at is not null and locked_by <> 'crashed-worker'`.execute(store.db);
  return Number(rows[0]?.locked ?? 0);
}

/**
 * Moves graphile-worker's clock-bound columns `ms` earlier (it compares them with the database
 * clock): unlocked jobs' `run_at`, and when locked jobs and queues were locked.
 */
export async function advanceGraphileJobs(
  store: Store,
  workerSchema: string,
  ms: number,
): Promise<void> {
  const shift = sql`(${ms}::bigint * interval '1 millisecond')`;
  await sql`update ${sql.id(workerSchema, '_private_jobs')}
    set run_at = case when locked_at is null then run_at - ${shift} else run_at end,
      locked_at = locked_at - ${shift}`.execute(store.db);
  await sql`update ${sql.id(workerSchema, '_private_job_queues')}
    set locked_at = locked_at - ${shift}
    where locked_at is not null`.execute(store.db);
}

/** Leaves job `id` running under `crashed-worker`, attempt counted, lease until `lockedUntil`. */
export async function crashJob(
  store: Store,
  id: number | null,
  at: { now: number; lockedUntil: number },
): Promise<void> {
  await sql`update jobs set state = 'running', attempts = attempts + 1,
      locked_by = 'crashed-worker', locked_until = ${at.lockedUntil},
      started_at = ${at.now}
    where id = ${id}`.execute(store.db);
}

/**
 * Leaves graphile-worker's job with this key locked by `crashed-worker`, attempt counted, and
 * its queue too when it has one (as graphile-worker locks them when it takes a job).
 */
export async function crashGraphileJob(
  store: Store,
  workerSchema: string,
  key: string,
): Promise<void> {
  await sql`update ${sql.id(workerSchema, '_private_jobs')}
    set locked_by = 'crashed-worker', locked_at = now(), attempts = attempts + 1
    where key = ${key}`.execute(store.db);
  await sql`update ${sql.id(workerSchema, '_private_job_queues')} queue
    set locked_by = 'crashed-worker', locked_at = now()
    from ${sql.id(workerSchema, '_private_jobs')} job
    where job.key = ${key} and queue.id = job.job_queue_id`.execute(store.db);
}

/** Drops a schema and everything in it (graphile-worker's schema after a test). */
export async function dropSchema(store: Store, schema: string): Promise<void> {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
}
