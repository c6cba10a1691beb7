import { createRoute, z } from '@hono/zod-openapi';
import { SimdockError } from '../../../domain/index.js';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import { sendSms, smsView } from '../../../services/sms/sms-service.js';
import { SMS_STATUSES, SmsRepository } from '../../../store/repositories/sms-repository.js';
import { createRouter, principal, scopedCards, serviceContext } from '../../api-env.js';
import {
  ERROR_RESPONSES,
  IdParams,
  jsonBody,
  jsonResponse,
  queryNumberOr,
} from '../../api-schemas.js';

const SmsSchema = z
  .object({
    id: z.number().int(),
    direction: z.enum(['in', 'out']),
    status: z.enum(SMS_STATUSES),
    text: z.string(),
    account: z.string(),
    cardId: z.number().int().nullable(),
    msisdn: z.string().nullable(),
    iccid: z.string().nullable(),
    supplierMessageId: z.string().nullable(),
    supplierCode: z.string().nullable(),
    error: z.string().nullable(),
    supplierAt: z.string().nullable(),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .openapi('Sms');

const thread = createRoute({
  method: 'get',
  path: '/cards/{id}/sms',
  tags: ['sms'],
  summary: 'A card’s texts both ways, oldest first (the last `limit`)',
  request: {
    params: IdParams,
    query: z.strictObject({ limit: queryNumberOr(100, { min: 1, max: 500 }) }),
  },
  responses: {
    200: jsonResponse(z.object({ messages: z.array(SmsSchema) }), 'The thread'),
    ...ERROR_RESPONSES,
  },
});

const send = createRoute({
  method: 'post',
  path: '/cards/{id}/sms',
  tags: ['sms'],
  summary: 'Send a text to the card through its supplier (operator role)',
  request: {
    params: IdParams,
    body: jsonBody(
      z.strictObject({
        text: z.string().min(1).max(1000),
        idempotencyKey: z
          .string()
          .regex(/^[A-Za-z0-9]{1,32}$/, '1–32 letters and digits')
          .optional()
          .openapi({ description: 'A repeated key returns the stored text without a second send' }),
      }),
    ),
  },
  responses: {
    200: jsonResponse(
      z.object({ message: SmsSchema, sent: z.boolean() }),
      'The text as stored; `sent` is false when the key named a text already sent',
    ),
    ...ERROR_RESPONSES,
  },
});

const list = createRoute({
  method: 'get',
  path: '/sms',
  tags: ['sms'],
  summary: 'Texts of the caller’s cards, newest first, with a cursor',
  request: {
    query: z.strictObject({
      direction: z.enum(['in', 'out']).optional(),
      status: z.enum(SMS_STATUSES).optional(),
      account: z.string().min(1).optional(),
      cursor: z
        .string()
        .regex(/^\d{1,15}$/, 'a cursor from nextCursor')
        .optional(),
      limit: queryNumberOr(100, { min: 1, max: 500 }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ messages: z.array(SmsSchema), nextCursor: z.string().nullable() }),
      'One page of texts',
    ),
    ...ERROR_RESPONSES,
  },
});

/** `/api/v1/cards/{id}/sms` and `/api/v1/sms`: texts to and from the caller's cards. */
export function smsRouter() {
  return createRouter()
    .openapi(thread, async (c) => {
      const card = await scopedCards(c).get(c.req.valid('param').id);
      const repository = new SmsRepository(serviceContext(c).store);
      const messages = await repository.thread(card.id, { limit: c.req.valid('query').limit });
      return c.json({ messages: messages.map(smsView) }, 200);
    })
    .openapi(send, async (c) => {
      const caller = principal(c, 'operator');
      const card = await scopedCards(c, 'operator').get(c.req.valid('param').id);
      const identifier = card.iccid ?? card.msisdn ?? card.imsi;
      if (identifier === null) {
        throw new SimdockError('unsupported', `card ${card.id} has no ICCID, MSISDN or IMSI yet`);
      }
      const body = c.req.valid('json');
      const context = serviceContext(c);
      // The card itself, not its identifier: an ICCID may be on two accounts (the card's id
      // names the one the operator picked).
      const result = await sendSms(context, card, body.text, caller.actor, {
        ...(body.idempotencyKey ? { idempotencyKey: body.idempotencyKey } : {}),
      });
      await recordScopedAudit(context.store, caller, {
        action: 'sms.send',
        targetType: 'card',
        targetId: String(card.id),
        account: card.account,
        outcome: result.message.status === 'failed' ? 'failed' : 'succeeded',
        details: { sms: result.message.id, sent: result.sent },
      });
      return c.json({ message: smsView(result.message), sent: result.sent }, 200);
    })
    .openapi(list, async (c) => {
      const caller = principal(c);
      const query = c.req.valid('query');
      const context = serviceContext(c);
      const rows = await new SmsRepository(context.store).listScoped(caller, {
        ...(query.direction ? { direction: query.direction } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.account ? { account: query.account } : {}),
        ...(query.cursor ? { before: Number(query.cursor) } : {}),
        limit: query.limit + 1,
      });
      const messages = rows.slice(0, query.limit);
      const nextCursor = rows.length > query.limit ? String(messages.at(-1)?.id) : null;
      return c.json({ messages: messages.map(smsView), nextCursor }, 200);
    });
}
