/** Time as code sees it: injectable so tests can move it without sleeping. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` (rejects with the signal's reason when aborted). */
  sleep(ms: number, abortSignal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, abortSignal) =>
    new Promise((resolve, reject) => {
      if (abortSignal?.aborted) return reject(abortSignal.reason);
      const timer = setTimeout(() => {
        abortSignal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortSignal?.reason);
      };
      abortSignal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * A clock that moves only when told to. `sleep` resolves once `advance` passes its deadline;
 * `autoAdvance` makes every sleep move time at once, so retry and cooldown paths run instantly.
 */
export class ManualClock implements Clock {
  #now: number;
  #sleepers: { until: number; resolve: () => void }[] = [];
  autoAdvance: boolean;

  constructor(start = Date.UTC(2024, 10, 26, 2, 0, 0), options: { autoAdvance?: boolean } = {}) {
    this.#now = start;
    this.autoAdvance = options.autoAdvance ?? false;
  }

  now(): number {
    return this.#now;
  }

  set(instant: number): void {
    this.#now = instant;
    this.#wake();
  }

  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  /** How many sleeps are waiting. */
  get pending(): number {
    return this.#sleepers.length;
  }

  sleep(ms: number, abortSignal?: AbortSignal): Promise<void> {
    if (abortSignal?.aborted) return Promise.reject(abortSignal.reason);
    if (this.autoAdvance || ms <= 0) {
      this.#now += Math.max(0, ms);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const sleeper = { until: this.#now + ms, resolve };
      this.#sleepers.push(sleeper);
      abortSignal?.addEventListener(
        'abort',
        () => {
          this.#sleepers = this.#sleepers.filter((item) => item !== sleeper);
          reject(abortSignal.reason);
        },
        { once: true },
      );
    });
  }

  #wake(): void {
    const due = this.#sleepers.filter((sleeper) => sleeper.until <= this.#now);
    this.#sleepers = this.#sleepers.filter((sleeper) => sleeper.until > this.#now);
    for (const sleeper of due) sleeper.resolve();
  }
}
