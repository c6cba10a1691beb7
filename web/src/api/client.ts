import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.js';

/** The CSRF cookie the API sets at sign-in; its value goes back in `x-csrf-token`. */
const CSRF_COOKIE = 'simdock_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** An error answer of the API: `{error: {code, message, details}}`, kept with its status. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static isInstance(value: unknown): value is ApiError {
    return value instanceof Error && value.name === 'ApiError';
  }
}

/** The session's CSRF token, read from its cookie (double-submit). */
export function csrfToken(): string | null {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return null;
}

const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    const token = csrfToken();
    if (!SAFE_METHODS.has(request.method) && token) request.headers.set('x-csrf-token', token);
    return request;
  },
};

/** The typed client over `/api/v1`, generated from our OpenAPI document. */
export const api = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: 'same-origin',
});
api.use(csrfMiddleware);

/** Turns an API answer into an `ApiError` when it is one. */
export async function errorFrom(response: Response, body?: unknown): Promise<ApiError> {
  let payload = body;
  if (payload === undefined) payload = await response.json().catch(() => undefined);
  const error = (payload as { error?: { code?: string; message?: string; details?: object } })
    ?.error;
  if (error?.code) {
    return new ApiError(
      error.code,
      error.message ?? '',
      response.status,
      (error.details ?? {}) as Record<string, unknown>,
    );
  }
  return new ApiError(
    response.status === 404 ? 'not_found' : 'internal',
    response.statusText,
    response.status,
  );
}

/** The data of an openapi-fetch answer, or its error thrown as an `ApiError`. */
export async function unwrap<T>(
  promise: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const result = await promise;
  if (result.error !== undefined || !result.response.ok) {
    throw await errorFrom(result.response, result.error);
  }
  return result.data as T;
}

/**
 * A call to a route the generated types do not describe yet (another part of simdock adds it):
 * same cookies, CSRF header and error shape as the typed client.
 */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = csrfToken();
  if (!SAFE_METHODS.has(method) && token) headers['x-csrf-token'] = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** A query string of the defined, non-empty values. */
export function queryString(values: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
