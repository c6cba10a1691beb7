import { type Clock, errorMessage, SimdockError } from '../../domain/index.js';
import { withRetry } from '../../suppliers/spec/index.js';

export interface BatchFailure {
  code: string;
  message: string;
}

/**
 * Runs `work` over `batches` with at most `concurrency` in flight, retrying retryable failures
 * with backoff. A batch that still fails is handed to `onFailure`. Bad credentials, or several
 * batches failing in a row, stop the run: the remaining batches fail with the same reason
 * without being sent.
 */
export async function runBatches<T>(options: {
  batches: T[];
  concurrency: number;
  clock: Clock;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  abortSignal?: AbortSignal;
  /** Batches failing in a row (after their retries) that stop the run: the supplier is down. */
  stopAfterConsecutiveFailures?: number;
  /** Every failed attempt, retried or not (throttling answers are reported from here). */
  onError?: (error: unknown) => void;
  work: (batch: T) => Promise<void>;
  onFailure: (batch: T, failure: BatchFailure) => void | Promise<void>;
}): Promise<{ stoppedBy: BatchFailure | null }> {
  let next = 0;
  let stopped: BatchFailure | null = null;
  let consecutiveFailures = 0;
  const stopAfter = options.stopAfterConsecutiveFailures ?? 3;
  const worker = async () => {
    while (next < options.batches.length && !stopped) {
      options.abortSignal?.throwIfAborted();
      const batch = options.batches[next++] as T;
      try {
        await withRetry(() => options.work(batch), {
          clock: options.clock,
          maxAttempts: options.maxAttempts ?? 6,
          baseDelayMs: options.baseDelayMs ?? 1000,
          maxDelayMs: options.maxDelayMs ?? 30_000,
          abortSignal: options.abortSignal,
          onRetry: ({ error }) => options.onError?.(error),
        });
        consecutiveFailures = 0;
      } catch (error) {
        if (options.abortSignal?.aborted) throw error;
        options.onError?.(error);
        const failure = SimdockError.isInstance(error)
          ? { code: error.code, message: error.message }
          : { code: 'internal', message: errorMessage(error) };
        consecutiveFailures += 1;
        if (failure.code === 'supplier_auth_failed' || consecutiveFailures >= stopAfter) {
          stopped = failure;
        }
        await options.onFailure(batch, failure);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  // Batches never tried because the account failed as a whole fail with the same reason.
  if (stopped) {
    for (const batch of options.batches.slice(next)) await options.onFailure(batch, stopped);
  }
  return { stoppedBy: stopped };
}
