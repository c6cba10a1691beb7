import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SupplierError } from '../spec/index.js';

/**
 * Response shapes of m2m10086-api-v3.txt. Minimal and tolerant: the document types `result`
 * as "String" while describing an object (or a list for §2.6), so `result` may arrive as an
 * object, a list, or JSON text; field values may arrive as strings or numbers; key case may
 * differ (§2.6.2 spells `Num`). Everything is read case-insensitively and kept as text.
 */

/** The envelope every endpoint answers (§2.x.2). */
export const m2mEnvelopeSchema = z.looseObject({
  status: z.union([z.string(), z.number()]).transform((value) => String(value).padStart(4, '0')),
  message: z.union([z.string(), z.number(), z.null()]).optional(),
  result: z.unknown().optional(),
});

export type M2mEnvelope = z.infer<typeof m2mEnvelopeSchema>;

/** A wire record: lower-cased keys, values as text or null. */
export type M2mRecord = Record<string, string | null>;

/** Parses an envelope or fails with a retryable `supplier_bad_response`. */
export function parseEnvelope(body: unknown): M2mEnvelope {
  const parsed = m2mEnvelopeSchema.safeParse(lowerKeys(body));
  if (!parsed.success) {
    throw new SupplierError('supplier_bad_response', 'm2m10086 answered without a status', {
      retryable: true,
      details: { body: JSON.stringify(body)?.slice(0, 200) },
    });
  }
  return parsed.data;
}

/** The records in a `result`, whichever form it came in. */
export function resultRecords(result: unknown): M2mRecord[] {
  let value = result;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return [];
    try {
      value = JSON.parse(text);
    } catch {
      return [];
    }
  }
  if (Array.isArray(value)) return value.filter(isObject).map(toRecord);
  if (isObject(value)) {
    // Some answers wrap the list in a field of the result (`{"list":[…]}`); take it when so.
    const lists = Object.values(value).filter(Array.isArray);
    if (lists.length === 1 && Object.keys(value).length === 1) return resultRecords(lists[0]);
    return [toRecord(value)];
  }
  return [];
}

/** The first record of a result (endpoints answering one card). */
export function firstRecord(result: unknown): M2mRecord {
  return resultRecords(result)[0] ?? {};
}

function toRecord(value: Record<string, unknown>): M2mRecord {
  const record: M2mRecord = {};
  for (const [key, field] of Object.entries(value)) record[key.toLowerCase()] = text(field);
  return record;
}

/** A wire value as text; null, absent and empty text are null. */
export function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lowerKeys(body: unknown): unknown {
  if (!isObject(body)) return body;
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key.toLowerCase(), value]));
}

/**
 * A stable id for a received SMS, the same whether it was read (§2.6) or pushed (§3.1): the
 * platform gives no message id, so the sender, the time and the content as sent identify it.
 */
export function m2mInboundMessageId(
  mobile: string | null,
  retime: string | null,
  content: string | null,
): string {
  const digest = createHash('sha256')
    .update(`${mobile ?? ''}|${retime ?? ''}|${content ?? ''}`)
    .digest('hex');
  return `m2m-in-${digest.slice(0, 32)}`;
}

/**
 * Epoch ms of a platform time (CST), written `yyyy-MM-dd HH:mm:ss`, `yyyy/MM/dd HH:mm:ss` or
 * `yyyyMMddHHmmss` (the document does not fix a format for `retime` and `lasttime`). Null
 * when it is none of them.
 */
export function parseCstTime(value: string | null | undefined): number | null {
  if (!value) return null;
  const digits = value.replace(/\D/g, '');
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/.exec(digits.slice(0, 14));
  if (!match || (digits.length !== 14 && digits.length !== 12)) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
  const instant = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) - 8 * 3_600_000;
  return Number.isNaN(instant) ? null : instant;
}
