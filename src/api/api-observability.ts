import { randomUUID, timingSafeEqual } from 'node:crypto';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { ServiceContext } from '../services/context.js';
import { withLogFields } from '../services/observability/index.js';
import type { ApiEnv } from './api-env.js';

/** A caller's `X-Request-Id` is kept when it is this plain; otherwise simdock makes one. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Gives each request an id (the caller's `X-Request-Id` when plain, else a new UUID), answers it
 * in `X-Request-Id`, and after the answer logs one line (method, route, status, duration) and
 * counts the request by route pattern and status. 5xx answers are logged as errors with the cause.
 */
export function observeRequests(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    c.set('requestId', requestId);
    const started = performance.now();
    await withLogFields({ requestId }, next);
    c.header('x-request-id', requestId);
    const { logger, metrics } = c.get('deps').context.telemetry;
    const seconds = (performance.now() - started) / 1000;
    const route = routeOf(c);
    const status = c.res.status;
    metrics?.apiRequests.inc({ method: c.req.method, route, status: String(status) });
    metrics?.apiRequestSeconds.observe({ method: c.req.method, route }, seconds);
    const caller = c.get('principal');
    const line = {
      requestId,
      method: c.req.method,
      route,
      path: c.req.path,
      status,
      ms: Math.round(seconds * 10_000) / 10,
      ...(caller ? { actor: caller.actor } : {}),
    };
    if (status >= 500) logger.error({ ...line, err: errorText(c.error) }, 'request failed');
    else logger.info(line, 'request');
  };
}

/**
 * The route pattern of the request (`/api/v1/cards/:id`), bounded for metric labels: the endpoint
 * that answered, or the endpoint that would have answered when a middleware did (a 401 from the
 * authentication, a 429 from the rate limit); the console's `/*` fallback only when nothing else.
 */
function routeOf(c: Context<ApiEnv>): string {
  const routes = matchedRoutes(c);
  const index = c.req.routeIndex;
  const answered = routes[index];
  if (answered && answered.method !== 'ALL') return answered.path;
  const endpoint = routes
    .slice(index + 1)
    .find((route) => route.method !== 'ALL' && route.path !== '/*');
  return endpoint?.path ?? answered?.path ?? 'unmatched';
}

function errorText(error: unknown): string | undefined {
  if (!error) return undefined;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * The probes of a simdock process: `GET /healthz` (liveness: the process answers), `GET /readyz`
 * (200 when the database answers and every migration simdock ships has run, else 503 with the
 * reason) and `GET /metrics` (Prometheus text format; with `token` set — `SIMDOCK_METRICS_TOKEN` —
 * only a scraper sending `Authorization: Bearer <token>` is answered). Mounted by the API and
 * served alone by `simdock worker --metrics-port`.
 */
export function createProbeRouter(context: ServiceContext, token: string | undefined): Hono {
  const router = new Hono();
  router.get('/healthz', (c) => c.json({ ok: true }));
  router.get('/readyz', async (c) => {
    const readiness = await context.store.ops.readiness();
    const reason = !readiness.reachable
      ? 'the database does not answer'
      : readiness.error
        ? 'the migrations cannot be read'
        : readiness.pendingMigrations.length
          ? 'migrations are pending'
          : undefined;
    if (reason) context.telemetry.logger.warn({ reason, err: readiness.error }, 'not ready');
    return c.json(
      {
        ready: !reason,
        database: readiness.reachable ? 'reachable' : 'unreachable',
        pendingMigrations: readiness.pendingMigrations,
        ...(reason ? { reason } : {}),
      },
      reason ? 503 : 200,
    );
  });
  router.get('/metrics', async (c) => {
    const metrics = context.telemetry.metrics;
    if (!metrics) return c.text('metrics are not collected in this process\n', 404);
    if (token && !bearerMatches(c.req.header('authorization'), token)) {
      c.header('www-authenticate', 'Bearer realm="metrics"');
      return c.text('unauthenticated\n', 401);
    }
    const { contentType, body } = await metrics.render();
    return c.body(body, 200, { 'content-type': contentType });
  });
  return router;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
