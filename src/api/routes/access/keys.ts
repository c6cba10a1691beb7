import { createRoute, z } from '@hono/zod-openapi';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import { type ApiKey, ApiKeysRepository } from '../../../services/access/access-keys.js';
import { requireGrantable } from '../../../services/access/access-roles.js';
import { TenantsRepository } from '../../../store/repositories/tenants-repository.js';
import { createRouter, principal, serviceContext } from '../../api-env.js';
import {
  ERROR_RESPONSES,
  IdParams,
  isoInstant,
  jsonBody,
  jsonResponse,
  nameSchema,
  RoleSchema,
} from '../../api-schemas.js';

const ApiKeySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    prefix: z
      .string()
      .openapi({ description: 'The visible start of the key', example: 'simdock_0a1b2c3d4e5f' }),
    role: RoleSchema,
    tenant: z.string(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

function keyView(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    role: key.role,
    tenant: key.tenantId,
    createdBy: key.createdBy,
    createdAt: isoInstant(key.createdAt) as string,
    lastUsedAt: isoInstant(key.lastUsedAt),
    revokedAt: isoInstant(key.revokedAt),
  };
}

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['keys'],
  summary: 'API keys of the caller’s subtree (admin)',
  responses: {
    200: jsonResponse(z.object({ keys: z.array(ApiKeySchema) }), 'Keys'),
    ...ERROR_RESPONSES,
  },
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['keys'],
  summary: 'Create an API key; the secret is in this answer only',
  request: {
    body: jsonBody(
      z.strictObject({
        name: nameSchema(200),
        role: RoleSchema,
        tenant: z.string().min(1).optional(),
      }),
    ),
  },
  responses: {
    201: jsonResponse(
      z.object({ key: z.string().openapi({ description: 'Shown once' }), apiKey: ApiKeySchema }),
      'The new key',
    ),
    ...ERROR_RESPONSES,
  },
});

const revoke = createRoute({
  method: 'post',
  path: '/{id}/revoke',
  tags: ['keys'],
  summary: 'Revoke an API key',
  request: { params: IdParams },
  responses: { 200: jsonResponse(ApiKeySchema, 'The revoked key'), ...ERROR_RESPONSES },
});

/** `/api/v1/keys`: API keys (`simdock_<prefix>_<secret>`, stored hashed). */
export function keysRouter() {
  return createRouter()
    .openapi(list, async (c) => {
      const caller = principal(c, 'admin');
      const keys = await new ApiKeysRepository(serviceContext(c).store).listInScope(
        caller.tenantPath,
      );
      return c.json({ keys: keys.map(keyView) }, 200);
    })
    .openapi(create, async (c) => {
      const caller = principal(c, 'admin');
      const body = c.req.valid('json');
      requireGrantable(caller, body.role);
      const context = serviceContext(c);
      const now = () => context.clock.now();
      const tenant = await new TenantsRepository(context.store, now).requireInScope(
        body.tenant ?? caller.tenantId,
        caller.tenantPath,
      );
      const created = await new ApiKeysRepository(context.store, now).create({
        name: body.name,
        role: body.role,
        tenantId: tenant.id,
        createdBy: caller.actor,
      });
      await recordScopedAudit(context.store, caller, {
        action: 'keys.create',
        targetType: 'api_key',
        targetId: String(created.apiKey.id),
        outcome: 'succeeded',
        details: { prefix: created.apiKey.prefix, role: body.role, tenant: tenant.id },
      });
      return c.json({ key: created.key, apiKey: keyView(created.apiKey) }, 201);
    })
    .openapi(revoke, async (c) => {
      const caller = principal(c, 'admin');
      const { id } = c.req.valid('param');
      const context = serviceContext(c);
      const key = await new ApiKeysRepository(context.store, () => context.clock.now()).revoke(
        id,
        caller.tenantPath,
      );
      await recordScopedAudit(context.store, caller, {
        action: 'keys.revoke',
        targetType: 'api_key',
        targetId: String(id),
        outcome: 'succeeded',
      });
      return c.json(keyView(key), 200);
    });
}
