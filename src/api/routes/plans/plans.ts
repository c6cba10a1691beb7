import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { isCstDate, SimdockError } from '../../../domain/index.js';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import { PlansRepository, type StoredPlan } from '../../../store/repositories/plans-repository.js';
import { RulesRepository } from '../../../store/repositories/rules-repository.js';
import {
  type ApiEnv,
  createRouter,
  principal,
  requireRootTenant,
  scopedCards,
  serviceContext,
} from '../../api-env.js';
import {
  ERROR_RESPONSES,
  IdParams,
  isoInstant,
  jsonBody,
  jsonResponse,
  nameSchema,
} from '../../api-schemas.js';

const PlanSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    quotaBytes: z.number().int().nullable(),
    cycleStartDay: z.number().int(),
    cards: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('Plan');

const PlanBody = z.strictObject({
  name: nameSchema(100),
  quotaBytes: z.number().int().positive().nullable(),
  cycleStartDay: z.number().int().min(1).max(31).optional(),
});

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['plans'],
  summary: 'Plans (the operator’s: other tenants see none)',
  responses: {
    200: jsonResponse(z.object({ plans: z.array(PlanSchema) }), 'Plans'),
    ...ERROR_RESPONSES,
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['plans'],
  summary: 'One plan',
  request: { params: IdParams },
  responses: { 200: jsonResponse(PlanSchema, 'The plan'), ...ERROR_RESPONSES },
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['plans'],
  summary: 'Create a plan: a quota per billing cycle (admin role, root tenant)',
  request: { body: jsonBody(PlanBody) },
  responses: { 201: jsonResponse(PlanSchema, 'The plan'), ...ERROR_RESPONSES },
});

const update = createRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['plans'],
  summary: 'Rename a plan or change its quota or cycle start day (admin role, root tenant)',
  request: { params: IdParams, body: jsonBody(PlanBody.partial()) },
  responses: { 200: jsonResponse(PlanSchema, 'The plan'), ...ERROR_RESPONSES },
});

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['plans'],
  summary: 'Delete a plan no rule names; its cards keep their expiry dates (admin, root tenant)',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(z.object({ deleted: z.number().int() }), 'Deleted'),
    ...ERROR_RESPONSES,
  },
});

const assign = createRoute({
  method: 'post',
  path: '/{id}/assign',
  tags: ['plans'],
  summary: 'Put cards on the plan, optionally with their expiry date (admin role, root tenant)',
  request: {
    params: IdParams,
    body: jsonBody(
      z.strictObject({
        cards: z.array(z.number().int().positive()).min(1).max(10_000),
        expiresOn: z
          .string()
          .refine(isCstDate, 'a date YYYY-MM-DD')
          .nullable()
          .optional()
          .openapi({ description: 'CST date the cards’ service ends; null clears it' }),
      }),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ assigned: z.number().int() }), 'Cards written'),
    ...ERROR_RESPONSES,
  },
});

async function planView(c: Context<ApiEnv>, plan: StoredPlan) {
  const cards = await new PlansRepository(serviceContext(c).store).cardIds(plan.id);
  return {
    id: plan.id,
    name: plan.name,
    quotaBytes: plan.quotaBytes,
    cycleStartDay: plan.cycleStartDay,
    cards: cards.length,
    createdAt: isoInstant(plan.createdAt) as string,
  };
}

/** The plan for the root tenant's callers; `not_found` for anyone else (it does not exist). */
async function rootPlan(c: Context<ApiEnv>, id: number): Promise<StoredPlan> {
  const plan = await new PlansRepository(serviceContext(c).store).get(id);
  if (!plan || !principal(c).isRoot) {
    throw new SimdockError('not_found', `no plan ${id}`, { details: { plan: id } });
  }
  return plan;
}

/** `/api/v1/plans`: quotas per billing cycle that usage rules measure against. */
export function plansRouter() {
  return createRouter()
    .openapi(list, async (c) => {
      if (!principal(c).isRoot) return c.json({ plans: [] }, 200);
      const plans = await new PlansRepository(serviceContext(c).store).list();
      return c.json({ plans: await Promise.all(plans.map((plan) => planView(c, plan))) }, 200);
    })
    .openapi(get, async (c) =>
      c.json(await planView(c, await rootPlan(c, c.req.valid('param').id)), 200),
    )
    .openapi(create, async (c) => {
      const caller = principal(c, 'admin');
      requireRootTenant(caller);
      const context = serviceContext(c);
      const plan = await new PlansRepository(context.store, () => context.clock.now()).create(
        c.req.valid('json'),
      );
      await recordScopedAudit(context.store, caller, {
        action: 'plans.create',
        targetType: 'plan',
        targetId: String(plan.id),
        outcome: 'succeeded',
        details: { name: plan.name, quotaBytes: plan.quotaBytes },
      });
      return c.json(await planView(c, plan), 201);
    })
    .openapi(update, async (c) => {
      const caller = principal(c, 'admin');
      const plan = await rootPlan(c, c.req.valid('param').id);
      const body = c.req.valid('json');
      const context = serviceContext(c);
      const repository = new PlansRepository(context.store);
      if (body.name !== undefined && body.name !== plan.name && (await repository.get(body.name))) {
        throw new SimdockError('already_exists', `a plan named "${body.name}" exists`);
      }
      const changes: { name?: string; quota_bytes?: number | null; cycle_start_day?: number } = {};
      if (body.name !== undefined) changes.name = body.name;
      if (body.quotaBytes !== undefined) changes.quota_bytes = body.quotaBytes;
      if (body.cycleStartDay !== undefined) changes.cycle_start_day = body.cycleStartDay;
      await repository.updateColumns(plan.id, changes);
      await recordScopedAudit(context.store, caller, {
        action: 'plans.update',
        targetType: 'plan',
        targetId: String(plan.id),
        outcome: 'succeeded',
        details: { fields: Object.keys(changes) },
      });
      return c.json(await planView(c, await repository.require(plan.id)), 200);
    })
    .openapi(remove, async (c) => {
      const caller = principal(c, 'admin');
      const plan = await rootPlan(c, c.req.valid('param').id);
      const context = serviceContext(c);
      const rule = await new RulesRepository(context.store).firstWatching('plan', String(plan.id));
      if (rule !== null) {
        throw new SimdockError(
          'conflict',
          `rule ${rule} watches plan ${plan.id}: delete it first`,
          {
            details: { plan: plan.id, rule },
          },
        );
      }
      // Throws not_found when another request deleted it since it was read: one deletion, one audit.
      await new PlansRepository(context.store).delete(plan.id);
      await recordScopedAudit(context.store, caller, {
        action: 'plans.delete',
        targetType: 'plan',
        targetId: String(plan.id),
        outcome: 'succeeded',
        details: { name: plan.name },
      });
      return c.json({ deleted: plan.id }, 200);
    })
    .openapi(assign, async (c) => {
      const caller = principal(c, 'admin');
      const plan = await rootPlan(c, c.req.valid('param').id);
      const body = c.req.valid('json');
      await scopedCards(c, 'admin').requireAll(body.cards);
      const context = serviceContext(c);
      const assigned = await new PlansRepository(context.store, () => context.clock.now()).assign(
        body.cards,
        {
          planId: plan.id,
          ...(body.expiresOn !== undefined ? { expiresOn: body.expiresOn } : {}),
        },
      );
      await recordScopedAudit(context.store, caller, {
        action: 'plans.assign',
        targetType: 'plan',
        targetId: String(plan.id),
        outcome: 'succeeded',
        details: { cards: assigned },
      });
      return c.json({ assigned }, 200);
    });
}
