import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { CARD_STATUSES, cstMonth } from '../../domain/index.js';
import { createRouter, principal, scopedCards, serviceContext } from '../api-env.js';
import { CardSchema, ERROR_RESPONSES, jsonResponse } from '../api-schemas.js';
import { cardVisible } from './route-scope.js';

const stats = createRoute({
  method: 'get',
  path: '/stats',
  tags: ['cards'],
  summary: 'Dashboard counts over the caller’s cards',
  request: {
    query: z.strictObject({ top: z.coerce.number().int().min(1).max(100).default(10) }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        total: z.number().int(),
        byStatus: z.array(z.object({ status: z.enum(CARD_STATUSES), cards: z.number().int() })),
        byAccount: z.array(
          z.object({ account: z.string(), supplier: z.string(), cards: z.number().int() }),
        ),
        month: z.string(),
        monthBytes: z
          .number()
          .nullable()
          .openapi({ description: 'Bytes this CST month over cards with a known figure' }),
        topConsumers: z.array(CardSchema),
      }),
      'Counts by status and account, this month’s bytes, the top consumers',
    ),
    ...ERROR_RESPONSES,
  },
});

/** `/api/v1/cards/stats`, mounted before `/{id}` so `stats` is not read as a card id. */
export function cardStatsRouter() {
  return createRouter().openapi(stats, async (c) => {
    const caller = principal(c);
    const context = serviceContext(c);
    const db = context.store.db;
    const visible = cardVisible(caller, 'cards.id');
    const statusRows = await db
      .selectFrom('cards')
      .select(['status', sql<number>`count(*)`.as('cards')])
      .where(visible)
      .groupBy('status')
      .orderBy('status')
      .execute();
    const accountRows = await db
      .selectFrom('cards')
      .select(['account_id', 'supplier', sql<number>`count(*)`.as('cards')])
      .where(visible)
      .groupBy(['account_id', 'supplier'])
      .orderBy('account_id')
      .execute();
    const month = cstMonth(context.clock.now());
    const scoped = scopedCards(c);
    // Per card: the monthly figure, else the sum of its daily rows (as `usageThisMonth`).
    const usage = await db
      .selectFrom('cards')
      .select(
        sql<number | null>`sum(coalesce(
          (select um.bytes from usage_monthly um where um.card_id = cards.id and um.month = ${month}),
          (select sum(ud.bytes) from usage_daily ud where ud.card_id = cards.id
            and ud.date >= ${`${month}-01`} and ud.date <= ${`${month}-31`})))`.as('bytes'),
      )
      .where(visible)
      .executeTakeFirst();
    const top = await scoped.list({
      sort: 'usage',
      order: 'desc',
      limit: c.req.valid('query').top,
    });
    const byStatus = statusRows.map((row) => ({
      status: row.status as (typeof CARD_STATUSES)[number],
      cards: Number(row.cards),
    }));
    return c.json(
      {
        total: byStatus.reduce((sum, row) => sum + row.cards, 0),
        byStatus,
        byAccount: accountRows.map((row) => ({
          account: row.account_id,
          supplier: row.supplier,
          cards: Number(row.cards),
        })),
        month,
        monthBytes:
          usage?.bytes === null || usage?.bytes === undefined ? null : Number(usage.bytes),
        topConsumers: top.cards.filter((card) => card.usageThisMonth !== null),
      },
      200,
    );
  });
}
