import { createRoute, z } from '@hono/zod-openapi';
import { CARD_STATUSES, cstMonth } from '../../../domain/index.js';
import { CycleResolver, cycleView } from '../../../services/billing/card-cycles.js';
import { createRouter, principal, scopedCards, serviceContext } from '../../api-env.js';
import {
  BillingCycleSchema,
  CardSchema,
  ERROR_RESPONSES,
  jsonResponse,
} from '../../api-schemas.js';
import { cardViewsById, planStats } from './card-stats-plans.js';

const QuotaSchema = z
  .object({
    usedBytes: z
      .number()
      .nullable()
      .openapi({ description: 'Bytes used this cycle by the cards with a known figure' }),
    quotaBytes: z
      .number()
      .nullable()
      .openapi({ description: 'The plan quotas of every card on a plan with a quota' }),
    cards: z.number().int().openapi({ description: 'Cards on a plan with a quota' }),
    cardsWithUsage: z.number().int().openapi({ description: 'Of them, cards with known usage' }),
  })
  .openapi('QuotaSummary');

const stats = createRoute({
  method: 'get',
  path: '/stats',
  tags: ['cards'],
  summary: 'Dashboard counts over the caller’s cards',
  description:
    'Quota figures use each card’s plan cycle; a card whose usage this cycle is unknown counts ' +
    'in `quota.cards` and `quota.quotaBytes` but not in `usedBytes`.',
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
        cycles: z.array(BillingCycleSchema.extend({ account: z.string() })).openapi({
          description:
            'Accounts whose billing cycle is not the calendar month, with their current cycle: their cards’ figures (top consumers, `usageThisMonth`) count that cycle, and their `monthBytes` is their billing month’s',
        }),
        monthBytes: z
          .number()
          .nullable()
          .openapi({ description: 'Bytes this CST month over cards with a known figure' }),
        topConsumers: z.array(CardSchema),
        quota: QuotaSchema,
        nearQuota: z.array(
          CardSchema.extend({
            plan: z.string(),
            usedBytes: z.number(),
            quotaBytes: z.number(),
            percent: z
              .number()
              .openapi({ description: 'Share of the plan’s quota used, 100 = all' }),
          }),
        ),
        nearQuotaTotal: z.number().int(),
        expiringSoon: z.array(CardSchema.extend({ expiresOn: z.string() })),
        expiringSoonTotal: z.number().int(),
      }),
      'Counts by status and account, this month’s bytes, the top consumers, quota use this ' +
        'cycle, the cards at 80 % or more of their quota and the cards expiring within 30 days',
    ),
    ...ERROR_RESPONSES,
  },
});

/** `/api/v1/cards/stats`, mounted before `/{id}` so `stats` is not read as a card id. */
export function cardStatsRouter() {
  return createRouter().openapi(stats, async (c) => {
    const caller = principal(c);
    const context = serviceContext(c);
    const statusRows = await context.store.cardStats.countByStatus(caller);
    const accountRows = await context.store.cardStats.countByAccount(caller);
    const month = cstMonth(context.clock.now());
    const scoped = scopedCards(c);
    const monthBytes = await context.store.cardStats.monthBytes(caller, month);
    const top = await scoped.list({
      sort: 'usage',
      order: 'desc',
      limit: c.req.valid('query').top,
    });
    const plans = await planStats(context.store, caller, context.clock.now());
    const views = await cardViewsById(
      context.store,
      [...plans.nearQuota, ...plans.expiringSoon].map((entry) => entry.cardId),
      context.clock.now(),
    );
    const byStatus = statusRows.map((row) => ({
      status: row.status as (typeof CARD_STATUSES)[number],
      cards: row.cards,
    }));
    return c.json(
      {
        total: byStatus.reduce((sum, row) => sum + row.cards, 0),
        byStatus,
        byAccount: accountRows,
        month,
        cycles: await offCalendarCycles(context, accountRows),
        monthBytes,
        topConsumers: top.cards.filter((card) => card.usageThisMonth !== null),
        quota: plans.quota,
        nearQuota: plans.nearQuota.flatMap(({ cardId, ...entry }) => {
          const card = views.get(cardId);
          return card ? [{ ...card, ...entry }] : [];
        }),
        nearQuotaTotal: plans.nearQuotaTotal,
        expiringSoon: plans.expiringSoon.flatMap(({ cardId, expiresOn }) => {
          const card = views.get(cardId);
          return card ? [{ ...card, expiresOn }] : [];
        }),
        expiringSoonTotal: plans.expiringSoonTotal,
      },
      200,
    );
  });
}

/** The caller's accounts that bill on another cycle than the calendar month, with that cycle. */
async function offCalendarCycles(
  context: ReturnType<typeof serviceContext>,
  accounts: readonly { account: string }[],
) {
  const cycles = await new CycleResolver(context).nonCalendar(accounts.map((row) => row.account));
  return [...cycles].map(([account, cycle]) => ({ account, ...cycleView(cycle) }));
}
