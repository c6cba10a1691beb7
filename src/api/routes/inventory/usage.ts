import { createRoute, z } from '@hono/zod-openapi';
import { addDays, cstMonth, cstToday } from '../../../domain/index.js';
import { createRouter, principal, scopedCards, serviceContext } from '../../api-env.js';
import { CstMonthSchema, ERROR_RESPONSES, jsonResponse, queryNumberOr } from '../../api-schemas.js';

const totals = createRoute({
  method: 'get',
  path: '/totals',
  tags: ['usage'],
  summary: 'Bytes in a CST month per account or per tenant, over the caller’s cards',
  request: {
    query: z.strictObject({
      month: CstMonthSchema.optional().openapi({ description: 'Default: this CST month' }),
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

const daily = createRoute({
  method: 'get',
  path: '/daily',
  tags: ['usage'],
  summary: 'Bytes per CST day over all the caller’s cards, the last `days` days up to today',
  request: {
    query: z.strictObject({ days: queryNumberOr(30, { min: 1, max: 366 }) }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        days: z.array(
          z.object({
            date: z.string(),
            bytes: z.number().nullable().openapi({ description: 'null: no card has a figure' }),
            cards: z.number().int().openapi({ description: 'Cards with a figure that day' }),
          }),
        ),
      }),
      'The fleet series, oldest first',
    ),
    ...ERROR_RESPONSES,
  },
});

/** `/api/v1/usage`: totals over the caller’s cards (per-card series live under `/cards/{id}`). */
export function usageRouter() {
  return createRouter()
    .openapi(daily, async (c) => {
      const context = serviceContext(c);
      const today = cstToday(context.clock.now());
      const from = addDays(today, 1 - c.req.valid('query').days);
      const rows = await context.store.fleetStats.daily(principal(c), from, today);
      const byDate = new Map(rows.map((row) => [row.date, row]));
      const days = [];
      for (let date = from; date <= today; date = addDays(date, 1)) {
        const row = byDate.get(date);
        days.push({
          date,
          bytes: row ? row.bytes : null,
          cards: row ? row.cards : 0,
        });
      }
      return c.json({ days }, 200);
    })
    .openapi(totals, async (c) => {
      const query = c.req.valid('query');
      const month = query.month ?? cstMonth(serviceContext(c).clock.now());
      const rows = await scopedCards(c).usageTotals(month, query.groupBy);
      return c.json({ month, groupBy: query.groupBy, totals: rows }, 200);
    });
}
