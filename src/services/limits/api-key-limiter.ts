import type { Clock } from '../../domain/index.js';
import type { Store } from '../../store/index.js';

/** A per-key request limit: a token bucket of `burst` tokens refilled at `requestsPerMinute`. */
export interface KeyLimit {
  requestsPerMinute: number;
  /** Requests allowed at once after a quiet spell (default: a minute's worth). */
  burst?: number;
}

/** What one request's take decided, with what the `RateLimit-*` headers say. */
export interface KeyLimitDecision {
  allowed: boolean;
  /** The bucket's size (`RateLimit-Limit`). */
  limit: number;
  /** Requests left, as this process last learnt from the shared bucket (`RateLimit-Remaining`). */
  remaining: number;
  /** Seconds until the bucket is full again (`RateLimit-Reset`). */
  resetSeconds: number;
  /** When refused: seconds until a request may be accepted (`Retry-After`, at least 1). */
  retryAfterSeconds: number;
}

/**
 * How long a leased token may be spent. Unspent tokens go back at the process's next lease; a
 * lease never outlives this, so over any span of T seconds a key gets at most
 * `burst + rate × (T + LEASE_MS / 1000)` requests whatever the number of processes.
 */
export const LEASE_MS = 1_000;

/** The smallest lease worth a transaction: a fiftieth of a second's worth (at least one token). */
const LEAST_LEASE_SECONDS = 0.02;

/** One process's lease of a key's tokens. */
interface Lease {
  tokens: number;
  /** The size asked last time: doubled when a lease runs out before it expires, else halved. */
  size: number;
  expiresAt: number;
  /** Shared tokens left after the grant, for `RateLimit-Remaining`. */
  sharedRemaining: number;
  /** The shared bucket had too few tokens: no lease is asked again before this instant. */
  emptyUntil: number;
  /** A lease being asked for: concurrent requests of this process wait for it. */
  pending: Promise<void> | null;
}

/** At most this many keys' leases are kept per process; the oldest are forgotten past it. */
const MAX_KEYS = 10_000;

/**
 * A per-key request limit shared by every process and host on one database. Each process leases
 * a few of a key's tokens at a time from the shared bucket (`store.apiKeyLimits`): a request is
 * a local decrement, and a lease — one small write transaction — is asked when the lease runs
 * out or expires. Leases double while a key is busy (up to two seconds' worth of its rate, at
 * most a quarter of its burst) and shrink when it is quiet. An empty shared bucket is
 * remembered until a token will be there, so refused requests cost no database call at all.
 */
export class ApiKeyLimiter {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #capacity: number;
  readonly #perSecond: number;
  readonly #least: number;
  readonly #most: number;
  readonly #leases = new Map<number, Lease>();

  constructor(options: { store: Store; clock: Clock; limit: KeyLimit }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#capacity = Math.max(
      1,
      Math.floor(options.limit.burst ?? options.limit.requestsPerMinute),
    );
    this.#perSecond = Math.max(0, options.limit.requestsPerMinute / 60);
    this.#least = Math.max(
      1,
      Math.min(this.#capacity, Math.floor(this.#perSecond * LEAST_LEASE_SECONDS)),
    );
    this.#most = Math.max(
      this.#least,
      Math.min(Math.floor(this.#capacity / 4), Math.ceil(this.#perSecond * 2)),
    );
  }

  /** Takes one request of key `keyId`'s limit, leasing more tokens when this process has none. */
  async take(keyId: number): Promise<KeyLimitDecision> {
    // Each round either spends a token, finds the bucket empty, or waits for a lease that
    // granted someone tokens; under heavy contention give up after a while.
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const lease = this.#leases.get(keyId);
      const now = this.#clock.now();
      if (lease && lease.expiresAt > now && lease.tokens >= 1) {
        lease.tokens -= 1;
        return this.#decision(true, lease, now);
      }
      if (lease && lease.emptyUntil > now) return this.#decision(false, lease, now);
      if (lease?.pending) {
        await lease.pending;
        continue;
      }
      await this.#renew(keyId, lease, now);
    }
    const lease = this.#leases.get(keyId);
    const now = this.#clock.now();
    return lease
      ? this.#decision(false, { ...lease, emptyUntil: Math.max(lease.emptyUntil, now + 1000) }, now)
      : this.#decision(false, null, now);
  }

  #renew(keyId: number, previous: Lease | undefined, now: number): Promise<void> {
    const lease: Lease = previous ?? {
      tokens: 0,
      size: this.#least,
      expiresAt: 0,
      sharedRemaining: this.#capacity,
      emptyUntil: 0,
      pending: null,
    };
    if (!previous) {
      if (this.#leases.size >= MAX_KEYS) {
        const oldest = this.#leases.keys().next().value;
        if (oldest !== undefined) this.#leases.delete(oldest);
      }
      this.#leases.set(keyId, lease);
    }
    // Used up before it expired: the key is busy, ask for more; expired with tokens left: less.
    const usedUp = previous !== undefined && previous.tokens < 1 && previous.expiresAt > now;
    const want = usedUp
      ? Math.min(this.#most, lease.size * 2)
      : Math.max(this.#least, Math.floor(lease.size / 2));
    const giveBack = lease.expiresAt <= now ? Math.floor(lease.tokens) : 0;
    lease.pending = this.#store.apiKeyLimits
      .lease(
        keyId,
        { ratePerSecond: this.#perSecond, capacity: this.#capacity },
        { want, least: this.#least, giveBack, now },
      )
      // A database failure fails the requests waiting (5xx), and the next request asks again.
      .then((result) => {
        const at = this.#clock.now();
        lease.size = want;
        lease.sharedRemaining = result.remaining;
        if (result.granted > 0) {
          lease.tokens = result.granted;
          // Counted from when the tokens were taken, not from when the answer came.
          lease.expiresAt = now + LEASE_MS;
          lease.emptyUntil = 0;
        } else {
          lease.tokens = 0;
          lease.emptyUntil = at + Math.max(1, result.waitMs);
        }
      })
      .finally(() => {
        lease.pending = null;
      });
    return lease.pending;
  }

  #decision(allowed: boolean, lease: Lease | null, now: number): KeyLimitDecision {
    const remaining = lease
      ? Math.max(0, Math.floor(lease.tokens + (lease.expiresAt > now ? lease.sharedRemaining : 0)))
      : 0;
    const seconds = (tokens: number) =>
      this.#perSecond > 0 ? Math.max(0, Math.ceil(tokens / this.#perSecond)) : 0;
    const retryAfter = lease ? Math.max(1, Math.ceil((lease.emptyUntil - now) / 1000)) : 1;
    return {
      allowed,
      limit: this.#capacity,
      remaining: Math.min(this.#capacity, remaining),
      resetSeconds: seconds(this.#capacity - Math.min(this.#capacity, remaining)),
      retryAfterSeconds: allowed ? 0 : retryAfter,
    };
  }
}
