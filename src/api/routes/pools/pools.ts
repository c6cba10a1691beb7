import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SimdockError } from '../../../domain/index.js';
import type { Principal } from '../../../services/access/access-roles.js';
import type { ServiceContext } from '../../../services/context.js';
import {
  addPoolCards,
  createPool,
  deletePool,
  type PoolCards,
  type PoolChanges,
  removePoolCards,
  updatePool,
} from '../../../services/pools/pools-admin.js';
import { type PoolUsage, poolUsage } from '../../../services/pools/pools-usage.js';
import { PoolsRepository } from '../../../store/repositories/pools-repository.js';
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

const PoolSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    account: z.string().nullable(),
    source: z.string(),
    externalId: z.string().nullable(),
    shared: z.boolean(),
    quotaBytes: z.number().int().nullable(),
    usedBytes: z.number().int().nullable().openapi({ description: 'Members’ bytes this cycle' }),
    supplierUsedBytes: z.number().int().nullable(),
    remainingBytes: z.number().int().nullable(),
    percentUsed: z.number().nullable(),
    dailyRateBytes: z.number().int().nullable(),
    runOutDate: z
      .string()
      .nullable()
      .openapi({ description: 'CST date the quota runs out at the last 7 days’ rate' }),
    cycle: z.object({
      start: z.string(),
      end: z.string(),
      startDay: z.number().int().openapi({ description: 'Day of the month the cycle starts' }),
    }),
    members: z.number().int(),
    membersWithUsage: z.number().int(),
    updatedAt: z.string(),
  })
  .openapi('Pool');

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['pools'],
  summary: 'Pools with usage this cycle and the run-out forecast (the operator’s)',
  request: { query: z.strictObject({ account: z.string().min(1).optional() }) },
  responses: {
    200: jsonResponse(z.object({ pools: z.array(PoolSchema) }), 'Pools'),
    ...ERROR_RESPONSES,
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['pools'],
  summary: 'One pool with usage, forecast and member card ids',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(
      PoolSchema.extend({ cardIds: z.array(z.number().int()) }),
      'The pool and its members',
    ),
    ...ERROR_RESPONSES,
  },
});

const PoolBody = z.strictObject({
  name: nameSchema(100),
  account: z
    .string()
    .min(1)
    .max(100)
    .nullable()
    .optional()
    .openapi({ description: 'The supplier account the pool belongs to; null: across accounts' }),
  quotaBytes: z
    .number()
    .int()
    .min(0)
    .nullable()
    .openapi({ description: 'Bytes per cycle for the whole pool; null: unknown' }),
  cycleStartDay: z.number().int().min(1).max(31).optional(),
});

const CreatePoolBody = PoolBody.extend({
  cards: z
    .array(z.number().int().positive())
    .max(10_000)
    .optional()
    .openapi({ description: 'Card ids to put in the pool' }),
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['pools'],
  summary: 'Create a pool: a quota per cycle shared by its cards (admin role, root tenant)',
  description:
    '201 with the pool; 400 for a bad field or an unknown card id; 404 for an unknown account; ' +
    '409 when a pool has the name.',
  request: { body: jsonBody(CreatePoolBody) },
  responses: { 201: jsonResponse(PoolSchema, 'The pool'), ...ERROR_RESPONSES },
});

const update = createRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['pools'],
  summary: 'Rename a pool or change its account, quota or cycle start day (admin, root tenant)',
  description:
    '200 with the pool; 404 for an unknown pool or account; 409 when another pool has the name.',
  request: { params: IdParams, body: jsonBody(PoolBody.partial()) },
  responses: { 200: jsonResponse(PoolSchema, 'The pool'), ...ERROR_RESPONSES },
});

const PoolCardsBody = z
  .strictObject({
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
  })
  .openapi('PoolCardsRequest');

const addCards = createRoute({
  method: 'post',
  path: '/{id}/cards',
  tags: ['pools'],
  summary: 'Add cards to a pool; cards already in it stay once (admin role, root tenant)',
  description:
    'The cards named by id, or every card matching a filter. 400: both or neither given, a bad ' +
    'filter, or no card matching; 404: an unknown pool or card. Audited (`pools.cards.add`) when ' +
    'a card was new to the pool.',
  request: { params: IdParams, body: jsonBody(PoolCardsBody) },
  responses: {
    200: jsonResponse(
      z.object({
        added: z.number().int().openapi({ description: 'Cards new to the pool' }),
        cards: z.number().int().openapi({ description: 'Cards named (by id or by the filter)' }),
      }),
      'How many cards were new',
    ),
    ...ERROR_RESPONSES,
  },
});

const removeCards = createRoute({
  method: 'post',
  path: '/{id}/cards/remove',
  tags: ['pools'],
  summary: 'Take cards out of a pool; the cards stay (admin role, root tenant)',
  description:
    'The cards named by id, or every card matching a filter; cards not in the pool are left ' +
    'alone. 400: both or neither given, a bad filter, or no card matching; 404: an unknown pool ' +
    'or card. Audited (`pools.cards.remove`) when a card was taken out.',
  request: { params: IdParams, body: jsonBody(PoolCardsBody) },
  responses: {
    200: jsonResponse(
      z.object({
        removed: z.number().int().openapi({ description: 'Cards that were in the pool' }),
        cards: z.number().int().openapi({ description: 'Cards named (by id or by the filter)' }),
      }),
      'How many cards were taken out',
    ),
    ...ERROR_RESPONSES,
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['pools'],
  summary: 'Delete a pool no rule watches; its cards stay (admin role, root tenant)',
  description: '200 when deleted; 404 for an unknown pool; 409 while a rule watches it.',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(z.object({ deleted: z.number().int() }), 'Deleted'),
    ...ERROR_RESPONSES,
  },
});

function poolView(state: PoolUsage) {
  return {
    id: state.pool.id,
    name: state.pool.name,
    account: state.pool.account,
    source: state.pool.source,
    externalId: state.pool.externalId,
    shared: state.pool.shared,
    quotaBytes: state.pool.quotaBytes,
    usedBytes: state.usedBytes,
    supplierUsedBytes: state.pool.supplierUsedBytes,
    remainingBytes: state.remainingBytes,
    percentUsed: state.percentUsed,
    dailyRateBytes: state.dailyRateBytes,
    runOutDate: state.runOutOn,
    cycle: state.cycle,
    members: state.members,
    membersWithUsage: state.membersWithUsage,
    updatedAt: isoInstant(state.pool.updatedAt) as string,
  };
}

/**
 * `/api/v1/pools`: shared quotas. Pools span supplier accounts and every tenant's cards, so they
 * are the operator's: other tenants see none (and a pool id reads as unknown to them).
 */
export function poolsRouter() {
  return createRouter()
    .openapi(list, async (c) => {
      if (!principal(c).isRoot) return c.json({ pools: [] }, 200);
      const context = serviceContext(c);
      const account = c.req.valid('query').account;
      const pools = await new PoolsRepository(context.store).list(account ? { account } : {});
      const views = [];
      for (const pool of pools) views.push(poolView(await poolUsage(context, pool.id)));
      return c.json({ pools: views }, 200);
    })
    .openapi(get, async (c) => {
      const { id } = c.req.valid('param');
      const context = serviceContext(c);
      const repository = new PoolsRepository(context.store);
      if (!principal(c).isRoot || !(await repository.get(id))) {
        throw new SimdockError('not_found', `no pool ${id}`, { details: { pool: id } });
      }
      const state = await poolUsage(context, id);
      return c.json({ ...poolView(state), cardIds: await repository.cardIds(id) }, 200);
    })
    .openapi(create, async (c) => {
      const caller = principal(c, 'admin');
      requireRootTenant(caller);
      const context = serviceContext(c);
      const pool = await createPool(context, caller, c.req.valid('json'));
      return c.json(poolView(await poolUsage(context, pool.id)), 201);
    })
    .openapi(update, async (c) => {
      const caller = principal(c, 'admin');
      const id = c.req.valid('param').id;
      await rootPool(caller, serviceContext(c), id);
      const context = serviceContext(c);
      const pool = await updatePool(context, caller, id, c.req.valid('json') as PoolChanges);
      return c.json(poolView(await poolUsage(context, pool.id)), 200);
    })
    .openapi(addCards, async (c) => {
      const caller = principal(c, 'admin');
      const context = serviceContext(c);
      const pool = await rootPool(caller, context, c.req.valid('param').id);
      const selection = await poolSelection(c, c.req.valid('json'));
      const { added, named } = await addPoolCards(context, caller, pool.id, selection);
      return c.json({ added, cards: named }, 200);
    })
    .openapi(removeCards, async (c) => {
      const caller = principal(c, 'admin');
      const context = serviceContext(c);
      const pool = await rootPool(caller, context, c.req.valid('param').id);
      const selection = await poolSelection(c, c.req.valid('json'));
      const { removed, named } = await removePoolCards(context, caller, pool.id, selection);
      return c.json({ removed, cards: named }, 200);
    })
    .openapi(remove, async (c) => {
      const caller = principal(c, 'admin');
      const context = serviceContext(c);
      const id = c.req.valid('param').id;
      await rootPool(caller, context, id);
      await deletePool(context, caller, id);
      return c.json({ deleted: id }, 200);
    });
}

/** The pool for the root tenant's callers; `not_found` for anyone else (it does not exist). */
async function rootPool(caller: Principal, context: ServiceContext, id: number) {
  const pool = await new PoolsRepository(context.store).get(id);
  if (!pool || !caller.isRoot) {
    throw new SimdockError('not_found', `no pool ${id}`, { details: { pool: id } });
  }
  return pool;
}

/** The body's cards (each one the caller sees) or filter: exactly one of them. */
async function poolSelection(
  c: Context<ApiEnv>,
  body: { cards?: number[] | undefined; filter?: string | undefined },
): Promise<PoolCards> {
  requireCardsOrFilter(body);
  if (body.cards) {
    await scopedCards(c, 'admin').requireAll(body.cards);
    return { cards: body.cards };
  }
  return { filter: body.filter as string };
}
