import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { isCstDate, SimdockError } from '../../../domain/index.js';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import {
  assignPlanCards,
  type PlanSummary,
  planSummaries,
} from '../../../services/plans/plans-assign.js';
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
import { requireCardsOrFilter } from '../../api-errors.js';
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
    cards: z
      .number()
      .int()
      .openapi({ description: 'Cards on the plan, from the kept fleet figures' }),
    expiry: z
      .object({
        nextExpiresOn: z
          .string()
          .nullable()
          .openapi({ description: 'First CST expiry date from today on of a card on the plan' }),
        lastExpiresOn: z
          .string()
          .nullable()
          .openapi({ description: 'Last expiry date of a card on the plan (past or future)' }),
        expiringSoon: z
          .number()
          .int()
          .openapi({ description: 'Cards ending from today to 30 days ahead, both included' }),
        expired: z.number().int().openapi({ description: 'Cards whose expiry date has passed' }),
      })
      .openapi({ description: 'The expiry dates of the plan’s cards (each card has its own)' }),
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
  description:
    'The cards named by id, or every card matching a filter. 400: both or neither given, a bad ' +
    'filter, no card matching, or more than 100,000; 404: an unknown plan or card.',
  request: {
    params: IdParams,
    body: jsonBody(
      z.strictObject({
        cards: z
          .array(z.number().int().positive())
          .min(1)
          .max(10_000)
          .optional()
          .openapi({ description: 'Card ids; or give `filter`' }),
        filter: z.string().min(1).max(2000).optional().openapi({
          description:
            'Every card matching a card filter (`status=active AND account=cmcc`), at most 100,000; or give `cards`',
        }),
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
    200: jsonResponse(
      z.object({
        assigned: z.number().int().openapi({ description: 'Cards named (by id or by the filter)' }),
        changed: z.number().int().openapi({
          description:
            'Of those, cards whose plan or date changed (the rest had them already); audited when above 0',
        }),
      }),
      'Cards written',
    ),
    ...ERROR_RESPONSES,
  },
});

function summaryView({ plan, cards, expiry }: PlanSummary) {
  return {
    id: plan.id,
    name: plan.name,
    quotaBytes: plan.quotaBytes,
    cycleStartDay: plan.cycleStartDay,
    cards,
    expiry,
    createdAt: isoInstant(plan.createdAt) as string,
  };
}

async function planView(c: Context<ApiEnv>, plan: StoredPlan) {
  const [summary] = await planSummaries(serviceContext(c), plan);
  return summaryView(summary!);
}

const cardsOfPlans = createRoute({
  method: 'get',
  path: '/cards',
  tags: ['plans'],
  summary: 'The plan and expiry date of each of some cards (the cards table’s plan column)',
  description: 'Cards the caller cannot see are 404; a card on no plan has `plan` null.',
  request: {
    query: z.strictObject({
      ids: z
        .string()
        .regex(/^[1-9][0-9]{0,15}(,[1-9][0-9]{0,15}){0,999}$/, 'card ids separated by commas')
        .openapi({ description: 'Up to 1,000 card ids, comma-separated' }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        cards: z.array(
          z.object({
            cardId: z.number().int(),
            plan: z.object({ id: z.number().int(), name: z.string() }).nullable(),
            expiresOn: z.string().nullable(),
          }),
        ),
      }),
      'One row per card asked for',
    ),
    ...ERROR_RESPONSES,
  },
});

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
      return c.json({ plans: (await planSummaries(serviceContext(c))).map(summaryView) }, 200);
    })
    .openapi(cardsOfPlans, async (c) => {
      const ids = [...new Set(c.req.valid('query').ids.split(',').map(Number))];
      await scopedCards(c).requireAll(ids);
      const assignments = principal(c).isRoot
        ? await new PlansRepository(serviceContext(c).store).forCards(ids)
        : new Map();
      return c.json(
        {
          cards: ids.map((cardId) => {
            const found = assignments.get(cardId);
            return {
              cardId,
              plan: found?.plan ? { id: found.plan.id, name: found.plan.name } : null,
              expiresOn: found?.expiresOn ?? null,
            };
          }),
        },
        200,
      );
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
      requireCardsOrFilter(body);
      if (body.cards) await scopedCards(c, 'admin').requireAll(body.cards);
      const context = serviceContext(c);
      const { assigned, changed } = await assignPlanCards(
        context,
        plan,
        body.cards ? { cards: body.cards } : { filter: body.filter as string },
        body.expiresOn,
      );
      // Audited when cards changed: the same assignment again (or at once) changes none.
      if (changed > 0) {
        await recordScopedAudit(context.store, caller, {
          action: 'plans.assign',
          targetType: 'plan',
          targetId: String(plan.id),
          outcome: 'succeeded',
          details: { cards: changed, ...(body.filter ? { filter: body.filter } : {}) },
        });
      }
      return c.json({ assigned, changed }, 200);
    });
}
