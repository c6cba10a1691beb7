import { createRoute, z } from '@hono/zod-openapi';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import { requireGrantable } from '../../../services/access/access-roles.js';
import { type User, UsersRepository } from '../../../services/access/access-users.js';
import { TenantsRepository } from '../../../store/repositories/tenants-repository.js';
import { createRouter, principal, serviceContext } from '../../api-env.js';
import {
  EmailSchema,
  ERROR_RESPONSES,
  isoInstant,
  jsonBody,
  jsonResponse,
  RoleSchema,
} from '../../api-schemas.js';

const UserSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    role: RoleSchema,
    tenant: z.string(),
    disabled: z.boolean(),
    createdAt: z.string(),
    lastLoginAt: z.string().nullable(),
  })
  .openapi('User');

function userView(user: User) {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    tenant: user.tenantId,
    disabled: user.disabled,
    createdAt: isoInstant(user.createdAt) as string,
    lastLoginAt: isoInstant(user.lastLoginAt),
  };
}

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['users'],
  summary: 'Console users of the caller’s subtree (admin)',
  responses: {
    200: jsonResponse(z.object({ users: z.array(UserSchema) }), 'Users'),
    ...ERROR_RESPONSES,
  },
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['users'],
  summary: 'Create a console user in the caller’s subtree (admin; no role above the caller’s)',
  request: {
    body: jsonBody(
      z.strictObject({
        email: EmailSchema,
        password: z.string().min(8).max(1024),
        role: RoleSchema,
        tenant: z.string().min(1).optional().openapi({ description: 'Default: the caller’s' }),
      }),
    ),
  },
  responses: { 201: jsonResponse(UserSchema, 'The new user'), ...ERROR_RESPONSES },
});

/** `/api/v1/users`: console users. */
export function usersRouter() {
  return createRouter()
    .openapi(list, async (c) => {
      const caller = principal(c, 'admin');
      const users = await new UsersRepository(serviceContext(c).store).listInScope(
        caller.tenantPath,
      );
      return c.json({ users: users.map(userView) }, 200);
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
      const user = await new UsersRepository(context.store, now).create({
        email: body.email,
        password: body.password,
        role: body.role,
        tenantId: tenant.id,
      });
      await recordScopedAudit(context.store, caller, {
        action: 'users.create',
        targetType: 'user',
        targetId: String(user.id),
        outcome: 'succeeded',
        details: { email: user.email, role: user.role, tenant: tenant.id },
      });
      return c.json(userView(user), 201);
    });
}
