import { createRoute, z } from '@hono/zod-openapi';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import { type Tenant, TenantsRepository } from '../../../store/repositories/tenants-repository.js';
import { createRouter, principal, serviceContext } from '../../api-env.js';
import {
  ERROR_RESPONSES,
  isoInstant,
  jsonBody,
  jsonResponse,
  nameSchema,
} from '../../api-schemas.js';

const TenantSchema = z
  .object({
    id: z.string(),
    parent: z.string().nullable(),
    name: z.string(),
    kind: z.enum(['operator', 'customer', 'agent']),
    path: z.string(),
    createdAt: z.string(),
  })
  .openapi('Tenant');

function tenantView(tenant: Tenant) {
  return {
    id: tenant.id,
    parent: tenant.parentId,
    name: tenant.name,
    kind: tenant.kind,
    path: tenant.path,
    createdAt: isoInstant(tenant.createdAt) as string,
  };
}

const TenantParams = z.object({
  id: z
    .string()
    .min(1)
    .max(63)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'acme' }),
});

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['tenants'],
  summary: 'The caller’s tenant and every tenant below it',
  responses: {
    200: jsonResponse(z.object({ tenants: z.array(TenantSchema) }), 'Tenants'),
    ...ERROR_RESPONSES,
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['tenants'],
  summary: 'One tenant of the caller’s subtree',
  request: { params: TenantParams },
  responses: { 200: jsonResponse(TenantSchema, 'The tenant'), ...ERROR_RESPONSES },
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['tenants'],
  summary: 'Create a customer or agent tenant in the caller’s subtree (admin)',
  request: {
    body: jsonBody(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
        name: nameSchema(200),
        kind: z.enum(['customer', 'agent']),
        parent: z.string().min(1).optional().openapi({ description: 'Default: the caller’s' }),
      }),
    ),
  },
  responses: { 201: jsonResponse(TenantSchema, 'The new tenant'), ...ERROR_RESPONSES },
});

/** `/api/v1/tenants`: the hierarchy (operator → customers and agents → …). */
export function tenantsRouter() {
  return createRouter()
    .openapi(list, async (c) => {
      const caller = principal(c);
      const tenants = await new TenantsRepository(serviceContext(c).store).listSubtree(
        caller.tenantPath,
      );
      return c.json({ tenants: tenants.map(tenantView) }, 200);
    })
    .openapi(get, async (c) => {
      const caller = principal(c);
      const tenant = await new TenantsRepository(serviceContext(c).store).requireInScope(
        c.req.valid('param').id,
        caller.tenantPath,
      );
      return c.json(tenantView(tenant), 200);
    })
    .openapi(create, async (c) => {
      const caller = principal(c, 'admin');
      const body = c.req.valid('json');
      const context = serviceContext(c);
      const tenants = new TenantsRepository(context.store, () => context.clock.now());
      const parent = await tenants.requireInScope(
        body.parent ?? caller.tenantId,
        caller.tenantPath,
      );
      const tenant = await tenants.create({
        id: body.id,
        parentId: parent.id,
        name: body.name,
        kind: body.kind,
      });
      await recordScopedAudit(context.store, caller, {
        action: 'tenants.create',
        targetType: 'tenant',
        targetId: tenant.id,
        outcome: 'succeeded',
        details: { parent: parent.id, kind: tenant.kind },
      });
      return c.json(tenantView(tenant), 201);
    });
}
