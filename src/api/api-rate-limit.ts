import type { MiddlewareHandler } from 'hono';
import { type Clock, SimdockError } from '../domain/index.js';
import { ApiKeyLimiter } from '../services/limits/api-key-limiter.js';
import type { Store } from '../store/index.js';
import type { ApiEnv, ApiRateLimit } from './api-env.js';

/** The default limit per API key. */
export const DEFAULT_RATE_LIMIT: ApiRateLimit = { requestsPerMinute: 600 };

/**
 * Our own rate limit per API key (session users are people at a console and are not limited):
 * a token bucket of `burst` tokens refilled at `requestsPerMinute`, shared by every API process
 * and host on the database (`ApiKeyLimiter`: each process leases a few tokens at a time). Every
 * answer to a key carries `RateLimit-Limit`, `RateLimit-Remaining` (as this process last learnt
 * it) and `RateLimit-Reset` (seconds until the bucket is full again); an empty bucket answers
 * 429 `rate_limited` with `Retry-After`.
 */
export function rateLimitPerKey(
  limit: ApiRateLimit,
  store: Store,
  clock: Clock,
): MiddlewareHandler<ApiEnv> {
  const limiter = new ApiKeyLimiter({ store, clock, limit });
  return async (c, next) => {
    const caller = c.get('principal');
    if (caller?.kind !== 'api_key') return next();
    const decision = await limiter.take(caller.id);
    c.header('RateLimit-Limit', String(decision.limit));
    c.header('RateLimit-Remaining', String(decision.remaining));
    c.header('RateLimit-Reset', String(decision.resetSeconds));
    if (!decision.allowed) {
      const retryAfter = decision.retryAfterSeconds;
      c.header('Retry-After', String(retryAfter));
      throw new SimdockError('rate_limited', `too many requests; retry in ${retryAfter} s`, {
        details: { retryAfterSeconds: retryAfter, limit: decision.limit },
      });
    }
    return next();
  };
}
