import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { SimdockError } from '../domain/index.js';
import { createAgentOpenApi } from './agent-open-api/index.js';
import { authenticate, requireCaller } from './api-auth.js';
import { createDocsRouter } from './api-docs.js';
import { type ApiDeps, type ApiEnv, createRouter } from './api-env.js';
import { errorResponse, handleApiError } from './api-errors.js';
import { createProbeRouter, observeRequests } from './api-observability.js';
import { DEFAULT_RATE_LIMIT, rateLimitPerKey } from './api-rate-limit.js';
import { documentErrorResponses } from './api-schemas.js';
import { createCallbackRouter } from './callbacks/index.js';
import { createConsoleRouter } from './console-static.js';
import { mcpHttpHandler } from './mcp/mcp-http.js';
import { auditRouter } from './routes/access/audit.js';
import { authRouter } from './routes/access/auth.js';
import { keysRouter } from './routes/access/keys.js';
import { tenantsRouter } from './routes/access/tenants.js';
import { usersRouter } from './routes/access/users.js';
import { accountsRouter } from './routes/accounts/accounts.js';
import { suppliersRouter } from './routes/accounts/suppliers.js';
import { jobsRouter } from './routes/bulk/jobs.js';
import { devicesRouter } from './routes/devices/devices.js';
import { cardsRouter } from './routes/inventory/cards.js';
import { cardsExportsRouter } from './routes/inventory/cards-exports.js';
import { cardsImportRouter } from './routes/inventory/cards-import.js';
import { usageRouter } from './routes/inventory/usage.js';
import { notificationsRouter } from './routes/notifications/index.js';
import { plansRouter } from './routes/plans/plans.js';
import { poolsRouter } from './routes/pools/pools.js';
import { alertsRouter } from './routes/rules/alerts.js';
import { rulesRouter } from './routes/rules/rules.js';
import { smsRouter } from './routes/sms/sms.js';
import { syncRunsRouter } from './routes/sync/sync-runs.js';
import { syncStatusRouter } from './routes/sync/sync-status.js';
import { webhooksRouter } from './routes/webhooks/index.js';

export type { ApiDeps, ApiEnv, ApiOptions, ApiRateLimit, ApiRouterMount } from './api-env.js';

/** The version of simdock's API, in the OpenAPI document and to MCP clients. */
export const API_VERSION = '1.0.0';

/** The largest request body by default: 1 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Methods whose requests have no body to limit. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD']);

/** The REST API v1 routers, by path under `/api/v1`. */
const V1_ROUTERS = {
  '/auth': authRouter,
  '/cards/import': cardsImportRouter,
  '/cards/exports': cardsExportsRouter,
  '/cards': cardsRouter,
  '/usage': usageRouter,
  '/accounts': accountsRouter,
  '/sync-runs': syncRunsRouter,
  '/sync-status': syncStatusRouter,
  '/audit': auditRouter,
  '/users': usersRouter,
  '/keys': keysRouter,
  '/tenants': tenantsRouter,
  '/webhooks': webhooksRouter,
  '/notifications': notificationsRouter,
  '/jobs': jobsRouter,
  // `/cards/{id}/sms` and `/sms`.
  '/': smsRouter,
  '/alerts': alertsRouter,
  '/rules': rulesRouter,
  '/plans': plansRouter,
  '/pools': poolsRouter,
  '/devices': devicesRouter,
  '/suppliers': suppliersRouter,
} as const;

/**
 * simdock's northbound HTTP app: the REST API v1 under `/api/v1` (OpenAPI 3.1 at
 * `/openapi.json`, Swagger UI at `/docs`), supplier callbacks under `/callbacks`, and the routers
 * other parts contribute (`deps.extraRouters`: the agent open API, webhooks, jobs, SMS, …).
 * Every failure answers `{error: {code, message, details}}`.
 */
export function createApiApp(deps: ApiDeps): OpenAPIHono<ApiEnv> {
  const options = deps.options ?? {};
  const app = new OpenAPIHono<ApiEnv>();
  const maxSize = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;

  app.onError(handleApiError);
  app.notFound((c) => errorResponse(c, 'not_found', `no route ${c.req.method} ${c.req.path}`));
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    c.set('principal', null);
    await next();
  });
  app.use('*', observeRequests());
  const limitBody = bodyLimit({
    maxSize,
    onError: (c) =>
      errorResponse(
        c,
        'invalid_argument',
        `the request body exceeds ${maxSize} bytes`,
        { limitBytes: maxSize },
        413,
      ),
  });
  // GET and HEAD carry no body; asking the request for one would make @hono/node-server build a
  // full fetch Request for every read (a tenth of a cards page's CPU under load).
  app.use('*', (c, next) => (BODYLESS_METHODS.has(c.req.method) ? next() : limitBody(c, next)));

  // Supplier callbacks: verified by each supplier's own rules, never by our sessions or keys.
  app.route('/callbacks', createCallbackRouter(deps.context));
  // simdock's own agent open API (/openapi/iot/…): signed per tenant app, never by our keys.
  app.route('/', createAgentOpenApi(deps.context).app);

  app.use('/api/v1/*', authenticate());
  app.use('/api/v1/*', requireCaller());
  const rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  if (rateLimit !== false) {
    app.use('/api/v1/*', rateLimitPerKey(rateLimit, deps.context.store, deps.context.clock));
  }
  const v1 = createRouter();
  for (const [path, router] of Object.entries(V1_ROUTERS)) v1.route(path, router());
  // Routers from other parts of simdock: authenticated ones sit beside ours under /api/v1.
  for (const mount of deps.extraRouters ?? []) {
    if (mount.authenticated) v1.route(mount.path, mount.router);
  }
  app.route('/api/v1', v1);
  for (const mount of deps.extraRouters ?? []) {
    if (!mount.authenticated) app.route(mount.path, mount.router);
  }

  // Every route documents every error status it can send.
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type === 'route') documentErrorResponses(definition.route);
  }
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key: `Authorization: Bearer simdock_<prefix>_<secret>`',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'simdock_session',
    description: 'A console session (unsafe methods also need the `x-csrf-token` header)',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'simdock API',
      version: API_VERSION,
      description:
        'One API for every IoT SIM card, whichever supplier it came from. Every failure answers ' +
        '`{error: {code, message, details}}`; every query sees only the caller’s tenant subtree.',
    },
    security: [{ apiKey: [] }, { session: [] }],
  });
  app.route('/docs', createDocsRouter());
  app.route('/', createProbeRouter(deps.context, options.metricsToken));
  // MCP for assistants (streamable HTTP): a client of the API above, with the caller's own key.
  app.all(
    '/mcp',
    mcpHttpHandler((path, init) => app.request(path, init), API_VERSION),
  );

  // Any /api/v1 path no router claimed: the error shape, not Hono's plain 404.
  app.all('/api/v1/*', (c) => {
    throw new SimdockError('not_found', `no route ${c.req.method} ${c.req.path}`);
  });
  // The web console (dist/console) with its SPA fallback; `/` goes to /docs when not built.
  app.route('/', createConsoleRouter());
  return app;
}
