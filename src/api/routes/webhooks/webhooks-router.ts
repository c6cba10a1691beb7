import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Principal } from '../../../services/access/access-roles.js';
import { redeliverWebhook } from '../../../services/webhooks/webhooks-delivery.js';
import {
  createWebhookEndpoint,
  updateWebhookEndpoint,
  type WebhookSettings,
} from '../../../services/webhooks/webhooks-endpoints.js';
import { EVENT_TYPES } from '../../../store/repositories/event-outbox.js';
import { TenantsRepository } from '../../../store/repositories/tenants-repository.js';
import {
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
  WebhooksRepository,
} from '../../../store/repositories/webhooks-repository.js';
import { type ApiEnv, createRouter, principal, serviceContext } from '../../api-env.js';
import {
  ERROR_RESPONSES,
  HttpUrlSchema,
  IdParams,
  isoInstant,
  jsonBody,
  jsonResponse,
  QueryIdSchema,
  queryNumber,
} from '../../api-schemas.js';

const EventTypeSchema = z.enum(EVENT_TYPES).openapi('WebhookEventType');

const EndpointSchema = z
  .object({
    id: z.number().int(),
    tenant: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z
      .array(EventTypeSchema)
      .openapi({ description: 'Types sent (without `simdock.`); empty = every type' }),
    enabled: z.boolean(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('WebhookEndpoint');

const DeliveryStateSchema = z.enum(['pending', 'succeeded', 'failed']);

const AttemptSchema = z
  .object({
    at: z.string(),
    statusCode: z.number().int().nullable(),
    durationMs: z.number().int(),
    error: z.string().nullable(),
    responseExcerpt: z.string().nullable().openapi({ description: 'The first 1 KiB answered' }),
    manual: z.boolean(),
  })
  .openapi('WebhookAttempt');

const DeliverySchema = z
  .object({
    id: z.number().int(),
    endpointId: z.number().int(),
    tenant: z.string(),
    eventId: z.string().openapi({ description: 'The CloudEvents id and the webhook-id header' }),
    eventType: z.string(),
    state: DeliveryStateSchema,
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    retryUntil: z.string(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('WebhookDelivery');

function endpointView(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    tenant: endpoint.tenantId,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    enabled: endpoint.enabled,
    createdBy: endpoint.createdBy,
    createdAt: isoInstant(endpoint.createdAt) as string,
    updatedAt: isoInstant(endpoint.updatedAt) as string,
  };
}

function deliveryView(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    tenant: delivery.tenantId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    state: delivery.state,
    attempts: delivery.attempts,
    nextAttemptAt: isoInstant(delivery.nextAttemptAt),
    retryUntil: isoInstant(delivery.retryUntil) as string,
    lastStatus: delivery.lastStatus,
    lastError: delivery.lastError,
    createdAt: isoInstant(delivery.createdAt) as string,
  };
}

function attemptView(attempt: WebhookAttempt) {
  return {
    at: isoInstant(attempt.at) as string,
    statusCode: attempt.statusCode,
    durationMs: attempt.durationMs,
    error: attempt.error,
    responseExcerpt: attempt.responseExcerpt,
    manual: attempt.manual,
  };
}

/** The tenants of the caller's subtree: whose endpoints and deliveries it may see. */
async function tenantsOf(c: Context<ApiEnv>, caller: Principal): Promise<string[]> {
  const tenants = await new TenantsRepository(serviceContext(c).store).listSubtree(
    caller.tenantPath,
  );
  return tenants.map((tenant) => tenant.id);
}

function settingsOf(c: Context<ApiEnv>): WebhookSettings {
  return { allowPrivateTargets: c.get('deps').options?.allowPrivateWebhookTargets === true };
}

const tags = ['webhooks'];

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'Webhook endpoints of the caller’s subtree (admin)',
  responses: {
    200: jsonResponse(z.object({ endpoints: z.array(EndpointSchema) }), 'Endpoints'),
    ...ERROR_RESPONSES,
  },
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create a webhook endpoint; the signing secret is in this answer only',
  request: {
    body: jsonBody(
      z.strictObject({
        url: HttpUrlSchema,
        eventTypes: z.array(EventTypeSchema).max(EVENT_TYPES.length).optional(),
        description: z.string().max(500).nullable().optional(),
        enabled: z.boolean().optional(),
        tenant: z.string().min(1).optional(),
      }),
    ),
  },
  responses: {
    201: jsonResponse(
      z.object({
        secret: z.string().openapi({ description: 'whsec_…: shown once (Standard Webhooks)' }),
        endpoint: EndpointSchema,
      }),
      'The new endpoint',
    ),
    ...ERROR_RESPONSES,
  },
});

const show = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  summary: 'One webhook endpoint',
  request: { params: IdParams },
  responses: { 200: jsonResponse(EndpointSchema, 'The endpoint'), ...ERROR_RESPONSES },
});

const update = createRoute({
  method: 'patch',
  path: '/{id}',
  tags,
  summary: 'Change a webhook endpoint (URL, event types, enabled, description)',
  request: {
    params: IdParams,
    body: jsonBody(
      z.strictObject({
        url: HttpUrlSchema.optional(),
        eventTypes: z.array(EventTypeSchema).max(EVENT_TYPES.length).optional(),
        description: z.string().max(500).nullable().optional(),
        enabled: z.boolean().optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse(EndpointSchema, 'The endpoint'), ...ERROR_RESPONSES },
});

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Delete a webhook endpoint (its pending deliveries are given up)',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(z.object({ deleted: z.literal(true) }), 'Deleted'),
    ...ERROR_RESPONSES,
  },
});

const deliveries = createRoute({
  method: 'get',
  path: '/deliveries',
  tags,
  summary: 'Deliveries, newest first',
  request: {
    query: z.strictObject({
      endpoint: QueryIdSchema.optional(),
      state: DeliveryStateSchema.optional(),
      limit: queryNumber({ min: 1, max: 500 }).optional(),
      before: QueryIdSchema.optional().openapi({
        description: 'Only deliveries with a smaller id (paging)',
      }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ deliveries: z.array(DeliverySchema), nextBefore: z.number().int().nullable() }),
      'Deliveries',
    ),
    ...ERROR_RESPONSES,
  },
});

const delivery = createRoute({
  method: 'get',
  path: '/deliveries/{id}',
  tags,
  summary: 'One delivery with every attempt',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(
      z.object({ delivery: DeliverySchema, attempts: z.array(AttemptSchema) }),
      'The delivery',
    ),
    ...ERROR_RESPONSES,
  },
});

const redeliver = createRoute({
  method: 'post',
  path: '/deliveries/{id}/redeliver',
  tags,
  summary: 'Send a delivery again now (retried for 24 hours more if it fails)',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(
      z.object({ delivery: DeliverySchema, attempt: AttemptSchema }),
      'The attempt made',
    ),
    ...ERROR_RESPONSES,
  },
});

/**
 * `/api/v1/webhooks`: endpoints (admin of the tenant subtree), their deliveries and attempts,
 * and redelivery. Everything outside the caller's subtree answers 404.
 */
export function webhooksRouter() {
  return createRouter()
    .openapi(list, async (c) => {
      const caller = principal(c, 'admin');
      const repository = new WebhooksRepository(serviceContext(c).store);
      const endpoints = await repository.listEndpoints(await tenantsOf(c, caller));
      return c.json({ endpoints: endpoints.map(endpointView) }, 200);
    })
    .openapi(create, async (c) => {
      const caller = principal(c, 'admin');
      const body = c.req.valid('json');
      const context = serviceContext(c);
      const tenant = await new TenantsRepository(context.store).requireInScope(
        body.tenant ?? caller.tenantId,
        caller.tenantPath,
      );
      const created = await createWebhookEndpoint(
        context,
        {
          tenantId: tenant.id,
          url: body.url,
          eventTypes: body.eventTypes,
          description: body.description,
          enabled: body.enabled,
          createdBy: caller.actor,
        },
        settingsOf(c),
      );
      return c.json({ secret: created.secret, endpoint: endpointView(created.endpoint) }, 201);
    })
    .openapi(deliveries, async (c) => {
      const caller = principal(c, 'admin');
      const query = c.req.valid('query');
      const limit = query.limit ?? 50;
      const found = await new WebhooksRepository(serviceContext(c).store).listDeliveries(
        await tenantsOf(c, caller),
        { endpointId: query.endpoint, state: query.state, limit, beforeId: query.before },
      );
      return c.json(
        {
          deliveries: found.map(deliveryView),
          nextBefore: found.length === limit ? found.at(-1)!.id : null,
        },
        200,
      );
    })
    .openapi(delivery, async (c) => {
      const caller = principal(c, 'admin');
      const repository = new WebhooksRepository(serviceContext(c).store);
      const found = await repository.getDelivery(
        c.req.valid('param').id,
        await tenantsOf(c, caller),
      );
      const attempts = await repository.attempts(found.id);
      return c.json({ delivery: deliveryView(found), attempts: attempts.map(attemptView) }, 200);
    })
    .openapi(redeliver, async (c) => {
      const caller = principal(c, 'admin');
      const result = await redeliverWebhook(
        serviceContext(c),
        c.req.valid('param').id,
        await tenantsOf(c, caller),
        settingsOf(c),
      );
      return c.json(
        { delivery: deliveryView(result.delivery), attempt: attemptView(result.attempt) },
        200,
      );
    })
    .openapi(show, async (c) => {
      const caller = principal(c, 'admin');
      const endpoint = await new WebhooksRepository(serviceContext(c).store).getEndpoint(
        c.req.valid('param').id,
        await tenantsOf(c, caller),
      );
      return c.json(endpointView(endpoint), 200);
    })
    .openapi(update, async (c) => {
      const caller = principal(c, 'admin');
      const endpoint = await updateWebhookEndpoint(
        serviceContext(c),
        c.req.valid('param').id,
        await tenantsOf(c, caller),
        c.req.valid('json'),
        settingsOf(c),
      );
      return c.json(endpointView(endpoint), 200);
    })
    .openapi(remove, async (c) => {
      const caller = principal(c, 'admin');
      const context = serviceContext(c);
      await new WebhooksRepository(context.store).deleteEndpoint(
        c.req.valid('param').id,
        await tenantsOf(c, caller),
        context.clock.now(),
      );
      return c.json({ deleted: true as const }, 200);
    });
}
