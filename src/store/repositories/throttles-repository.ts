import type { Selectable } from 'kysely';
import type { RepositoryContext } from '../store-context.js';
import { writeTransaction } from '../store-sql.js';
import type { ThrottlesTable } from '../tables/throttles.js';

/** How refusals under one scope are counted and delayed. */
export interface ThrottlePolicy {
  /** Refusals are counted over this window; a quiet window starts the count again. */
  windowMs: number;
  /** Refusals allowed in a window before any delay. */
  free: number;
  /** The first delay; each further refusal doubles it. */
  baseDelayMs: number;
  /** The longest delay. */
  maxDelayMs: number;
}

/** One scope and key's count. */
export interface ThrottleState {
  failures: number;
  /** Epoch ms before which attempts are refused (0: not blocked). */
  blockedUntil: number;
}

/**
 * Counters of refused attempts (`throttles`, migration 0011), shared by every process on the
 * database: failed logins per account and per address, refused callbacks per source. Each
 * refusal past a policy's free allowance blocks the key for a delay that doubles.
 */
export class ThrottlesRepository {
  readonly #store: RepositoryContext;
  readonly #now: () => number;

  constructor(store: RepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /** The key's state now (a window that has run out counts as none). */
  async get(scope: string, key: string, policy: ThrottlePolicy): Promise<ThrottleState> {
    const row = await this.#store.db
      .selectFrom('throttles')
      .selectAll()
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    return current(row, this.#now(), policy);
  }

  /** Counts one refusal and returns the new state (blocked when past the free allowance). */
  async fail(scope: string, key: string, policy: ThrottlePolicy): Promise<ThrottleState> {
    const { db, dialect } = this.#store;
    return writeTransaction(db, dialect, async (transaction) => {
      const now = this.#now();
      const row = await transaction
        .selectFrom('throttles')
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst();
      const before = current(row, now, policy);
      const failures = before.failures + 1;
      const over = failures - policy.free;
      const blockedUntil =
        over > 0
          ? now + Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(over - 1, 30))
          : 0;
      const windowStartedAt = row && before.failures > 0 ? Number(row.window_started_at) : now;
      const values = {
        failures,
        window_started_at: windowStartedAt,
        blocked_until: blockedUntil,
        updated_at: now,
      };
      if (row) {
        await transaction
          .updateTable('throttles')
          .set(values)
          .where('scope', '=', scope)
          .where('key', '=', key)
          .execute();
      } else {
        await transaction
          .insertInto('throttles')
          .values({ scope, key, ...values })
          .onConflict((conflict) => conflict.columns(['scope', 'key']).doUpdateSet(values))
          .execute();
      }
      return { failures, blockedUntil };
    });
  }

  /** Forgets a key (a successful login clears its account's count). */
  async clear(scope: string, key: string): Promise<void> {
    await this.#store.db
      .deleteFrom('throttles')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
  }

  /** Deletes counts untouched since `before` and no longer blocking; returns how many. */
  async prune(before: number): Promise<number> {
    const result = await this.#store.db
      .deleteFrom('throttles')
      .where('updated_at', '<', before)
      .where('blocked_until', '<', this.#now())
      .executeTakeFirst();
    return Number(result.numDeletedRows ?? 0);
  }
}

function current(
  row: Selectable<ThrottlesTable> | undefined,
  now: number,
  policy: ThrottlePolicy,
): ThrottleState {
  if (!row) return { failures: 0, blockedUntil: 0 };
  const blockedUntil = Number(row.blocked_until);
  // A window without any refusal starts the count again.
  const expired = now - Number(row.updated_at) >= policy.windowMs && blockedUntil <= now;
  return expired
    ? { failures: 0, blockedUntil: 0 }
    : { failures: Number(row.failures), blockedUntil: blockedUntil > now ? blockedUntil : 0 };
}
