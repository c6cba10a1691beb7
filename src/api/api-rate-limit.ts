import type { MiddlewareHandler } from 'hono';
import { type Clock, SimdockError } from '../domain/index.js';
import type { ApiEnv, ApiRateLimit } from './api-env.js';

/** The default limit per API key. */
export const DEFAULT_RATE_LIMIT: ApiRateLimit = { requestsPerMinute: 600 };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Our own rate limit per API key (session users are people at a console and are not limited):
 * a token bucket of `burst` tokens refilled at `requestsPerMinute`. Every answer to a key carries
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds until the bucket is
 * full again); an empty bucket answers 429 `rate_limited` with `Retry-After`. Buckets live in
 * this process: several `simdock serve` processes each allow the limit.
 */
export function rateLimitPerKey(limit: ApiRateLimit, clock: Clock): MiddlewareHandler<ApiEnv> {
  const capacity = Math.max(1, limit.burst ?? limit.requestsPerMinute);
  const perMs = limit.requestsPerMinute / 60_000;
  const buckets = new Map<number, Bucket>();
  return async (c, next) => {
    const caller = c.get('principal');
    if (caller?.kind !== 'api_key') return next();
    const now = clock.now();
    const bucket = buckets.get(caller.id) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    buckets.set(caller.id, bucket);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    const secondsUntil = (tokens: number) =>
      perMs > 0 ? Math.max(0, Math.ceil((tokens - bucket.tokens) / perMs / 1000)) : 0;
    c.header('RateLimit-Limit', String(capacity));
    c.header('RateLimit-Remaining', String(Math.floor(bucket.tokens)));
    c.header('RateLimit-Reset', String(secondsUntil(capacity)));
    if (!allowed) {
      const retryAfter = Math.max(1, secondsUntil(1));
      c.header('Retry-After', String(retryAfter));
      throw new SimdockError('rate_limited', `too many requests; retry in ${retryAfter} s`, {
        details: { retryAfterSeconds: retryAfter, limit: capacity },
      });
    }
    return next();
  };
}
