import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { SimdockError } from '../../../domain/index.js';
import { SESSION_LIFETIME_MS, UsersRepository } from '../../../services/access/access-users.js';
import { LoginThrottle } from '../../../services/access/login-throttle.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../api-auth.js';
import { clientAddress, createRouter, principal, serviceContext } from '../../api-env.js';
import { ERROR_RESPONSES, jsonBody, jsonResponse, RoleSchema } from '../../api-schemas.js';

const MeSchema = z
  .object({
    kind: z.enum(['user', 'api_key']),
    id: z.number().int(),
    name: z.string(),
    role: RoleSchema,
    tenant: z.string(),
    actor: z.string(),
  })
  .openapi('Principal');

const login = createRoute({
  method: 'post',
  path: '/login',
  tags: ['auth'],
  summary: 'Sign in: sets the session cookie; answer carries the CSRF token',
  description:
    'Failed logins are counted per account and per client address: past 5 (account) or 20 ' +
    '(address) in a quarter hour, each further failure blocks logins for a delay that doubles ' +
    '(1 s up to 15 min); a blocked attempt answers 429 `rate_limited` with `Retry-After`.',
  security: [],
  request: {
    body: jsonBody(
      z.strictObject({ email: z.string().min(1).max(254), password: z.string().min(1).max(1024) }),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ me: MeSchema, csrfToken: z.string() }), 'Signed in'),
    ...ERROR_RESPONSES,
  },
});

const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags: ['auth'],
  summary: 'Sign out (ends the session)',
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true) }), 'Signed out'),
    ...ERROR_RESPONSES,
  },
});

const me = createRoute({
  method: 'get',
  path: '/me',
  tags: ['auth'],
  summary: 'Who the caller is',
  responses: { 200: jsonResponse(MeSchema, 'The caller'), ...ERROR_RESPONSES },
});

/** `/api/v1/auth`: console sessions in HTTP-only cookies, CSRF token in the answer. */
export function authRouter() {
  return createRouter()
    .openapi(login, async (c) => {
      const { email, password } = c.req.valid('json');
      const context = serviceContext(c);
      const users = new UsersRepository(context.store, () => context.clock.now());
      const attempt = { email, address: clientAddress(c) };
      const throttle = new LoginThrottle(context.store, () => context.clock.now());
      await throttle.check(attempt);
      let session: Awaited<ReturnType<typeof users.login>>;
      try {
        session = await users.login(email, password);
      } catch (error) {
        if (SimdockError.isInstance(error) && error.code === 'unauthenticated') {
          await throttle.failed(attempt);
        }
        throw error;
      }
      await throttle.succeeded(attempt);
      const secure = new URL(c.req.url).protocol === 'https:';
      const maxAge = Math.floor(SESSION_LIFETIME_MS / 1000);
      setCookie(c, SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
        secure,
        maxAge,
      });
      setCookie(c, CSRF_COOKIE, session.csrfToken, { sameSite: 'Lax', path: '/', secure, maxAge });
      const authenticated = await users.authenticateSession(session.token);
      const caller = authenticated!.principal;
      return c.json(
        {
          me: {
            kind: caller.kind,
            id: caller.id,
            name: caller.name,
            role: caller.role,
            tenant: caller.tenantId,
            actor: caller.actor,
          },
          csrfToken: session.csrfToken,
        },
        200,
      );
    })
    .openapi(logout, async (c) => {
      principal(c);
      const token = getCookie(c, SESSION_COOKIE);
      const context = serviceContext(c);
      if (token !== undefined) await new UsersRepository(context.store).logout(token);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      deleteCookie(c, CSRF_COOKIE, { path: '/' });
      return c.json({ ok: true as const }, 200);
    })
    .openapi(me, (c) => {
      const caller = principal(c);
      return c.json(
        {
          kind: caller.kind,
          id: caller.id,
          name: caller.name,
          role: caller.role,
          tenant: caller.tenantId,
          actor: caller.actor,
        },
        200,
      );
    });
}
