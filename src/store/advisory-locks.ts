import pg from 'pg';
import { SimdockError } from '../domain/errors.js';

/** A session advisory lock held on its own connection. */
export interface AdvisoryLock {
  /** Aborted when the lock ends: released, or lost with the connection holding it. */
  readonly signal: AbortSignal;
  /** Gives the lock up (another process may take it at once). */
  release(): Promise<void>;
}

/**
 * PostgreSQL session advisory locks (`pg_try_advisory_lock`, keyed by a name and the current
 * schema) held on a dedicated connection, so that when the connection drops, the server frees
 * the lock and the holder's `signal` aborts. The scheduler's leader lock uses them.
 */
export class AdvisoryLocks {
  /** Takes the lock `name` on a new connection to `url`; null when another session holds it. */
  async tryAcquire(
    url: string,
    name: string,
    checkIntervalMs: number,
  ): Promise<AdvisoryLock | null> {
    const client = new pg.Client({
      connectionString: url,
      application_name: `simdock-leader:${name}`,
    });
    const controller = new AbortController();
    const lose = (reason: string) => {
      if (controller.signal.aborted) return;
      controller.abort(new SimdockError('cancelled', reason));
      clearInterval(timer);
      client.end().catch(() => {});
    };
    client.on('error', () => lose('the connection holding leadership was lost'));
    client.on('end', () => lose('the connection holding leadership ended'));
    let timer: ReturnType<typeof setInterval> | undefined;
    await client.connect();
    // A 64-bit key from the name and the schema, so that simdock schemas lead independently.
    const { rows } = await client.query<{ locked: boolean }>(
      `select pg_try_advisory_lock(
         ('x' || substr(md5('simdock-leader:' || $1 || ':' || current_schema()), 1, 16))::bit(64)::bigint
       ) as locked`,
      [name],
    );
    if (!rows[0]?.locked) {
      controller.abort();
      await client.end().catch(() => {});
      return null;
    }
    timer = setInterval(() => {
      client.query('select 1').catch(() => lose('the connection holding leadership failed'));
    }, checkIntervalMs);
    timer.unref?.();
    return {
      signal: controller.signal,
      async release() {
        if (controller.signal.aborted) return;
        clearInterval(timer);
        controller.abort(new SimdockError('cancelled', 'leadership released'));
        // Ending the session frees its advisory locks.
        await client.end().catch(() => {});
      },
    };
  }
}
