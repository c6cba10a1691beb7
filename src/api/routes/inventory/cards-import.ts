import { createRoute, z } from '@hono/zod-openapi';
import { SimdockError } from '../../../domain/index.js';
import {
  IMPORT_PROBLEM_CODES,
  importCards,
  importTemplate,
} from '../../../services/inventory/card-import.js';
import { createRouter, principal, requireRootTenant, serviceContext } from '../../api-env.js';
import { ERROR_RESPONSES, jsonBody, jsonResponse } from '../../api-schemas.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const ImportBody = z.strictObject({
  account: z
    .string()
    .min(1)
    .max(64)
    .openapi({ description: 'The supplier account the cards are of' }),
  text: z.string().max(1_000_000).optional().openapi({
    description:
      'The file: a CSV whose header names iccid, msisdn, imsi, imei columns, or one identifier per line',
  }),
  xlsx: z.string().max(1_000_000).optional().openapi({
    description:
      'Or an Excel (.xlsx) file, base64: its first worksheet read as the CSV is (row numbers are the report’s lines)',
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

const template = createRoute({
  method: 'get',
  path: '/template',
  tags: ['cards'],
  summary: 'The import template: identifier columns, as CSV or Excel',
  description:
    'A header row naming iccid, msisdn, imsi and imei; in .xlsx those columns are formatted as ' +
    'text so long ICCIDs keep every digit.',
  request: { query: z.strictObject({ format: z.enum(['csv', 'xlsx']).default('xlsx') }) },
  responses: {
    200: {
      description: 'The template, as an attachment',
      content: {
        'text/csv': { schema: z.string() },
        [XLSX_TYPE]: { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    ...ERROR_RESPONSES,
  },
});

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
  return createRouter()
    .openapi(template, async (c) => {
      principal(c, 'admin');
      const { format } = c.req.valid('query');
      return new Response(await importTemplate(format), {
        status: 200,
        headers: {
          'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE,
          'content-disposition': `attachment; filename="simdock-import-template.${format}"`,
        },
      }) as never;
    })
    .openapi(importRoute, async (c) => {
      const caller = principal(c, 'admin');
      requireRootTenant(caller);
      const { account, text, xlsx } = c.req.valid('json');
      if ((text === undefined) === (xlsx === undefined)) {
        throw new SimdockError('invalid_argument', 'send the file as either text or xlsx', {
          details: { fields: [{ path: 'text', message: 'exactly one of text and xlsx' }] },
        });
      }
      const file = xlsx !== undefined ? { xlsx: Buffer.from(xlsx, 'base64') } : (text as string);
      const summary = await importCards(serviceContext(c), account, file, caller.actor);
      return c.json(summary, 200);
    });
}
