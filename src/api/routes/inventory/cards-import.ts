import { createRoute, z } from '@hono/zod-openapi';
import { IMPORT_PROBLEM_CODES, importCards } from '../../../services/inventory/card-import.js';
import { createRouter, principal, requireRootTenant, serviceContext } from '../../api-env.js';
import { ERROR_RESPONSES, jsonBody, jsonResponse } from '../../api-schemas.js';

const ImportBody = z.strictObject({
  account: z
    .string()
    .min(1)
    .max(64)
    .openapi({ description: 'The supplier account the cards are of' }),
  text: z.string().max(1_000_000).openapi({
    description:
      'The file: a CSV whose header names iccid, msisdn, imsi, imei columns, or one identifier per line',
  }),
});

const ImportReport = z
  .object({
    account: z.string(),
    lines: z.number().int().openapi({ description: 'Lines that held a card' }),
    inserted: z.number().int(),
    existing: z.number().int().openapi({ description: 'Cards already in the inventory' }),
    problems: z.array(
      z.object({
        line: z.number().int(),
        value: z.string(),
        reason: z.string().openapi({ description: 'Why, in English' }),
        code: z.enum(IMPORT_PROBLEM_CODES).openapi({ description: 'Why, as a code' }),
        params: z.record(z.string(), z.union([z.string(), z.number()])),
      }),
    ),
  })
  .openapi('CardImportReport');

const importRoute = createRoute({
  method: 'post',
  path: '/',
  tags: ['cards'],
  summary: 'Import cards into a supplier account, with a per-line report',
  description:
    'Idempotent: importing the same file twice adds nothing. Bad lines are reported with their ' +
    'number, value and reason; the other lines are imported. Admins of the root tenant only.',
  request: { body: jsonBody(ImportBody) },
  responses: { 200: jsonResponse(ImportReport, 'What was imported'), ...ERROR_RESPONSES },
});

/** `POST /api/v1/cards/import`: the console's CSV import (src/services/inventory/card-import.ts). */
export function cardsImportRouter() {
  return createRouter().openapi(importRoute, async (c) => {
    const caller = principal(c, 'admin');
    requireRootTenant(caller);
    const { account, text } = c.req.valid('json');
    const summary = await importCards(serviceContext(c), account, text, caller.actor);
    return c.json(summary, 200);
  });
}
