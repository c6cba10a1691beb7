import { z } from '@hono/zod-openapi';
import { CARD_STATUSES, ERROR_CODES, isCstDate } from '../domain/index.js';
import { ROLES } from '../services/access/access-roles.js';
import { createSupplierCatalog } from '../suppliers/catalog.js';

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

export const errorContent = (description: string) => ({
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

/**
 * The error answers a route may give beyond `ERROR_RESPONSES`, by what the route does: any
 * route may fail inside (500); a write may conflict (409: exists, changed meanwhile, cancelled)
 * or ask what the supplier cannot do (422), and reaches suppliers, whose failures answer 502,
 * 503 or 504; a route with a body refuses one too large (413) or not JSON (415).
 */
export const EXTRA_ERROR_RESPONSES = {
  always: { 500: errorContent('Internal error (no details)') },
  write: {
    409: errorContent('Already exists, changed meanwhile, or cancelled'),
    422: errorContent('Not supported by the card’s supplier'),
    502: errorContent('The supplier refused or answered badly'),
    503: errorContent('The supplier is unavailable or throttling'),
    504: errorContent('The supplier did not answer in time'),
  },
  body: {
    413: errorContent('The request body is too large'),
    415: errorContent('The request body is not JSON'),
  },
} as const;

/**
 * Adds to a route's documented answers every error status it can send (`EXTRA_ERROR_RESPONSES`
 * by method and body), keeping what the route declares itself. The app applies it to every
 * route once all are registered, so the document lists each status the server sends.
 */
export function documentErrorResponses(route: {
  method: string;
  request?: { body?: unknown };
  responses: Record<string | number, unknown>;
}): void {
  const extra: Record<number, unknown> = { ...ERROR_RESPONSES, ...EXTRA_ERROR_RESPONSES.always };
  if (route.method !== 'get') Object.assign(extra, EXTRA_ERROR_RESPONSES.write);
  if (route.request?.body !== undefined) Object.assign(extra, EXTRA_ERROR_RESPONSES.body);
  for (const [status, response] of Object.entries(extra)) {
    route.responses[status] ??= response;
  }
}

/** A JSON body answer. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** A JSON request body, required. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

/**
 * A positive integer path parameter named `id`: decimal digits only, no sign, exponent, hex,
 * leading zero or spaces (`/cards/1e3` and `/cards/0x10` are 400, not cards 1000 and 16).
 */
export const IdParams = z.object({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'an id is a positive decimal integer')
    .transform(Number)
    .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER))
    .openapi({
      param: { name: 'id', in: 'path' },
      type: 'integer',
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      example: 1,
    }),
});

/**
 * No control characters (C0, DEL, C1): names are shown in the console, logs and CSV exports,
 * where a NUL or an escape sequence does harm.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them.
export const PRINTABLE = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/** A name people give something: trimmed, 1–`max` characters, no control characters. */
export function nameSchema(max: number) {
  return z.string().trim().min(1).max(max).regex(PRINTABLE, 'control characters are not allowed');
}

export const RoleSchema = z.enum(ROLES).openapi('Role');

/*
 * Constraints the services enforce, stated where requests are described so the published
 * document says what the server refuses (each refused with 400 and field details).
 */

/** A CST calendar date `YYYY-MM-DD` that exists (no 2026-02-30). */
export const CstDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine(isCstDate, 'a date YYYY-MM-DD')
  .openapi({ format: 'date', example: '2026-11-26' });

/** A CST month `YYYY-MM`. */
export const CstMonthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM')
  .refine((value) => isCstDate(`${value}-01`), 'a month YYYY-MM')
  .openapi({ example: '2026-11' });

/**
 * A number in a query string: decimal digits with an optional sign (and, when not `integer`, a
 * fraction), never empty or blank. `z.coerce.number()` read `?usageMin=` and `?usageMin=%20` as
 * 0, and the document then called such parameters nullable; here an empty value is refused
 * (400 with the field) and the document says `integer`/`number`, not null.
 */
export function queryNumber(options: { min: number; max?: number; integer?: boolean }) {
  return queryNumberOf(options);
}

/** `queryNumber` taken as `value` when absent (the document states the default). */
export function queryNumberOr(
  value: number,
  options: { min: number; max?: number; integer?: boolean },
) {
  return queryNumberOf(options).default(value).openapi({ default: value });
}

function queryNumberOf(options: { min: number; max?: number; integer?: boolean }) {
  const integer = options.integer ?? true;
  let number = z.number();
  if (integer) number = number.int();
  number = number.min(options.min);
  if (options.max !== undefined) number = number.max(options.max);
  return z
    .string()
    .regex(
      integer ? /^-?\d{1,16}$/ : /^-?\d{1,16}(\.\d{1,16})?$/,
      integer ? 'an integer (decimal digits)' : 'a decimal number',
    )
    .transform(Number)
    .pipe(number)
    .openapi({
      type: integer ? 'integer' : 'number',
      minimum: options.min,
      ...(options.max !== undefined ? { maximum: options.max } : {}),
    });
}

/** A positive integer id in a query (filter or cursor): at most 2^53 − 1. */
export const QueryIdSchema = queryNumber({ min: 1, max: Number.MAX_SAFE_INTEGER });

/** The address check of users (src/services/access/access-users.ts): something@something. */
export const EMAIL_PATTERN = /^\s*[^\s@]+@[^\s@]+\s*$/;

/** An email address as users are created with (stored trimmed and lower-case). */
export const EmailSchema = z
  .string()
  .min(3)
  .max(254)
  .regex(EMAIL_PATTERN, 'an email address')
  .openapi({ format: 'email', example: 'ops@example.com' });

/**
 * An http(s) URL without credentials, as webhook endpoints take
 * (src/services/webhooks/webhooks-targets.ts, which says why one is refused).
 */
export const HttpUrlSchema = z.string().min(1).max(2000).openapi({
  format: 'uri',
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
  example: 'https://example.com/hook',
});

/** A card tag (src/services/access/access-cards.ts): 1–64 letters, digits, `_ . : -`. */
export const TagSchema = z
  .string()
  .regex(/^[\p{L}\p{N}_.:-]{1,64}$/u, 'a tag is 1–64 letters, digits, _ . : -')
  .openapi({ pattern: '^[\\p{L}\\p{N}_.:-]{1,64}$', example: 'fleet-a' });

/**
 * A supplier type: one of simdock's catalog (`GET /suppliers`). The account service refuses any
 * other (`invalid_argument`); the document lists the types this build speaks.
 */
export const SupplierTypeSchema = z
  .string()
  .min(1)
  .openapi({ enum: createSupplierCatalog().types(), example: 'onelink-v5' });

/** A billing cycle: the CST dates a card's "month" of usage runs, both included. */
export const BillingCycleSchema = z
  .object({
    start: z.string().openapi({ description: 'First CST date, YYYY-MM-DD' }),
    end: z.string().openapi({ description: 'Last CST date, YYYY-MM-DD' }),
    month: z.string().openapi({ description: 'The billing month it is known by (its end month)' }),
    startDay: z.number().int().openapi({ description: 'Day of the month cycles start (1–31)' }),
    calendarMonth: z.boolean(),
    source: z
      .enum(['account', 'supplier', 'default'])
      .openapi({ description: 'Where the start day comes from' }),
  })
  .openapi('BillingCycle');

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
    usageThisMonth: z.number().nullable().openapi({
      description:
        'Bytes in the card’s current billing cycle (`usageCycle`: the CST month unless its supplier or account bills from another day); null = unknown',
    }),
    usageCycle: BillingCycleSchema.optional(),
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
