/**
 * The closed set of error codes simdock returns: the CLI prints them, the API sends them in
 * `{error: {code, message, details}}` and the console translates them.
 */
export const ERROR_CODES = [
  'invalid_argument',
  'invalid_identifier',
  'not_found',
  'already_exists',
  'conflict',
  'config_error',
  'unauthenticated',
  'permission_denied',
  'rate_limited',
  'unsupported',
  'cancelled',
  'cooldown',
  'supplier_auth_failed',
  'supplier_throttled',
  'supplier_unavailable',
  'supplier_timeout',
  'supplier_rejected',
  'supplier_bad_response',
  'supplier_card_unknown',
  'supplier_balance_exhausted',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'rate_limited',
  'supplier_throttled',
  'supplier_unavailable',
  'supplier_timeout',
  'cooldown',
]);

const marker = Symbol.for('simdock.error');

export interface SimdockErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  /** Overrides the retryability implied by the code. */
  retryable?: boolean;
}

/** Base class of every error simdock raises on purpose. */
export class SimdockError extends Error {
  readonly [marker] = true;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: SimdockErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SimdockError';
    this.code = code;
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? RETRYABLE_CODES.has(code);
  }

  /** True for any SimdockError, even one from another copy of this module. */
  static isInstance(error: unknown): error is SimdockError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** Whether doing the same thing again later may succeed. */
export function isRetryable(error: unknown): boolean {
  if (SimdockError.isInstance(error)) return error.retryable;
  // A fetch that failed before any answer (connection refused, reset, DNS) may succeed later.
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) return true;
  return false;
}

/** The message of any thrown value, for one-line reports. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
