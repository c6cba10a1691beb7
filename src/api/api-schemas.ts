import { z } from '@hono/zod-openapi';
import { CARD_STATUSES, ERROR_CODES } from '../domain/index.js';
import { ROLES } from '../services/access/access-roles.js';

/** The one error shape. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .openapi('Error');

const errorContent = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

/** The error answers every authenticated route may give. */
export const ERROR_RESPONSES = {
  400: errorContent('Invalid request (field-level details)'),
  401: errorContent('Not signed in, or an invalid API key'),
  403: errorContent('The role or tenant does not allow this'),
  404: errorContent('Not found in the caller’s tenant subtree'),
  429: errorContent('Rate limited'),
} as const;

/** A JSON body answer. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** A JSON request body, required. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

/** A positive integer path parameter named `id`. */
export const IdParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

export const RoleSchema = z.enum(ROLES).openapi('Role');

export const CardSchema = z
  .object({
    id: z.number().int(),
    iccid: z.string().nullable(),
    msisdn: z.string().nullable(),
    imsi: z.string().nullable(),
    imei: z.string().nullable(),
    account: z.string(),
    supplier: z.string(),
    status: z.enum(CARD_STATUSES),
    statusRaw: z.string().nullable(),
    statusChangedAt: z.string().nullable(),
    identitiesSyncedAt: z.string().nullable(),
    tenant: z.string().nullable(),
    tags: z.array(z.string()),
    usageThisMonth: z
      .number()
      .nullable()
      .openapi({ description: 'Bytes this CST month; null = unknown' }),
    sameIccid: z
      .array(z.object({ id: z.number().int(), account: z.string() }))
      .optional()
      .openapi({
        description:
          'In card lists and a card’s detail: the other cards with the same ICCID, on other ' +
          'supplier accounts (the same number held twice); empty when none',
      }),
  })
  .openapi('Card');

/** An epoch-millisecond instant as ISO 8601 (null stays null). */
export function isoInstant(value: number | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
