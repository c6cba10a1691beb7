import { createRoute, z } from '@hono/zod-openapi';
import { cardPlan } from '../../../services/plans/card-plan.js';
import { createRouter, principal, scopedCards, serviceContext } from '../../api-env.js';
import { ERROR_RESPONSES, IdParams, jsonResponse } from '../../api-schemas.js';

const CardPlanSchema = z
  .object({
    plan: z
      .object({
        id: z.number().int(),
        name: z.string(),
        quotaBytes: z.number().int().nullable(),
        cycleStartDay: z.number().int(),
      })
      .nullable(),
    cycle: z
      .object({
        start: z.string(),
        end: z.string(),
        daysLeft: z.number().int().openapi({ description: 'Days from today to the cycle’s end' }),
      })
      .nullable()
      .openapi({ description: 'The billing cycle containing today (CST dates, both included)' }),
    usedBytes: z.number().nullable().openapi({ description: 'Bytes this cycle; null = unknown' }),
    percent: z
      .number()
      .nullable()
      .openapi({ description: 'Used as a share of the quota (100 = all), one decimal' }),
    expiresOn: z.string().nullable().openapi({ description: 'CST date the service ends' }),
    daysLeft: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Days to the expiry date (0 = today, negative = expired)' }),
  })
  .openapi('CardPlan');

const EMPTY = {
  plan: null,
  cycle: null,
  usedBytes: null,
  percent: null,
  expiresOn: null,
  daysLeft: null,
};

const getCardPlan = createRoute({
  method: 'get',
  path: '/{id}/plan',
  tags: ['plans'],
  summary: 'A card’s plan, quota use this cycle, cycle dates and expiry',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(CardPlanSchema, 'The card’s plan (all null when it has none)'),
    ...ERROR_RESPONSES,
  },
});

/** `/api/v1/cards/{id}/plan`: plans are the operator's (root tenant): others see none. */
export function cardPlanRouter() {
  return createRouter().openapi(getCardPlan, async (c) => {
    const card = await scopedCards(c).view(c.req.valid('param').id);
    if (!principal(c).isRoot) return c.json(EMPTY, 200);
    return c.json(await cardPlan(serviceContext(c), card), 200);
  });
}
