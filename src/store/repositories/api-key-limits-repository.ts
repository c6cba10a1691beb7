import type { StoreContext } from '../store-context.js';
import { writeTransaction } from '../store-sql.js';

/** A key's bucket: refilled at `ratePerSecond`, holding at most `capacity` tokens. */
export interface KeyBucketRate {
  ratePerSecond: number;
  capacity: number;
}

/** What a lease request got. */
export interface KeyLease {
  /** Tokens granted (0 when the bucket held fewer than `least`). */
  granted: number;
  /** Tokens left in the shared bucket after the grant. */
  remaining: number;
  /** When nothing was granted: milliseconds until `least` tokens will be there; else 0. */
  waitMs: number;
}

/** The counter bumped on every API key revocation (`access_generations`). */
export const API_KEY_REVOCATIONS = 'api-key-revocations';

/**
 * Per-key request buckets and the revocation counter shared by every API process and host
 * (tables `api_key_limits` and `access_generations`, migration 0019). A lease is one write
 * transaction (`begin immediate` on SQLite, a row lock on PostgreSQL): two processes never
 * spend the same token.
 */
export class ApiKeyLimitsRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /**
   * Returns `giveBack` unspent tokens of an earlier lease to key `keyId`'s bucket, then takes up
   * to `want` tokens, but only if at least `least` are there (a lease smaller than that is not
   * worth a transaction); otherwise takes none and says how long until `least` will be there.
   */
  async lease(
    keyId: number,
    rate: KeyBucketRate,
    request: { want: number; least: number; giveBack: number; now: number },
  ): Promise<KeyLease> {
    const { db, dialect } = this.#context;
    const { capacity, ratePerSecond } = rate;
    const { now } = request;
    const least = Math.max(1, Math.min(request.least, capacity));
    return writeTransaction(db, dialect, async (transaction) => {
      await transaction
        .insertInto('api_key_limits')
        .values({ key_id: keyId, tokens: capacity, updated_at: now })
        .onConflict((conflict) => conflict.column('key_id').doNothing())
        .execute();
      let select = transaction
        .selectFrom('api_key_limits')
        .select(['tokens', 'updated_at'])
        .where('key_id', '=', keyId);
      if (dialect === 'postgres') select = select.forUpdate();
      const row = await select.executeTakeFirstOrThrow();
      const elapsed = Math.max(0, now - Number(row.updated_at)) / 1000;
      let tokens = Math.min(
        capacity,
        Number(row.tokens) + Math.max(0, request.giveBack) + elapsed * ratePerSecond,
      );
      let granted = 0;
      let waitMs = 0;
      if (tokens >= least) {
        granted = Math.min(Math.max(least, request.want), Math.floor(tokens));
        tokens -= granted;
      } else {
        waitMs = ratePerSecond > 0 ? Math.ceil(((least - tokens) / ratePerSecond) * 1000) : 60_000;
      }
      await transaction
        .updateTable('api_key_limits')
        .set({ tokens, updated_at: Math.max(now, Number(row.updated_at)) })
        .where('key_id', '=', keyId)
        .execute();
      return { granted, remaining: Math.floor(tokens), waitMs };
    });
  }

  /** The number of API key revocations so far (0 before the first). */
  async revocationGeneration(): Promise<number> {
    const row = await this.#context.db
      .selectFrom('access_generations')
      .select('generation')
      .where('name', '=', API_KEY_REVOCATIONS)
      .executeTakeFirst();
    return row ? Number(row.generation) : 0;
  }
}
