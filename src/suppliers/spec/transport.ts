import { systemClock } from '../../domain/index.js';
import {
  type FetchFunction,
  withCallCounter,
  withHttpErrors,
  withRateLimit,
  withTimeout,
  withTransportErrors,
} from './fetch-decorators.js';
import type { SupplierRuntime } from './supplier-spec.js';
import { TokenBucket } from './token-bucket.js';

/**
 * The transport every adapter builds on: rate limit → call counting → timeout → transport
 * errors → HTTP errors. Each supplier adds its own signing decorator on top.
 */
export function supplierTransport(runtime: SupplierRuntime): FetchFunction {
  const clock = runtime.clock ?? systemClock;
  let transport: FetchFunction = runtime.fetch ?? globalThis.fetch;
  transport = withTransportErrors(transport);
  transport = withTimeout(transport, runtime.timeoutMs ?? 30_000);
  transport = withHttpErrors(transport, clock);
  if (runtime.callCounter) transport = withCallCounter(transport, runtime.callCounter);
  if (runtime.rateLimiter) {
    transport = withRateLimit(transport, runtime.rateLimiter);
  } else if (runtime.rateLimit && runtime.rateLimit > 0) {
    transport = withRateLimit(
      transport,
      new TokenBucket({ ratePerSecond: runtime.rateLimit, clock }),
    );
  }
  return transport;
}
