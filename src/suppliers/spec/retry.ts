import { type Clock, isRetryable, systemClock } from '../../domain/index.js';

export interface RetryOptions {
  /** Total attempts including the first. */
  maxAttempts?: number;
  /** Delay before the first retry; doubles each time. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  clock?: Clock;
  /** Random source in [0, 1) for jitter; injectable for tests. */
  random?: () => number;
  abortSignal?: AbortSignal;
  /** Called before each wait, e.g. to log or count. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/**
 * The wait before retry number `attempt` (1-based): exponential with "full jitter" (a random
 * delay between half and all of the exponential step), capped, and never shorter than what the
 * supplier asked for with `retryAfterMs`.
 */
export function backoffDelay(
  attempt: number,
  options: { baseDelayMs: number; maxDelayMs: number; random: () => number },
  retryAfterMs?: number,
): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  const jittered = step / 2 + (options.random() * step) / 2;
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/** Runs `task` until it succeeds, fails with a non-retryable error, or attempts run out. */
export async function withRetry<T>(
  task: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 4;
  const clock = options.clock ?? systemClock;
  const delays = {
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    random: options.random ?? Math.random,
  };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await task(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || !isRetryable(error) || options.abortSignal?.aborted) {
        throw error;
      }
      const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs;
      const delayMs = backoffDelay(attempt, delays, retryAfter);
      options.onRetry?.({ attempt, delayMs, error });
      await clock.sleep(delayMs, options.abortSignal);
    }
  }
}
