import { type Clock, systemClock } from '../../domain/index.js';

/** Waits until a call may go; told when the supplier answers "slow down". */
export interface CallLimiter {
  take(abortSignal?: AbortSignal): Promise<void>;
  /** A throttling answer (HTTP 429, the supplier's own "too frequent" code) came back. */
  throttled?(error: unknown): void;
}

export interface TokenBucketOptions {
  /** Tokens added per second; 0 or less = unlimited. */
  ratePerSecond: number;
  /** Most tokens held at once (the burst); defaults to one second's worth, at least 1. */
  capacity?: number;
  clock?: Clock;
}

/**
 * A token bucket: `take` resolves when a call may go. Waiters are served in order, so a busy
 * account is shared fairly between concurrent syncs.
 */
export class TokenBucket implements CallLimiter {
  readonly ratePerSecond: number;
  readonly capacity: number;
  #tokens: number;
  #updatedAt: number;
  #clock: Clock;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: TokenBucketOptions) {
    this.ratePerSecond = options.ratePerSecond;
    this.capacity = options.capacity ?? Math.max(1, options.ratePerSecond);
    this.#clock = options.clock ?? systemClock;
    this.#tokens = this.capacity;
    this.#updatedAt = this.#clock.now();
  }

  take(abortSignal?: AbortSignal): Promise<void> {
    if (this.ratePerSecond <= 0) return Promise.resolve();
    const turn = this.#queue.then(() => this.#takeOne(abortSignal));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #takeOne(abortSignal?: AbortSignal): Promise<void> {
    for (;;) {
      this.#refill();
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      const waitMs = ((1 - this.#tokens) / this.ratePerSecond) * 1000;
      await this.#clock.sleep(Math.ceil(waitMs), abortSignal);
    }
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsed * this.ratePerSecond);
    this.#updatedAt = now;
  }
}
