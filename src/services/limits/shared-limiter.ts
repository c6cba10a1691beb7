import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { CallLimiter } from '../../suppliers/spec/index.js';

/** The share of a day's call capacity the schedule plans when the account does not say. */
export const DEFAULT_BUDGET_SHARE = 0.8;

/** How long a throttling answer keeps the account's rate shrunk (each answer halves it). */
export const THROTTLE_COOLDOWN_MS = 60_000;

/**
 * How long after an operator call scheduled work keeps to its share of the rate. While no
 * operator call has been made for this long, scheduled work may use the whole rate: the share
 * bounds what the schedule plans for a day, and operators lose nothing to a run that finishes
 * sooner.
 */
export const OPERATOR_QUIET_MS = 10_000;

/**
 * How often one process records its operator calls (one write) or reads the mark other processes
 * left (one read): not on every call of a run.
 */
const OPERATOR_MARK_EVERY_MS = 1_000;

const scheduled = new AsyncLocalStorage<boolean>();

/**
 * Runs `work` as scheduled work (sync runs): while operator actions (lifecycle, SMS, lookups)
 * are being made, by this process or another, its supplier calls are held to the account's
 * schedule share of the rate, so those actions always find room and go first; otherwise it may
 * use the whole rate.
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
 * buckets, the account's (`ratePerSecond`, every call) and the schedule's (`share` of it, which
 * the calls of sync runs also take from while an operator call was made in the last
 * `OPERATOR_QUIET_MS`, recorded under a third key). A throttling answer shrinks both for a
 * minute. Within one process, callers of one kind wait in turn, so the database sees one waiter
 * each.
 */
export class SharedCallLimiter implements CallLimiter {
  readonly #store: Store;
  readonly #account: string;
  readonly #rate: number;
  readonly #share: number;
  readonly #clock: Clock;
  #operatorQueue: Promise<void> = Promise.resolve();
  #scheduleQueue: Promise<void> = Promise.resolve();
  #operatorMarkedAt = Number.NEGATIVE_INFINITY;
  #operatorMark: { readAt: number; active: boolean } = {
    readAt: Number.NEGATIVE_INFINITY,
    active: false,
  };

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

  /** The database keys of the account's bucket, its schedule's and its operator-activity mark. */
  get keys(): { account: string; schedule: string; operator: string } {
    return {
      account: this.#account,
      schedule: `${this.#account}:schedule`,
      operator: `${this.#account}:operator`,
    };
  }

  take(abortSignal?: AbortSignal): Promise<void> {
    const isScheduled = isScheduledWork();
    const queue = isScheduled ? this.#scheduleQueue : this.#operatorQueue;
    const turn = queue.then(async () => {
      if (!isScheduled) await this.#markOperatorCall();
      else if (await this.#operatorsActive())
        await this.#takeFrom(this.keys.schedule, this.#rate * this.#share, abortSignal);
      await this.#takeFrom(this.keys.account, this.#rate, abortSignal);
    });
    const settled = turn.catch(() => undefined);
    if (isScheduled) this.#scheduleQueue = settled;
    else this.#operatorQueue = settled;
    return turn;
  }

  async #markOperatorCall(): Promise<void> {
    const now = this.#clock.now();
    if (now - this.#operatorMarkedAt < OPERATOR_MARK_EVERY_MS) return;
    this.#operatorMarkedAt = now;
    await this.#store.rateLimits.touch(this.keys.operator);
  }

  async #operatorsActive(): Promise<boolean> {
    const now = this.#clock.now();
    // This process's own operator calls need no read.
    if (now - this.#operatorMarkedAt < OPERATOR_QUIET_MS) return true;
    if (now - this.#operatorMark.readAt >= OPERATOR_MARK_EVERY_MS) {
      const mark = await this.#store.rateLimits.state(this.keys.operator);
      this.#operatorMark = {
        readAt: now,
        active: mark !== null && now - mark.updatedAt < OPERATOR_QUIET_MS,
      };
    }
    return this.#operatorMark.active;
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
