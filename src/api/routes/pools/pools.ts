import { createRoute, z } from '@hono/zod-openapi';
import { SimdockError } from '../../../domain/index.js';
import { type PoolUsage, poolUsage } from '../../../services/pools/pools-usage.js';
import { PoolsRepository } from '../../../store/repositories/pools-repository.js';
import { createRouter, principal, serviceContext } from '../../api-env.js';
import { ERROR_RESPONSES, IdParams, isoInstant, jsonResponse } from '../../api-schemas.js';

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
    });
}
