import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { SimdockError } from '../domain/index.js';
import { ApiKeysRepository } from '../services/access/access-keys.js';
import { sameSecret } from '../services/access/access-secrets.js';
import { UsersRepository } from '../services/access/access-users.js';
import type { ApiEnv } from './api-env.js';

/** The session cookie: HTTP-only, SameSite=Lax. */
export const SESSION_COOKIE = 'simdock_session';
/** The CSRF cookie, readable by the console, echoed in `x-csrf-token` (double submit). */
export const CSRF_COOKIE = 'simdock_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Finds the caller: `Authorization: Bearer simdock_…` (an API key), else the session cookie.
 * Cookie-authenticated unsafe requests must carry the session's CSRF token in `x-csrf-token`.
 * Requests with neither pass with no principal; routes then answer `unauthenticated`.
 */
export function authenticate(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const { context } = c.get('deps');
    const now = () => context.clock.now();
    c.set('principal', null);
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      const principal = match
        ? await new ApiKeysRepository(context.store, now).authenticate(match[1]!)
        : null;
      if (!principal) throw new SimdockError('unauthenticated', 'invalid or revoked API key');
      c.set('principal', principal);
      return next();
    }
    const token = getCookie(c, SESSION_COOKIE);
    if (token !== undefined) {
      const session = await new UsersRepository(context.store, now).authenticateSession(token);
      if (!session)
        throw new SimdockError('unauthenticated', 'the session has ended; sign in again');
      if (!SAFE_METHODS.has(c.req.method)) {
        const header = c.req.header(CSRF_HEADER) ?? '';
        if (!sameSecret(header, session.csrfToken)) {
          throw new SimdockError('permission_denied', `missing or wrong ${CSRF_HEADER} header`);
        }
      }
      c.set('principal', session.principal);
    }
    return next();
  };
}

/** The `/api/v1` routes a caller may reach without credentials: signing in. */
const PUBLIC_ROUTES = new Set(['POST /api/v1/auth/login']);

/**
 * Answers 401 to any `/api/v1` request that carries no credentials, before a route validates
 * its parameters or body: a stranger learns nothing about a route's fields from a 400.
 */
export function requireCaller(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (c.get('principal') === null && !PUBLIC_ROUTES.has(`${c.req.method} ${c.req.path}`)) {
      throw new SimdockError('unauthenticated', 'sign in or send an API key');
    }
    return next();
  };
}
