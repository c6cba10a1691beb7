import type { StoreContext } from './store-context.js';
import { writeTransaction } from './store-sql.js';

/** One shared bucket's settings for a take. */
export interface BucketRate {
  /** Tokens per second at full rate. */
  ratePerSecond: number;
  /** Most tokens held at once (1: calls evenly spaced, never a burst). */
  capacity?: number;
}

/** A bucket as stored: tokens now and the throttling in force. */
export interface BucketState {
  tokens: number;
  factor: number;
  throttledUntil: number;
  /** When the bucket was last taken from or touched (epoch ms). */
  updatedAt: number;
}

/**
 * Token buckets shared by every process and host on the database (table `account_rate_limits`,
 * migration 0013). A take is one write transaction: `begin immediate` on SQLite, a row lock on
 * PostgreSQL, so two processes never spend the same token.
 */
export class RateLimitsRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /**
   * Takes one token from bucket `key` if there is one and returns 0; otherwise takes nothing
   * and returns the milliseconds until one will be there.
   */
  async take(key: string, rate: BucketRate): Promise<number> {
    const capacity = rate.capacity ?? 1;
    const { db, dialect, clock } = this.#context;
    return writeTransaction(db, dialect, async (transaction) => {
      const now = clock.now();
      await transaction
        .insertInto('account_rate_limits')
        .values({ account_id: key, tokens: capacity, updated_at: now })
        .onConflict((conflict) => conflict.column('account_id').doNothing())
        .execute();
      let select = transaction
        .selectFrom('account_rate_limits')
        .selectAll()
        .where('account_id', '=', key);
      if (dialect === 'postgres') select = select.forUpdate();
      const row = await select.executeTakeFirstOrThrow();
      const throttled = Number(row.throttled_until) > now;
      const factor = throttled ? Number(row.factor) : 1;
      const perSecond = rate.ratePerSecond * factor;
      const elapsed = Math.max(0, now - Number(row.updated_at)) / 1000;
      let tokens = Math.min(capacity, Number(row.tokens) + elapsed * perSecond);
      const wait = tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / perSecond) * 1000);
      if (wait === 0) tokens -= 1;
      await transaction
        .updateTable('account_rate_limits')
        .set({ tokens, updated_at: now, ...(throttled ? {} : { factor: 1 }) })
        .where('account_id', '=', key)
        .execute();
      return wait;
    });
  }

  /**
   * A throttling answer: the bucket's rate shrinks by `shrink` (halved by default, never below
   * `floor` of the full rate) for `forMs`; each further answer in that time shrinks it again.
   */
  async throttle(
    key: string,
    options: { forMs: number; shrink?: number; floor?: number },
  ): Promise<BucketState> {
    const { db, dialect, clock } = this.#context;
    return writeTransaction(db, dialect, async (transaction) => {
      const now = clock.now();
      await transaction
        .insertInto('account_rate_limits')
        .values({ account_id: key, tokens: 0, updated_at: now })
        .onConflict((conflict) => conflict.column('account_id').doNothing())
        .execute();
      let select = transaction
        .selectFrom('account_rate_limits')
        .selectAll()
        .where('account_id', '=', key);
      if (dialect === 'postgres') select = select.forUpdate();
      const row = await select.executeTakeFirstOrThrow();
      const current = Number(row.throttled_until) > now ? Number(row.factor) : 1;
      const factor = Math.max(options.floor ?? 0.1, current * (options.shrink ?? 0.5));
      const throttledUntil = now + options.forMs;
      await transaction
        .updateTable('account_rate_limits')
        .set({ factor, throttled_until: throttledUntil })
        .where('account_id', '=', key)
        .execute();
      return {
        tokens: Number(row.tokens),
        factor,
        throttledUntil,
        updatedAt: Number(row.updated_at),
      };
    });
  }

  /** The bucket as stored now (null when it was never used). */
  async state(key: string): Promise<BucketState | null> {
    const row = await this.#context.db
      .selectFrom('account_rate_limits')
      .selectAll()
      .where('account_id', '=', key)
      .executeTakeFirst();
    if (!row) return null;
    const throttled = Number(row.throttled_until) > this.#context.clock.now();
    return {
      tokens: Number(row.tokens),
      factor: throttled ? Number(row.factor) : 1,
      throttledUntil: throttled ? Number(row.throttled_until) : 0,
      updatedAt: Number(row.updated_at),
    };
  }

  /**
   * Records that bucket `key` is in use now without taking from it (the operator-activity mark
   * that `SharedCallLimiter` reads).
   */
  async touch(key: string): Promise<void> {
    const now = this.#context.clock.now();
    await this.#context.db
      .insertInto('account_rate_limits')
      .values({ account_id: key, tokens: 0, updated_at: now })
      .onConflict((conflict) => conflict.column('account_id').doUpdateSet({ updated_at: now }))
      .execute();
  }
}
