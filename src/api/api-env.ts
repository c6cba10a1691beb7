import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SimdockError } from '../domain/index.js';
import { ScopedCards } from '../services/access/access-cards.js';
import { type Principal, type Role, requireRole } from '../services/access/access-roles.js';
import type { ServiceContext } from '../services/context.js';
import type { JobQueue } from '../services/job-queue.js';
import { errorResponse, zodDetails, zodMessage } from './api-errors.js';

/** Our own rate limit per API key: a token bucket. */
export interface ApiRateLimit {
  /** Requests a key may make per minute, sustained. */
  requestsPerMinute: number;
  /** Requests a key may make at once after a quiet spell (default: a minute's worth). */
  burst?: number;
}

export interface ApiOptions {
  /** Lets webhook endpoints target private and loopback addresses (tests, labs). */
  allowPrivateWebhookTargets?: boolean;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  bodyLimitBytes?: number;
  /** Per API key (default 600 per minute, burst 600); `false` turns it off. */
  rateLimit?: ApiRateLimit | false;
  /** When set, `/metrics` answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
}

/** A router another part of simdock contributes, mounted at `path` (e.g. `/callbacks`). */
export interface ApiRouterMount {
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: routers of any environment are mounted alike.
  router: OpenAPIHono<any> | import('hono').Hono<any>;
  /** Whether the caller must be authenticated (`/api/v1/…` routers: yes; callbacks: no). */
  authenticated: boolean;
}

/** What `createApiApp` is built from. */
export interface ApiDeps {
  context: ServiceContext;
  /** When present, syncs and other long work are enqueued; else they run inline. */
  queue?: JobQueue;
  options?: ApiOptions;
  /** Routers of other parts (callbacks, agent open API, webhooks, jobs, SMS, …). */
  extraRouters?: ApiRouterMount[];
}

/** The Hono environment of every API router. */
export type ApiEnv = {
  Variables: {
    deps: ApiDeps;
    /** Null until the authentication middleware found a caller. */
    principal: Principal | null;
    /** The request's id (`X-Request-Id`), in every log line about it. */
    requestId: string;
  };
};

/** A router for one resource: OpenAPI-described, with zod failures in the error shape. */
export function createRouter(): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return errorResponse(
          c,
          'invalid_argument',
          zodMessage(result.error),
          zodDetails(result.error),
        );
      }
      return undefined;
    },
  });
}

/** The service context of the request. */
export function serviceContext(c: Context<ApiEnv>): ServiceContext {
  return c.get('deps').context;
}

/** The caller, at least `role` (default viewer); `unauthenticated` when nobody is signed in. */
export function principal(c: Context<ApiEnv>, role: Role = 'viewer'): Principal {
  const caller = c.get('principal');
  if (!caller) throw new SimdockError('unauthenticated', 'sign in or send an API key');
  requireRole(caller, role);
  return caller;
}

/** The cards the caller may see (at least `role`): every card query goes through this. */
export function scopedCards(c: Context<ApiEnv>, role: Role = 'viewer'): ScopedCards {
  return new ScopedCards(serviceContext(c), principal(c, role));
}

/** Supplier accounts and sync runs belong to the operator: the root tenant's callers only. */
export function requireRootTenant(caller: Principal): void {
  if (!caller.isRoot) {
    throw new SimdockError('permission_denied', "supplier accounts are the operator's own", {
      details: { tenant: caller.tenantId },
    });
  }
}

/**
 * The client's network address as the server's socket saw it (`@hono/node-server` puts the
 * request in `env.incoming`), or null when there is none (in-process requests). Proxies'
 * `X-Forwarded-For` is not trusted: a client could name any address.
 */
export function clientAddress(c: Context): string | null {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? null;
}
