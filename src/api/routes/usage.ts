import { createRoute, z } from '@hono/zod-openapi';
import { cstMonth, isCstDate } from '../../domain/index.js';
import { createRouter, scopedCards, serviceContext } from '../api-env.js';
import { ERROR_RESPONSES, jsonResponse } from '../api-schemas.js';

const totals = createRoute({
  method: 'get',
  path: '/totals',
  tags: ['usage'],
  summary: 'Bytes in a CST month per account or per tenant, over the caller’s cards',
  request: {
    query: z.strictObject({
      month: z
        .string()
        .refine((value) => isCstDate(`${value}-01`), 'a month YYYY-MM')
        .optional()
        .openapi({ description: 'Default: this CST month' }),
      groupBy: z.enum(['account', 'tenant']).default('account'),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        month: z.string(),
        groupBy: z.enum(['account', 'tenant']),
        totals: z.array(
          z.object({
            key: z
              .string()
              .nullable()
              .openapi({ description: 'Account or tenant; null = unassigned' }),
            cards: z.number().int(),
            bytes: z.number(),
          }),
        ),
      }),
      'Totals from the synced monthly figures',
    ),
    ...ERROR_RESPONSES,
  },
});

/** `/api/v1/usage`: totals over the caller’s cards (per-card series live under `/cards/{id}`). */
export function usageRouter() {
  return createRouter().openapi(totals, async (c) => {
    const query = c.req.valid('query');
    const month = query.month ?? cstMonth(serviceContext(c).clock.now());
    const rows = await scopedCards(c).usageTotals(month, query.groupBy);
    return c.json({ month, groupBy: query.groupBy, totals: rows }, 200);
  });
}
