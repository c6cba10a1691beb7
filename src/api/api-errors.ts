import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { type ErrorCode, SimdockError } from '../domain/index.js';

/** The one error shape of the API: `{error: {code, message, details}}`. */
export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; details: Record<string, unknown> };
}

/** The HTTP status each error code answers with. */
const STATUS_OF: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_argument: 400,
  invalid_identifier: 400,
  not_found: 404,
  already_exists: 409,
  conflict: 409,
  config_error: 400,
  unauthenticated: 401,
  permission_denied: 403,
  rate_limited: 429,
  unsupported: 422,
  cancelled: 409,
  cooldown: 429,
  supplier_auth_failed: 502,
  supplier_throttled: 503,
  supplier_unavailable: 503,
  supplier_timeout: 504,
  supplier_rejected: 502,
  supplier_bad_response: 502,
  supplier_card_unknown: 502,
  supplier_balance_exhausted: 502,
  internal: 500,
};

/** The HTTP status of an error code. */
export function httpStatusOf(code: ErrorCode): ContentfulStatusCode {
  return STATUS_OF[code];
}

/** The error body of a code, a message and details. */
export function errorBody(
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): ApiErrorBody {
  return { error: { code, message, details } };
}

/** Answers with the error shape (status from the code unless given). */
export function errorResponse(
  c: Context,
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  status: ContentfulStatusCode = httpStatusOf(code),
): Response {
  return c.json(errorBody(code, message, details), status);
}

/** Field-level details of a zod failure: `{fields: [{path, message, code}]}`. */
export function zodDetails(error: ZodError): Record<string, unknown> {
  return {
    fields: error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
      code: issue.code,
    })),
  };
}

/**
 * `invalid_argument` unless a body names exactly one of `cards` (ids) and `filter`, with both
 * fields in its details as a validation failure lists them.
 */
export function requireCardsOrFilter(body: { cards?: unknown; filter?: unknown }): void {
  if ((body.cards === undefined) !== (body.filter === undefined)) return;
  const message =
    body.cards === undefined ? 'give `cards` or `filter`' : 'give `cards` or `filter`, not both';
  throw new SimdockError('invalid_argument', message, {
    details: {
      fields: ['cards', 'filter'].map((path) => ({
        path,
        message: 'exactly one of cards and filter',
      })),
    },
  });
}

/** A one-line summary of a zod failure: `limit: Too big…; status: Invalid option…`. */
export function zodMessage(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
}

/**
 * The app's `onError`: SimdockErrors answer with their code, Hono's HTTP exceptions (malformed
 * JSON, …) with the matching client error, anything else with `internal` and no detail.
 */
export function handleApiError(error: unknown, c: Context): Response {
  if (SimdockError.isInstance(error)) {
    // Refusals that say when to come back (rate limits, cooldowns) tell HTTP clients too.
    const retryAfter = error.details.retryAfterSeconds;
    if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter > 0) {
      c.header('Retry-After', String(Math.ceil(retryAfter)));
    }
    return errorResponse(c, error.code, error.message, error.details);
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const code: ErrorCode =
      status === 401
        ? 'unauthenticated'
        : status === 404
          ? 'not_found'
          : status >= 500
            ? 'internal'
            : 'invalid_argument';
    return errorResponse(c, code, error.message || 'bad request', {}, status);
  }
  // The request log line carries the cause (api-observability.ts): the caller gets no detail.
  return errorResponse(c, 'internal', 'internal error', {});
}
