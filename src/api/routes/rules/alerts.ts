import { createRoute, z } from '@hono/zod-openapi';
import { addDays, cstStartOfDay, SimdockError } from '../../../domain/index.js';
import { SEVERITIES } from '../../../domain/rules-model.js';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import { ALERT_CODES, alertCode } from '../../../services/rules/alert-codes.js';
import {
  AlertsRepository,
  type StoredAlert,
} from '../../../store/repositories/alerts-repository.js';
import { createRouter, principal, scopedCards, serviceContext } from '../../api-env.js';
import {
  CstDateSchema,
  ERROR_RESPONSES,
  IdParams,
  isoInstant,
  jsonBody,
  jsonResponse,
  QueryIdSchema,
  queryNumberOr,
} from '../../api-schemas.js';

/** The parameters of an alert's or a preview match's code (bytes in bytes, dates CST). */
export const AlertParamsSchema = z
  .record(z.string(), z.union([z.string(), z.number(), z.null()]))
  .openapi('AlertParams');

const AlertSchema = z
  .object({
    id: z.number().int(),
    ruleId: z.number().int().nullable(),
    cardId: z.number().int().nullable(),
    poolId: z.number().int().nullable(),
    account: z.string().nullable(),
    cycle: z.string(),
    source: z.string(),
    kind: z.string(),
    severity: z.enum(SEVERITIES),
    message: z.string().openapi({ description: 'What happened, in English' }),
    code: z.enum(ALERT_CODES).openapi({
      description: 'What happened, as a code a client renders in its language with `params`',
    }),
    params: AlertParamsSchema,
    data: z.record(z.string(), z.unknown()),
    state: z.enum(['open', 'acknowledged']),
    createdAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
  })
  .openapi('Alert');

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['alerts'],
  summary:
    'Alerts of the caller’s cards, newest first (the root also sees pool and account alerts)',
  request: {
    query: z.strictObject({
      card: QueryIdSchema.optional(),
      state: z.enum(['open', 'acknowledged']).optional(),
      kind: z.string().min(1).max(40).optional(),
      severity: z.enum(SEVERITIES).optional(),
      rule: QueryIdSchema.optional(),
      account: z.string().min(1).max(64).optional(),
      from: CstDateSchema.optional().openapi({ description: 'Raised on or after this CST date' }),
      to: CstDateSchema.optional().openapi({ description: 'Raised on or before this CST date' }),
      before: QueryIdSchema.optional().openapi({ description: 'Id cursor' }),
      limit: queryNumberOr(100, { min: 1, max: 500 }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ alerts: z.array(AlertSchema), nextCursor: z.number().int().nullable() }),
      'One page of alerts',
    ),
    ...ERROR_RESPONSES,
  },
});

const acknowledge = createRoute({
  method: 'post',
  path: '/{id}/acknowledge',
  tags: ['alerts'],
  summary: 'Acknowledge an alert (operator role); acknowledging twice keeps the first',
  request: { params: IdParams },
  responses: { 200: jsonResponse(AlertSchema, 'The alert'), ...ERROR_RESPONSES },
});

const acknowledgeMany = createRoute({
  method: 'post',
  path: '/acknowledge',
  tags: ['alerts'],
  summary: 'Acknowledge several alerts at once (operator role); unknown ids are not_found',
  request: {
    body: jsonBody(z.strictObject({ ids: z.array(z.number().int().positive()).min(1).max(500) })),
  },
  responses: {
    200: jsonResponse(
      z.object({ acknowledged: z.number().int().openapi({ description: 'Newly acknowledged' }) }),
      'How many were open and are now acknowledged',
    ),
    ...ERROR_RESPONSES,
  },
});

function alertView(alert: StoredAlert) {
  return {
    id: alert.id,
    ruleId: alert.ruleId,
    cardId: alert.cardId,
    poolId: alert.poolId,
    account: alert.account,
    cycle: alert.cycle,
    source: alert.source,
    kind: alert.kind,
    severity: alert.severity,
    message: alert.message,
    ...alertCode(alert.kind, alert.data),
    data: alert.data,
    state: alert.acknowledgedAt === null ? ('open' as const) : ('acknowledged' as const),
    createdAt: isoInstant(alert.createdAt) as string,
    acknowledgedAt: isoInstant(alert.acknowledgedAt),
    acknowledgedBy: alert.acknowledgedBy,
  };
}

/** `/api/v1/alerts`: what rules and suppliers raised, and their acknowledgement. */
export function alertsRouter() {
  return createRouter()
    .openapi(list, async (c) => {
      const caller = principal(c);
      const query = c.req.valid('query');
      const context = serviceContext(c);
      if (query.card !== undefined) await scopedCards(c).get(query.card);
      const repository = new AlertsRepository(context.store);
      const ids = await repository.visibleIds(caller, {
        ...(query.card !== undefined ? { cardId: query.card } : {}),
        ...(query.state ? { state: query.state } : {}),
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.severity ? { severity: query.severity } : {}),
        ...(query.rule !== undefined ? { ruleId: query.rule } : {}),
        ...(query.account ? { account: query.account } : {}),
        ...(query.from ? { createdFrom: cstStartOfDay(query.from) } : {}),
        ...(query.to ? { createdBefore: cstStartOfDay(addDays(query.to, 1)) } : {}),
        ...(query.before ? { before: query.before } : {}),
        limit: query.limit + 1,
      });
      const alerts: StoredAlert[] = [];
      for (const id of ids.slice(0, query.limit)) {
        const alert = await repository.get(id);
        if (alert) alerts.push(alert);
      }
      const nextCursor = ids.length > query.limit ? (alerts.at(-1)?.id ?? null) : null;
      return c.json({ alerts: alerts.map(alertView), nextCursor }, 200);
    })
    .openapi(acknowledgeMany, async (c) => {
      const caller = principal(c, 'operator');
      const ids = [...new Set(c.req.valid('json').ids)];
      const context = serviceContext(c);
      const repository = new AlertsRepository(context.store, () => context.clock.now());
      for (const id of ids) {
        if (!(await repository.isVisible(caller, id))) {
          throw new SimdockError('not_found', `no alert ${id}`, { details: { alert: id } });
        }
      }
      const acknowledged = await repository.acknowledge(ids, caller.actor);
      await recordScopedAudit(context.store, caller, {
        action: 'alerts.acknowledge',
        targetType: 'alert',
        targetId: ids.join(',').slice(0, 200),
        outcome: 'succeeded',
        details: { alerts: ids.length, acknowledged },
      });
      return c.json({ acknowledged }, 200);
    })
    .openapi(acknowledge, async (c) => {
      const caller = principal(c, 'operator');
      const { id } = c.req.valid('param');
      const context = serviceContext(c);
      const visible = await new AlertsRepository(context.store).isVisible(caller, id);
      if (!visible)
        throw new SimdockError('not_found', `no alert ${id}`, { details: { alert: id } });
      const repository = new AlertsRepository(context.store, () => context.clock.now());
      const changed = await repository.acknowledge([id], caller.actor);
      await recordScopedAudit(context.store, caller, {
        action: 'alerts.acknowledge',
        targetType: 'alert',
        targetId: String(id),
        outcome: 'succeeded',
        details: { changed: changed > 0 },
      });
      return c.json(alertView((await repository.get(id))!), 200);
    });
}
