import { createRoute, z } from '@hono/zod-openapi';
import { CARD_STATUSES, cstMonth, cstToday } from '../../../domain/index.js';
import { CycleResolver, cycleView } from '../../../services/billing/card-cycles.js';
import { createRouter, principal, scopedCards, serviceContext } from '../../api-env.js';
import {
  BillingCycleSchema,
  CardSchema,
  ERROR_RESPONSES,
  jsonResponse,
  queryNumberOr,
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

const UsageTotalSchema = z
  .object({
    key: z.string().openapi({ description: 'Account id, tenant path or plan id ("" = none)' }),
    cards: z.number().int().openapi({ description: 'Cards with a figure this cycle' }),
    bytes: z.number(),
  })
  .openapi('CycleUsageTotal');

const stats = createRoute({
  method: 'get',
  path: '/stats',
  tags: ['cards'],
  summary: 'Dashboard counts over the caller’s cards',
  description:
    'Quota figures use each card’s plan cycle; a card whose usage this cycle is unknown counts ' +
    'in `quota.cards` and `quota.quotaBytes` but not in `usedBytes`.',
  request: {
    query: z.strictObject({ top: queryNumberOr(10, { min: 1, max: 100 }) }),
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
        asOf: z.number().int().openapi({
          description: 'When the figures were read (epoch ms): they are kept as data arrives',
        }),
        bySupplier: z.array(z.object({ supplier: z.string(), cards: z.number().int() })),
        byTenant: z.array(
          z.object({
            tenantPath: z
              .string()
              .openapi({ description: 'The tenant path; "" = cards assigned to no tenant' }),
            cards: z.number().int(),
          }),
        ),
        byPlan: z.array(
          z.object({
            planId: z.number().int().nullable().openapi({ description: 'null = no plan' }),
            cards: z.number().int(),
          }),
        ),
        usage: z
          .object({
            cycle: z.string().openapi({ description: 'The usage cycle (today the CST month)' }),
            bytes: z.number().nullable(),
            cardsWithUsage: z.number().int(),
            byAccount: z.array(UsageTotalSchema),
            byTenant: z.array(UsageTotalSchema),
            byPlan: z.array(UsageTotalSchema),
          })
          .openapi('CycleUsage'),
        quotaLevels: z.object({
          atOrOver80: z.number().int(),
          atOrOver100: z.number().int(),
        }),
        expiring: z.object({ within7Days: z.number().int(), within30Days: z.number().int() }),
        alerts: z.object({
          open: z.number().int(),
          bySeverity: z.array(z.object({ severity: z.string(), open: z.number().int() })),
        }),
        statusNotReported: z
          .array(z.object({ account: z.string(), supplier: z.string(), cards: z.number().int() }))
          .openapi({
            description:
              'The caller’s accounts whose supplier reports no card status (OneLink v2 has no status call), with their cards: why those cards’ status is `unknown`',
          }),
      }),
      'Counts by status and account, this month’s bytes, the top consumers, quota use this ' +
        'cycle, the cards at 80 % or more of their quota and the cards expiring within 30 days; ' +
        'counts by supplier, tenant and plan, this cycle’s usage by account, tenant and plan, ' +
        'quota levels, expiries within 7 and 30 days and open alerts by severity (kept as data ' +
        'arrives, read in a few milliseconds)',
    ),
    ...ERROR_RESPONSES,
  },
});

/** `/api/v1/cards/stats`, mounted before `/{id}` so `stats` is not read as a card id. */
export function cardStatsRouter() {
  return createRouter().openapi(stats, async (c) => {
    const caller = principal(c);
    const context = serviceContext(c);
    const now = context.clock.now();
    const month = cstMonth(now);
    const figures = await context.store.fleetStats.figures(caller, {
      cycle: month,
      today: cstToday(now),
    });
    const scoped = scopedCards(c);
    const top = await scoped.list({
      sort: 'usage',
      order: 'desc',
      limit: c.req.valid('query').top,
    });
    const plans = await planStats(context.store, caller, now, { figures });
    const views = await cardViewsById(
      context.store,
      [...plans.nearQuota, ...plans.expiringSoon].map((entry) => entry.cardId),
      now,
    );
    const byStatus = figures.cards.byStatus.map((row) => ({
      status: row.key as (typeof CARD_STATUSES)[number],
      cards: row.cards,
    }));
    return c.json(
      {
        total: figures.cards.total,
        byStatus,
        byAccount: figures.cards.byAccount.map((row) => ({
          account: row.key,
          supplier: row.supplier,
          cards: row.cards,
        })),
        month,
        cycles: await offCalendarCycles(
          context,
          figures.cards.byAccount.map((row) => ({ account: row.key })),
        ),
        monthBytes: figures.usage.bytes,
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
        asOf: now,
        bySupplier: figures.cards.bySupplier.map((row) => ({
          supplier: row.key,
          cards: row.cards,
        })),
        byTenant: figures.cards.byTenant.map((row) => ({ tenantPath: row.key, cards: row.cards })),
        byPlan: figures.cards.byPlan.map((row) => ({
          planId: row.key === '' ? null : Number(row.key),
          cards: row.cards,
        })),
        usage: figures.usage,
        quotaLevels: {
          atOrOver80: figures.quota.atOrOver80,
          atOrOver100: figures.quota.atOrOver100,
        },
        expiring: figures.expiring,
        alerts: figures.alerts,
        statusNotReported: await statusNotReported(context, figures.cards.byAccount),
      },
      200,
    );
  });
}

/** The accounts whose adapter offers no `status` capability (a disabled account is left out). */
async function statusNotReported(
  context: ReturnType<typeof serviceContext>,
  accounts: readonly { key: string; supplier: string; cards: number }[],
) {
  const silent: { account: string; supplier: string; cards: number }[] = [];
  for (const row of accounts) {
    try {
      const adapter = await context.adapter(row.key);
      if (!adapter.capabilities.has('status')) {
        silent.push({ account: row.key, supplier: row.supplier, cards: row.cards });
      }
    } catch {
      // Disabled or misconfigured: what it reports is not known either way.
    }
  }
  return silent;
}

/** The caller's accounts that bill on another cycle than the calendar month, with that cycle. */
async function offCalendarCycles(
  context: ReturnType<typeof serviceContext>,
  accounts: readonly { account: string }[],
) {
  const cycles = await new CycleResolver(context).nonCalendar(accounts.map((row) => row.account));
  return [...cycles].map(([account, cycle]) => ({ account, ...cycleView(cycle) }));
}
