import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { CARD_STATUSES, SimdockError } from '../../../domain/index.js';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import { CARD_SORTS } from '../../../services/access/access-cards.js';
import { cardExtrasOffered } from '../../../services/carrier/carrier-extras.js';
import {
  cardsCsv,
  cardsXlsx,
  EXPORT_CONTENT_TYPES,
  EXPORT_FORMATS,
  matchingCards,
} from '../../../services/inventory/card-export.js';
import { CAPABILITIES, LIFECYCLE_ACTIONS } from '../../../suppliers/spec/index.js';
import {
  type ApiEnv,
  createRouter,
  principal,
  scopedCards,
  serviceContext,
} from '../../api-env.js';
import {
  CardSchema,
  CstDateSchema,
  CstMonthSchema,
  ERROR_RESPONSES,
  IdParams,
  isoInstant,
  jsonBody,
  jsonResponse,
  queryNumber,
  TagSchema,
} from '../../api-schemas.js';
import { cardPlanRouter } from '../plans/card-plan.js';
import { AssignAnswer, AssignSelection, assignSelection } from './card-assign.js';
import { cardExtrasRouter } from './card-extras.js';
import { cardStatsRouter } from './card-stats.js';
import { cardTimelineRouter } from './card-timeline.js';

export const ListQuery = z.strictObject({
  status: z.enum(CARD_STATUSES).optional(),
  account: z.string().min(1).optional(),
  supplier: z.string().min(1).optional(),
  tenant: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  usageMin: queryNumber({ min: 0 })
    .optional()
    .openapi({ description: 'Bytes this month, at least' }),
  usageMax: queryNumber({ min: 0 })
    .optional()
    .openapi({ description: 'Bytes this month, at most' }),
  quotaMin: queryNumber({ min: 0, max: 10_000, integer: false }).optional().openapi({
    description:
      'Cards on a plan with a quota that used at least this share of it, in percent, counted as the dashboard’s near-quota figure counts it: this month on plans whose cycle starts on the 1st, else the card’s known days since its plan cycle began',
  }),
  expiresWithin: queryNumber({ min: 0, max: 3660 }).optional().openapi({
    description: 'Cards whose plan service ends from today (CST) to this many days ahead',
  }),
  q: z.string().max(64).optional().openapi({ description: 'Part of any identifier' }),
  sort: z.enum(CARD_SORTS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: queryNumber({ min: 1, max: 1000 }).optional(),
  cursor: z.string().max(512).optional(),
});

const CountQuery = ListQuery.omit({ sort: true, order: true, limit: true, cursor: true });

const countCards = createRoute({
  method: 'get',
  path: '/count',
  tags: ['cards'],
  summary: 'How many cards match the list’s filters',
  description:
    'Exact, counted through indexes, when only status, account, supplier, tenant and tag filter. ' +
    'With usage, quota or free-text filters counting stops past 10,000 cards: `exact` is then ' +
    'false and `total` is 10,000, meaning more match.',
  request: { query: CountQuery },
  responses: {
    200: jsonResponse(
      z.object({
        total: z.number().int(),
        exact: z.boolean().openapi({ description: 'false: more than `total` cards match' }),
      }),
      'The number of matching cards',
    ),
    ...ERROR_RESPONSES,
  },
});

const exportCards = createRoute({
  method: 'get',
  path: '/export',
  tags: ['cards'],
  summary: 'Every card matching the list’s filters, as CSV or Excel, streamed',
  description:
    'All matching cards, not one page: the file is written while the cards are read, a thousand ' +
    'at a time through the list’s cursor. Columns: id, iccid, msisdn, imsi, imei, account, ' +
    'supplier, status, tenant, tags (space-separated), usage_bytes (this cycle). CSV is UTF-8 ' +
    'with a byte-order mark; .xlsx is written by a streaming workbook writer.',
  request: {
    query: ListQuery.omit({ limit: true, cursor: true }).extend({
      format: z.enum(EXPORT_FORMATS).default('csv'),
    }),
  },
  responses: {
    200: {
      description: 'The file, as an attachment',
      content: {
        'text/csv': { schema: z.string() },
        [EXPORT_CONTENT_TYPES.xlsx]: { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    ...ERROR_RESPONSES,
  },
});

const CstDate = CstDateSchema;
const CstMonth = CstMonthSchema;

const listCards = createRoute({
  method: 'get',
  path: '/',
  tags: ['cards'],
  summary: 'List cards with filters, sorting and a cursor',
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(
      z.object({ cards: z.array(CardSchema), nextCursor: z.string().nullable() }),
      'One page of cards',
    ),
    ...ERROR_RESPONSES,
  },
});

const getCard = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['cards'],
  summary: 'One card with its billing cycle’s usage and what its supplier can do',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(
      CardSchema.extend({
        capabilities: z
          .array(z.enum(CAPABILITIES))
          .nullable()
          .openapi({ description: 'The account adapter’s capabilities; null when unavailable' }),
        lifecycleActions: z
          .array(z.enum(LIFECYCLE_ACTIONS))
          .nullable()
          .openapi({ description: 'The lifecycle actions the supplier accepts' }),
        extras: z.array(z.enum(['carrierCap', 'session', 'history', 'diagnosis'])).openapi({
          description:
            'What the supplier offers for this card beyond the contract: `carrierCap` (达量断网, `/carrier-cap`), `session`, `history`, `diagnosis`',
        }),
      }),
      'The card',
    ),
    ...ERROR_RESPONSES,
  },
});

const changeTags = createRoute({
  method: 'post',
  path: '/{id}/tags',
  tags: ['cards'],
  summary: 'Add and remove tags',
  request: {
    params: IdParams,
    body: jsonBody(
      z.strictObject({
        add: z.array(TagSchema).max(100).optional(),
        remove: z.array(z.string()).max(100).optional(),
      }),
    ),
  },
  responses: {
    200: jsonResponse(z.object({ tags: z.array(z.string()) }), 'The card’s tags'),
    ...ERROR_RESPONSES,
  },
});

const assign = createRoute({
  method: 'post',
  path: '/assign',
  tags: ['cards'],
  summary: 'Assign cards to a tenant of the caller’s subtree (划卡)',
  description: 'The cards by id, by identifiers (a pasted ICCID list) or by a card filter.',
  request: {
    body: jsonBody(z.strictObject({ ...AssignSelection, tenant: z.string().min(1) })),
  },
  responses: {
    200: jsonResponse(AssignAnswer, 'Cards assigned'),
    ...ERROR_RESPONSES,
  },
});

const unassign = createRoute({
  method: 'post',
  path: '/unassign',
  tags: ['cards'],
  summary: 'Take cards back to the caller’s own tenant',
  description: 'The cards by id, by identifiers (a pasted ICCID list) or by a card filter.',
  request: { body: jsonBody(z.strictObject(AssignSelection)) },
  responses: {
    200: jsonResponse(AssignAnswer, 'Cards taken back'),
    ...ERROR_RESPONSES,
  },
});

const dailyUsage = createRoute({
  method: 'get',
  path: '/{id}/usage/daily',
  tags: ['usage'],
  summary: 'Bytes per CST day',
  request: {
    params: IdParams,
    query: z.strictObject({ from: CstDate.optional(), to: CstDate.optional() }),
  },
  responses: {
    200: jsonResponse(
      z.object({ days: z.array(z.object({ date: z.string(), bytes: z.number() })) }),
      'Daily usage, oldest first',
    ),
    ...ERROR_RESPONSES,
  },
});

const monthlyUsage = createRoute({
  method: 'get',
  path: '/{id}/usage/monthly',
  tags: ['usage'],
  summary: 'Bytes per CST month',
  request: {
    params: IdParams,
    query: z.strictObject({ from: CstMonth.optional(), to: CstMonth.optional() }),
  },
  responses: {
    200: jsonResponse(
      z.object({ months: z.array(z.object({ month: z.string(), bytes: z.number() })) }),
      'Monthly usage, oldest first',
    ),
    ...ERROR_RESPONSES,
  },
});

const statusHistory = createRoute({
  method: 'get',
  path: '/{id}/status-history',
  tags: ['cards'],
  summary: 'The card’s status changes, oldest first',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(
      z.object({
        changes: z.array(
          z.object({
            at: z.string(),
            status: z.enum(CARD_STATUSES),
            statusRaw: z.string().nullable(),
            previousStatus: z.enum(CARD_STATUSES).nullable(),
            source: z.string(),
          }),
        ),
      }),
      'Status history',
    ),
    ...ERROR_RESPONSES,
  },
});

/** `/api/v1/cards`: the inventory as the caller’s tenant sees it. */
export function cardsRouter() {
  return createRouter()
    .route('/', cardStatsRouter())
    .route('/', cardExtrasRouter())
    .route('/', cardTimelineRouter())
    .route('/', cardPlanRouter())
    .openapi(listCards, async (c) => c.json(await scopedCards(c).list(c.req.valid('query')), 200))
    .openapi(exportCards, async (c) => {
      const { format, ...query } = c.req.valid('query');
      const cards = scopedCards(c);
      // Checked before the first byte: a bad filter answers an error, not a broken file.
      await cards.count(query);
      const rows = matchingCards(cards, query);
      const body = format === 'xlsx' ? cardsXlsx(rows) : cardsCsv(rows);
      const stamp = new Date(serviceContext(c).clock.now()).toISOString().slice(0, 10);
      return new Response(body, {
        status: 200,
        headers: {
          'content-type': EXPORT_CONTENT_TYPES[format],
          'content-disposition': `attachment; filename="simdock-cards-${stamp}.${format}"`,
        },
      }) as never;
    })
    .openapi(countCards, async (c) => c.json(await scopedCards(c).count(c.req.valid('query')), 200))
    .openapi(assign, async (c) => {
      const body = c.req.valid('json');
      const result = await assignSelection(c, body, body.tenant);
      // Audited when cards changed hands: the same assignment again (or at once) changes none.
      if (result.changed > 0) {
        await recordScopedAudit(serviceContext(c).store, principal(c), {
          action: 'cards.assign',
          targetType: 'tenant',
          targetId: body.tenant,
          outcome: 'succeeded',
          details: { cards: result.changed },
        });
      }
      return c.json(result, 200);
    })
    .openapi(unassign, async (c) => {
      const body = c.req.valid('json');
      const caller = principal(c, 'admin');
      const result = await assignSelection(c, body, null);
      if (result.changed > 0) {
        await recordScopedAudit(serviceContext(c).store, caller, {
          action: 'cards.unassign',
          targetType: 'tenant',
          targetId: caller.tenantId,
          outcome: 'succeeded',
          details: { cards: result.changed },
        });
      }
      return c.json(result, 200);
    })
    .openapi(getCard, async (c) => {
      const card = await scopedCards(c).view(c.req.valid('param').id);
      return c.json(
        {
          ...card,
          ...(await supplierAbilities(c, card.account)),
          extras: await cardExtrasOffered(serviceContext(c), card.account),
        },
        200,
      );
    })
    .openapi(changeTags, async (c) => {
      const { id } = c.req.valid('param');
      const tags = await scopedCards(c, 'operator').changeTags(id, c.req.valid('json'));
      await recordScopedAudit(serviceContext(c).store, principal(c), {
        action: 'cards.tags',
        targetType: 'card',
        targetId: String(id),
        outcome: 'succeeded',
        details: { tags },
      });
      return c.json({ tags }, 200);
    })
    .openapi(dailyUsage, async (c) => {
      const card = await scopedCards(c).get(c.req.valid('param').id);
      const range = c.req.valid('query');
      requireOrdered(range.from, range.to);
      return c.json({ days: await serviceContext(c).store.usage.daily(card.id, range) }, 200);
    })
    .openapi(monthlyUsage, async (c) => {
      const card = await scopedCards(c).get(c.req.valid('param').id);
      const range = c.req.valid('query');
      requireOrdered(range.from, range.to);
      const months = await serviceContext(c).store.usage.monthly(card.id, range);
      return c.json({ months: months.map((row) => ({ month: row.month, bytes: row.bytes })) }, 200);
    })
    .openapi(statusHistory, async (c) => {
      const card = await scopedCards(c).get(c.req.valid('param').id);
      const changes = await serviceContext(c).store.cards.statusHistory(card.id);
      return c.json(
        {
          changes: changes.map((change) => ({
            at: isoInstant(change.at) as string,
            status: change.status,
            statusRaw: change.statusRaw,
            previousStatus: change.previousStatus,
            source: change.source,
          })),
        },
        200,
      );
    });
}

/** What the card's account adapter can do, so the console can hide what it cannot. */
async function supplierAbilities(c: Context<ApiEnv>, account: string) {
  try {
    const adapter = await serviceContext(c).adapter(account);
    const lifecycle = adapter.capabilities.has('lifecycle')
      ? (adapter.limits.lifecycleActions ?? LIFECYCLE_ACTIONS)
      : [];
    return { capabilities: [...adapter.capabilities], lifecycleActions: [...lifecycle] };
  } catch {
    // A disabled or misconfigured account: the card is shown, its abilities are unknown.
    return { capabilities: null, lifecycleActions: null };
  }
}

function requireOrdered(from: string | undefined, to: string | undefined): void {
  if (from !== undefined && to !== undefined && from > to) {
    throw new SimdockError('invalid_argument', `from (${from}) is after to (${to})`, {
      details: { fields: [{ path: 'from', message: 'after to' }] },
    });
  }
}
