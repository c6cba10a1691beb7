import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { CallLimiter } from '../../suppliers/spec/index.js';

/** The share of a day's call capacity the schedule plans when the account does not say. */
export const DEFAULT_BUDGET_SHARE = 0.8;

/** How long a throttling answer keeps the account's rate shrunk (each answer halves it). */
export const THROTTLE_COOLDOWN_MS = 60_000;

const scheduled = new AsyncLocalStorage<boolean>();

/**
 * Runs `work` as scheduled work (sync runs): its supplier calls are held to the account's
 * schedule share of the rate, so operator actions (lifecycle, SMS, lookups) made meanwhile, by
 * this process or another, always find room and go first.
 */
export function asScheduledWork<T>(work: () => Promise<T>): Promise<T> {
  return scheduled.run(true, work);
}

/** Whether the current call belongs to scheduled work. */
export function isScheduledWork(): boolean {
  return scheduled.getStore() === true;
}

/**
 * An account's rate limit shared by every process and host through the database: two token
 * buckets, the account's (`ratePerSecond`, every call) and the schedule's (`share` of it, the
 * calls of sync runs, which take from both). A throttling answer shrinks both for a minute.
 * Within one process, callers of one kind wait in turn, so the database sees one waiter each.
 */
export class SharedCallLimiter implements CallLimiter {
  readonly #store: Store;
  readonly #account: string;
  readonly #rate: number;
  readonly #share: number;
  readonly #clock: Clock;
  #operatorQueue: Promise<void> = Promise.resolve();
  #scheduleQueue: Promise<void> = Promise.resolve();

  constructor(options: {
    store: Store;
    account: string;
    ratePerSecond: number;
    share: number;
    clock: Clock;
  }) {
    this.#store = options.store;
    this.#account = options.account;
    this.#rate = options.ratePerSecond;
    this.#share = options.share;
    this.#clock = options.clock;
  }

  /** The database keys of the account's bucket and its schedule's. */
  get keys(): { account: string; schedule: string } {
    return { account: this.#account, schedule: `${this.#account}:schedule` };
  }

  take(abortSignal?: AbortSignal): Promise<void> {
    const isScheduled = isScheduledWork();
    const queue = isScheduled ? this.#scheduleQueue : this.#operatorQueue;
    const turn = queue.then(async () => {
      if (isScheduled)
        await this.#takeFrom(this.keys.schedule, this.#rate * this.#share, abortSignal);
      await this.#takeFrom(this.keys.account, this.#rate, abortSignal);
    });
    const settled = turn.catch(() => undefined);
    if (isScheduled) this.#scheduleQueue = settled;
    else this.#operatorQueue = settled;
    return turn;
  }

  async #takeFrom(key: string, ratePerSecond: number, abortSignal?: AbortSignal): Promise<void> {
    for (;;) {
      abortSignal?.throwIfAborted();
      const waitMs = await this.#store.rateLimits.take(key, { ratePerSecond });
      if (waitMs === 0) return;
      await this.#clock.sleep(waitMs, abortSignal);
    }
  }

  throttled(): void {
    // Recorded for every process; a failure to record only loses the slowdown.
    for (const key of [this.keys.account, this.keys.schedule]) {
      this.#store.rateLimits.throttle(key, { forMs: THROTTLE_COOLDOWN_MS }).catch(() => {});
    }
  }
}
