import { type Clock, SimdockError, systemClock } from '../../domain/index.js';
import { SupplierError } from './supplier-error.js';
import type { CallLimiter } from './token-bucket.js';

export type FetchFunction = (
  input: string | URL | Request,
  init?: RequestInit,
) => Promise<Response>;

/** Fails a call that takes longer than `ms` with a retryable `supplier_timeout`. */
export function withTimeout(fetchFunction: FetchFunction, ms: number): FetchFunction {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await fetchFunction(input, { ...init, signal });
    } catch (error) {
      if (timeout.aborted && !init?.signal?.aborted) {
        throw new SupplierError('supplier_timeout', `no answer within ${ms} ms`, {
          cause: error,
        });
      }
      throw error;
    }
  };
}

/** Turns transport failures (connection refused, reset) into retryable `supplier_unavailable`. */
export function withTransportErrors(fetchFunction: FetchFunction): FetchFunction {
  return async (input, init) => {
    try {
      return await fetchFunction(input, init);
    } catch (error) {
      if (SimdockError.isInstance(error) || init?.signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string } }).cause;
      const reason = cause?.code ?? (error as Error).message;
      throw new SupplierError('supplier_unavailable', `cannot reach the supplier (${reason})`, {
        cause: error,
      });
    }
  };
}

/** Counts every call that leaves, per account; the counts feed sync runs and benchmarks. */
export class CallCounter {
  total = 0;
  readonly byPath = new Map<string, number>();

  count(path: string): void {
    this.total += 1;
    this.byPath.set(path, (this.byPath.get(path) ?? 0) + 1);
  }
}

export function withCallCounter(fetchFunction: FetchFunction, counter: CallCounter): FetchFunction {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    counter.count(url.pathname);
    return fetchFunction(input, init);
  };
}

/**
 * Waits for a token before each call (`onWait` hears how long a call waited, in ms, if at all),
 * and tells the limiter of a throttling answer the layers below raised (HTTP 429); supplier codes
 * found in bodies are reported by `reportThrottling`.
 */
export function withRateLimit(
  fetchFunction: FetchFunction,
  bucket: Pick<CallLimiter, 'take' | 'throttled'>,
  onWait?: (ms: number) => void,
): FetchFunction {
  return async (input, init) => {
    const started = performance.now();
    await bucket.take(init?.signal ?? undefined);
    const waited = performance.now() - started;
    if (onWait && waited >= 1) onWait(waited);
    try {
      return await fetchFunction(input, init);
    } catch (error) {
      reportThrottling(bucket, error);
      throw error;
    }
  };
}

const reported = new WeakSet<object>();

/**
 * Tells a limiter of a `supplier_throttled` error, once per error however many layers see it.
 */
export function reportThrottling(
  limiter: Pick<CallLimiter, 'throttled'> | undefined,
  error: unknown,
): void {
  if (
    limiter?.throttled === undefined ||
    !SimdockError.isInstance(error) ||
    error.code !== 'supplier_throttled' ||
    reported.has(error)
  )
    return;
  reported.add(error);
  limiter.throttled(error);
}

/** How a supplier call ended, as metrics and logs count it. */
export type SupplierCallOutcome =
  | 'ok'
  | 'throttled'
  | 'timeout'
  | 'unavailable'
  | 'rejected'
  | 'error';

/** One supplier call as an observer hears it. */
export interface SupplierCallEvent {
  /** The path called, with long numbers (ICCIDs, ids) replaced by `:id`. */
  operation: string;
  outcome: SupplierCallOutcome;
  /** The HTTP status, when an answer came. */
  httpStatus: number | null;
  /** Wall-clock duration of the call in milliseconds. */
  durationMs: number;
  /** simdock's error code when the call failed. */
  errorCode?: string;
}

/** Hears every call an account makes and every wait its rate limit imposes (metrics, logs). */
export interface SupplierCallObserver {
  call(event: SupplierCallEvent): void;
  rateLimitWait?(ms: number): void;
}

/** A path as a metric label: digit runs of 6 or more (ICCIDs, MSISDNs, ids) become `:id`. */
export function operationOfPath(pathname: string): string {
  return pathname.replace(/\d{6,}/g, ':id');
}

/** Tells `observer` of each call: its operation, outcome, HTTP status and duration. */
export function withCallObserver(
  fetchFunction: FetchFunction,
  observer: SupplierCallObserver,
): FetchFunction {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const operation = operationOfPath(url.pathname);
    const started = performance.now();
    try {
      const response = await fetchFunction(input, init);
      observer.call({
        operation,
        outcome: response.ok || response.status < 400 ? 'ok' : 'rejected',
        httpStatus: response.status,
        durationMs: performance.now() - started,
      });
      return response;
    } catch (error) {
      const code = SimdockError.isInstance(error) ? error.code : 'internal';
      const outcome: SupplierCallOutcome =
        code === 'supplier_throttled'
          ? 'throttled'
          : code === 'supplier_timeout'
            ? 'timeout'
            : code === 'supplier_unavailable'
              ? 'unavailable'
              : 'error';
      observer.call({
        operation,
        outcome,
        httpStatus: (error as { httpStatus?: number }).httpStatus ?? null,
        durationMs: performance.now() - started,
        errorCode: code,
      });
      throw error;
    }
  };
}

/** Maps HTTP-level failures to typed errors: 429 throttled, 5xx unavailable, both retryable. */
export function withHttpErrors(
  fetchFunction: FetchFunction,
  clock: Clock = systemClock,
): FetchFunction {
  return async (input, init) => {
    const response = await fetchFunction(input, init);
    if (response.status === 429) {
      throw new SupplierError('supplier_throttled', 'the supplier answered HTTP 429', {
        httpStatus: 429,
        retryAfterMs: retryAfterMs(response.headers.get('retry-after'), clock.now()),
      });
    }
    if (response.status >= 500) {
      throw new SupplierError(
        'supplier_unavailable',
        `the supplier answered HTTP ${response.status}`,
        {
          httpStatus: response.status,
        },
      );
    }
    return response;
  };
}

function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Reads a body as JSON, failing with a typed error that keeps the start of the text. */
export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SupplierError(
      'supplier_bad_response',
      `the supplier answered with malformed JSON (HTTP ${response.status}): ${text.slice(0, 120)}`,
      { cause: error, httpStatus: response.status, retryable: true },
    );
  }
}
