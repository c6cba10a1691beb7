import { systemClock } from '../../domain/index.js';
import {
  type FetchFunction,
  withCallCounter,
  withCallObserver,
  withHttpErrors,
  withRateLimit,
  withTimeout,
  withTransportErrors,
} from './fetch-decorators.js';
import type { SupplierRuntime } from './supplier-spec.js';
import { TokenBucket } from './token-bucket.js';

/**
 * The transport every adapter builds on: rate limit → call counting → observer → timeout → transport
 * errors → HTTP errors. Each supplier adds its own signing decorator on top.
 */
export function supplierTransport(runtime: SupplierRuntime): FetchFunction {
  const clock = runtime.clock ?? systemClock;
  let transport: FetchFunction = runtime.fetch ?? globalThis.fetch;
  transport = withTransportErrors(transport);
  transport = withTimeout(transport, runtime.timeoutMs ?? 30_000);
  transport = withHttpErrors(transport, clock);
  if (runtime.observer) transport = withCallObserver(transport, runtime.observer);
  if (runtime.callCounter) transport = withCallCounter(transport, runtime.callCounter);
  const onWait = runtime.observer?.rateLimitWait
    ? (ms: number) => runtime.observer?.rateLimitWait?.(ms)
    : undefined;
  if (runtime.rateLimiter) {
    transport = withRateLimit(transport, runtime.rateLimiter, onWait);
  } else if (runtime.rateLimit && runtime.rateLimit > 0) {
    transport = withRateLimit(
      transport,
      new TokenBucket({ ratePerSecond: runtime.rateLimit, clock }),
      onWait,
    );
  }
  return transport;
}
