import { createRoute, z } from '@hono/zod-openapi';
import { CARD_STATUSES } from '../../../domain/index.js';
import { SEVERITIES } from '../../../domain/rules-model.js';
import {
  cardTimeline,
  type SupplierPart,
  TIMELINE_KINDS,
  type TimelineItem,
  type TimelineKind,
} from '../../../services/inventory/card-timeline.js';
import { ALERT_CODES, alertCode } from '../../../services/rules/alert-codes.js';
import { SMS_STATUSES } from '../../../store/repositories/sms-repository.js';
import { createRouter, principal, scopedCards, serviceContext } from '../../api-env.js';
import {
  ERROR_RESPONSES,
  IdParams,
  isoInstant,
  jsonResponse,
  queryNumberOr,
} from '../../api-schemas.js';
import { AlertParamsSchema } from '../rules/alerts.js';

const KIND = `(?:${TIMELINE_KINDS.join('|')})`;

const Common = {
  at: z.string().openapi({ description: 'When it happened (ISO 8601, UTC)' }),
  key: z.string().openapi({ description: 'Stable key of the item within the card’s timeline' }),
};

const StatusItem = z
  .object({
    kind: z.literal('status'),
    ...Common,
    status: z.enum(CARD_STATUSES),
    statusRaw: z.string().nullable(),
    previousStatus: z.enum(CARD_STATUSES).nullable(),
    source: z.string().openapi({
      description: 'What saw the change: `sync`, `job:pause` (a bulk job), `rule:3`, `callback`…',
    }),
  })
  .openapi('TimelineStatus');

const IdentityItem = z
  .object({
    kind: z.literal('identity'),
    ...Common,
    identity: z.enum(['iccid', 'msisdn', 'imsi', 'imei']).openapi({
      description:
        'Which identifier the supplier reported changed: `imei` when the card moved to another device',
    }),
    value: z.string().openapi({ description: 'The new value' }),
    previous: z.string().openapi({ description: 'The value it replaced' }),
    source: z.string().openapi({ description: 'What reported it: `sync:<account>`…' }),
  })
  .openapi('TimelineIdentityChange');

const ActionItem = z
  .object({
    kind: z.literal('action'),
    ...Common,
    actor: z.string().openapi({ description: 'Who did it: a user, an API key, `cli`, a rule…' }),
    action: z.string().openapi({ description: 'The audited action (`cards.pause`, `sms.send`…)' }),
    outcome: z.enum(['succeeded', 'failed', 'skipped']),
    job: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'The bulk job that carried it, when one did' }),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('TimelineAction');

const AlertItem = z
  .object({
    kind: z.literal('alert'),
    ...Common,
    alertId: z.number().int(),
    alertKind: z.string(),
    severity: z.enum(SEVERITIES),
    message: z.string().openapi({ description: 'What happened, in English' }),
    code: z.enum(ALERT_CODES),
    params: AlertParamsSchema,
    state: z.enum(['open', 'acknowledged']),
    acknowledgedBy: z.string().nullable(),
  })
  .openapi('TimelineAlert');

const SmsItem = z
  .object({
    kind: z.literal('sms'),
    ...Common,
    smsId: z.number().int(),
    direction: z.enum(['in', 'out']),
    smsStatus: z.enum(SMS_STATUSES),
    text: z.string(),
    actor: z.string().nullable().openapi({ description: 'Who sent it (outgoing texts)' }),
  })
  .openapi('TimelineSms');

const UsageItem = z
  .object({
    kind: z.literal('usage'),
    ...Common,
    date: z.string().openapi({ description: 'The CST day; `at` is its first instant' }),
    bytes: z.number().int(),
    averageBytes: z
      .number()
      .int()
      .openapi({ description: 'Mean of the card’s previous (up to 7) recorded days' }),
  })
  .openapi('TimelineUsageSpike', {
    description:
      'A usage spike: a day at least 3× the mean of the card’s previous up to 7 recorded days (3 needed) and at least 10 MiB above it',
  });

const SupplierItem = z
  .object({
    kind: z.literal('supplier'),
    ...Common,
    supplierKind: z.enum(['status', 'session', 'change', 'other', 'online']).openapi({
      description:
        'An entry of the supplier’s history (`status`, `session`, `change` such as an IMEI change, `other`) or `online`: the session the supplier reports now',
    }),
    status: z.enum(CARD_STATUSES).nullable(),
    statusRaw: z.string().nullable(),
    description: z.string().nullable(),
    online: z.boolean().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('TimelineSupplierEvent');

const SupplierPartSchema = z
  .object({
    state: z.enum(['not-asked', 'included', 'unsupported', 'failed']).openapi({
      description:
        '`not-asked` (without `supplier=true`, or the session on a later page), `unsupported` (the supplier does not offer it), `failed` (see `error`)',
    }),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  })
  .openapi('TimelineSupplierPart');

const TimelineItemSchema = z
  .discriminatedUnion('kind', [
    StatusItem,
    IdentityItem,
    ActionItem,
    AlertItem,
    SmsItem,
    UsageItem,
    SupplierItem,
  ])
  .openapi('TimelineItem');

const timeline = createRoute({
  method: 'get',
  path: '/{id}/timeline',
  tags: ['cards'],
  summary: 'What happened to the card, newest first, paged by time',
  description:
    'Merges the card’s status changes (with their source), identifier changes (a new IMEI: the card moved to another device), audited actions and who did them (a bulk job’s outcome for the card is one), alerts, texts and usage spikes; with `supplier=true`, also the supplier’s own history and current session where it offers them (a supplier failure does not fail the timeline: see `supplier`). Pass `nextBefore` as `before` for older items.',
  request: {
    params: IdParams,
    query: z.strictObject({
      before: z.iso.datetime({ offset: true }).optional().openapi({
        description: 'Only items strictly before this instant (the previous page’s `nextBefore`)',
      }),
      limit: queryNumberOr(50, { min: 1, max: 200 }),
      kinds: z
        .string()
        .regex(
          new RegExp(`^${KIND}(?:,${KIND})*$`),
          `a comma-separated list of ${TIMELINE_KINDS.join(', ')}`,
        )
        .optional()
        .openapi({
          description: `Only these kinds, comma-separated: ${TIMELINE_KINDS.join(', ')}`,
        }),
      supplier: z.enum(['true', 'false']).optional().openapi({
        description:
          'Also ask the card’s supplier for its history and session (slower; default false)',
      }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        items: z.array(TimelineItemSchema),
        nextBefore: z
          .string()
          .nullable()
          .openapi({ description: 'The next page’s `before`; null at the end' }),
        supplier: z.object({ history: SupplierPartSchema, session: SupplierPartSchema }),
      }),
      'One page of the card’s timeline',
    ),
    ...ERROR_RESPONSES,
  },
});

/** `/api/v1/cards/{id}/timeline`: one time-ordered view of what happened to a card. */
export function cardTimelineRouter() {
  return createRouter().openapi(timeline, async (c) => {
    const caller = principal(c);
    const card = await scopedCards(c).get(c.req.valid('param').id);
    const query = c.req.valid('query');
    const page = await cardTimeline(serviceContext(c), card, {
      ...(query.before !== undefined ? { before: Date.parse(query.before) } : {}),
      limit: query.limit,
      ...(query.kinds !== undefined
        ? { kinds: [...new Set(query.kinds.split(','))] as TimelineKind[] }
        : {}),
      supplier: query.supplier === 'true',
      tenantPath: caller.isRoot ? null : caller.tenantPath,
    });
    return c.json(
      {
        items: page.items.map(itemView),
        nextBefore: isoInstant(page.nextBefore),
        supplier: {
          history: partView(page.supplier.history),
          session: partView(page.supplier.session),
        },
      },
      200,
    );
  });
}

function partView(part: SupplierPart) {
  return {
    state: part.state,
    error: part.state === 'failed' ? { code: part.code, message: part.message } : null,
  };
}

function itemView(item: TimelineItem) {
  const common = { at: isoInstant(item.at) as string, key: item.key };
  switch (item.kind) {
    case 'status':
      return {
        kind: item.kind,
        ...common,
        status: item.status,
        statusRaw: item.statusRaw,
        previousStatus: item.previousStatus,
        source: item.source,
      };
    case 'identity':
      return {
        kind: item.kind,
        ...common,
        identity: item.identity,
        value: item.value,
        previous: item.previous,
        source: item.source,
      };
    case 'action': {
      const job = item.details?.job;
      return {
        kind: item.kind,
        ...common,
        actor: item.actor,
        action: item.action,
        outcome: item.outcome as 'succeeded' | 'failed' | 'skipped',
        job: typeof job === 'number' && Number.isInteger(job) ? job : null,
        details: item.details,
      };
    }
    case 'alert':
      return {
        kind: item.kind,
        ...common,
        alertId: item.alertId,
        alertKind: item.alertKind,
        severity: item.severity as (typeof SEVERITIES)[number],
        message: item.message,
        ...alertCode(item.alertKind, item.data),
        state: item.acknowledgedAt === null ? ('open' as const) : ('acknowledged' as const),
        acknowledgedBy: item.acknowledgedBy,
      };
    case 'sms':
      return {
        kind: item.kind,
        ...common,
        smsId: item.smsId,
        direction: item.direction as 'in' | 'out',
        smsStatus: item.smsStatus as (typeof SMS_STATUSES)[number],
        text: item.text,
        actor: item.actor,
      };
    case 'usage':
      return {
        kind: item.kind,
        ...common,
        date: item.date,
        bytes: item.bytes,
        averageBytes: item.averageBytes,
      };
    case 'supplier':
      return {
        kind: item.kind,
        ...common,
        supplierKind: item.supplierKind,
        status: item.status?.status ?? null,
        statusRaw: item.status?.raw ?? null,
        description: item.description,
        online: item.online,
        details: item.details,
      };
  }
}
