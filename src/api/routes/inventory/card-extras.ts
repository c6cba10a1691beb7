import { createRoute, z } from '@hono/zod-openapi';
import { CARD_STATUSES } from '../../../domain/index.js';
import { changeCarrierCap } from '../../../services/carrier/carrier-caps.js';
import {
  diagnoseCard,
  readCardHistory,
  readCarrierCap,
  readSession,
} from '../../../services/carrier/carrier-extras.js';
import { createRouter, principal, scopedCards, serviceContext } from '../../api-env.js';
import {
  ERROR_RESPONSES,
  ErrorSchema,
  IdParams,
  isoInstant,
  jsonBody,
  jsonResponse,
} from '../../api-schemas.js';

/** The answer when the card's supplier does not offer the operation. */
const UNSUPPORTED = {
  422: {
    description: 'The card’s supplier does not offer this (`unsupported`)',
    content: { 'application/json': { schema: ErrorSchema } },
  },
} as const;

const Details = z
  .record(z.string(), z.unknown())
  .openapi({ description: 'The supplier’s own record, wire names kept' });

const CarrierCapSchema = z
  .object({
    capBytes: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'The cap in bytes; null = no carrier-side cap' }),
    reached: z
      .boolean()
      .nullable()
      .openapi({ description: 'Whether the carrier has cut the card’s data at the cap' }),
    details: Details.optional(),
  })
  .openapi('CarrierCap', {
    description:
      'A carrier-side data cap (达量断网): the supplier cuts the card’s data at the cap, even while simdock is down. Distinct from simdock’s own pause rules.',
  });

const CapChangeSchema = z
  .object({
    jobId: z.number().int().openapi({ description: 'The one-card bulk job that carried it' }),
    state: z.enum(['pending', 'sending', 'done', 'skipped', 'failed']),
    cap: CarrierCapSchema.nullable().openapi({
      description: 'Read back after the change; null when the supplier cannot read caps',
    }),
    readError: z.object({ code: z.string(), message: z.string() }).nullable(),
  })
  .openapi('CarrierCapChange');

const getCap = createRoute({
  method: 'get',
  path: '/{id}/carrier-cap',
  tags: ['cards'],
  summary: 'The card’s carrier-side data cap (达量断网), read from its supplier now',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(CarrierCapSchema, 'The cap'),
    ...ERROR_RESPONSES,
    ...UNSUPPORTED,
  },
});

const putCap = createRoute({
  method: 'put',
  path: '/{id}/carrier-cap',
  tags: ['cards'],
  summary: 'Set or change the card’s carrier-side data cap (operator role; audited)',
  description:
    'For many cards, create a bulk job: `POST /api/v1/jobs` with action `data-cap-set` and `params.capBytes`, or `data-cap-cancel`.',
  request: {
    params: IdParams,
    body: jsonBody(
      z.strictObject({
        capBytes: z
          .number()
          .int()
          .positive()
          .max(Number.MAX_SAFE_INTEGER)
          .openapi({ description: 'The cap in bytes (the supplier’s unit is converted)' }),
      }),
    ),
  },
  responses: {
    200: jsonResponse(CapChangeSchema, 'The supplier took the cap'),
    ...ERROR_RESPONSES,
    ...UNSUPPORTED,
  },
});

const deleteCap = createRoute({
  method: 'delete',
  path: '/{id}/carrier-cap',
  tags: ['cards'],
  summary: 'Cancel the card’s carrier-side data cap (operator role; audited)',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(CapChangeSchema, 'The supplier cancelled the cap'),
    ...ERROR_RESPONSES,
    ...UNSUPPORTED,
  },
});

const session = createRoute({
  method: 'get',
  path: '/{id}/session',
  tags: ['cards'],
  summary: 'The card’s current data session as its supplier reports it',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(
      z
        .object({
          online: z.boolean().nullable(),
          ip: z.string().nullable(),
          apn: z.string().nullable(),
          rat: z.string().nullable(),
          startedAt: z.string().nullable(),
          details: Details.optional(),
        })
        .openapi('CardSession'),
      'The session',
    ),
    ...ERROR_RESPONSES,
    ...UNSUPPORTED,
  },
});

const history = createRoute({
  method: 'get',
  path: '/{id}/history',
  tags: ['cards'],
  summary: 'The card’s history as its supplier keeps it, newest first',
  request: {
    params: IdParams,
    query: z.strictObject({
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        events: z.array(
          z
            .object({
              at: z.string().nullable(),
              kind: z.enum(['status', 'session', 'change', 'other']),
              status: z.enum(CARD_STATUSES).nullable(),
              statusRaw: z.string().nullable(),
              description: z.string().nullable(),
              details: Details.optional(),
            })
            .openapi('SupplierCardEvent'),
        ),
      }),
      'The supplier’s history',
    ),
    ...ERROR_RESPONSES,
    ...UNSUPPORTED,
  },
});

const diagnosis = createRoute({
  method: 'get',
  path: '/{id}/diagnosis',
  tags: ['cards'],
  summary: 'The supplier’s own diagnosis of the card (network, balance, switches…)',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(
      z
        .object({
          checks: z.array(
            z.object({
              name: z.string(),
              ok: z.boolean().nullable(),
              message: z.string().nullable(),
            }),
          ),
          details: Details.optional(),
        })
        .openapi('CardDiagnosis'),
      'The diagnosis',
    ),
    ...ERROR_RESPONSES,
    ...UNSUPPORTED,
  },
});

/**
 * `/api/v1/cards/{id}/carrier-cap|session|history|diagnosis`: what only some suppliers offer,
 * asked of the supplier now; `unsupported` (422) where the card's supplier does not.
 */
export function cardExtrasRouter() {
  return createRouter()
    .openapi(getCap, async (c) => {
      const card = await scopedCards(c).get(c.req.valid('param').id);
      return c.json(await readCarrierCap(serviceContext(c), card), 200);
    })
    .openapi(putCap, async (c) => {
      const caller = principal(c, 'operator');
      const card = await scopedCards(c, 'operator').get(c.req.valid('param').id);
      const change = await changeCarrierCap(
        serviceContext(c),
        card,
        c.req.valid('json').capBytes,
        caller.actor,
      );
      return c.json(capChangeView(change), 200);
    })
    .openapi(deleteCap, async (c) => {
      const caller = principal(c, 'operator');
      const card = await scopedCards(c, 'operator').get(c.req.valid('param').id);
      const change = await changeCarrierCap(serviceContext(c), card, null, caller.actor);
      return c.json(capChangeView(change), 200);
    })
    .openapi(session, async (c) => {
      const card = await scopedCards(c).get(c.req.valid('param').id);
      const found = await readSession(serviceContext(c), card);
      return c.json({ ...found, startedAt: isoInstant(found.startedAt) }, 200);
    })
    .openapi(history, async (c) => {
      const card = await scopedCards(c).get(c.req.valid('param').id);
      const query = c.req.valid('query');
      const events = await readCardHistory(serviceContext(c), card, {
        ...(query.from !== undefined ? { from: Date.parse(query.from) } : {}),
        ...(query.to !== undefined ? { to: Date.parse(query.to) } : {}),
      });
      return c.json(
        {
          events: events.map((event) => ({
            at: isoInstant(event.at),
            kind: event.kind,
            status: event.status?.status ?? null,
            statusRaw: event.status?.raw ?? null,
            description: event.description,
            ...(event.details ? { details: event.details } : {}),
          })),
        },
        200,
      );
    })
    .openapi(diagnosis, async (c) => {
      const card = await scopedCards(c).get(c.req.valid('param').id);
      return c.json(await diagnoseCard(serviceContext(c), card), 200);
    });
}

function capChangeView(change: Awaited<ReturnType<typeof changeCarrierCap>>) {
  return {
    jobId: change.job.id,
    state: change.item.state,
    cap: change.cap,
    readError: change.readError,
  };
}
