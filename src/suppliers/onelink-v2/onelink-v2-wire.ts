import { z } from 'zod';
import { SupplierError, type SupplierWarning } from '../spec/index.js';
import { onelinkV2Error } from './onelink-v2-protocol.js';

/**
 * OneLink v2 answers as they come over the wire: JSON text (with one narrowly-scoped repair),
 * keys read case-insensitively, and minimal zod schemas that tolerate extra fields.
 */

/**
 * A value that ends a line, then a line that starts with a key: the place where the 2111
 * response example lacks a comma (`"status": "25"` then `"message": …`). Only a comma between
 * those two is ever inserted; strings cannot span lines in JSON, so the insertion point is
 * always outside a string.
 */
const MISSING_COMMA =
  /("(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|[}\]])([ \t]*\r?\n\s*)(?="(?:[^"\\\n]|\\.)*"\s*:)/g;

/** The warning attached to an answer that needed the missing-comma repair. */
export const REPAIRED_COMMA_WARNING: SupplierWarning = {
  type: 'document-quirk',
  message:
    'the answer lacked a comma between two fields (as the response example of ' +
    'onelink-v2-api2111-batchquerycardinfo.txt does); it was repaired and read',
};

/**
 * Parses an answer's text. When strict JSON fails, and only then, retries once after inserting
 * the commas missing between a value at the end of a line and a key on the next one; anything
 * else malformed stays an error: a retryable `supplier_bad_response` keeping the text's start.
 */
export function parseOnelinkV2Json(
  text: string,
  httpStatus?: number,
): { body: unknown; warnings: SupplierWarning[] } {
  try {
    return { body: JSON.parse(text), warnings: [] };
  } catch (error) {
    const repaired = text.replace(MISSING_COMMA, '$1,$2');
    if (repaired !== text) {
      try {
        return { body: JSON.parse(repaired), warnings: [REPAIRED_COMMA_WARNING] };
      } catch {
        // Still malformed: report the original failure below.
      }
    }
    throw new SupplierError(
      'supplier_bad_response',
      `OneLink v2 answered with malformed JSON: ${text.slice(0, 120)}`,
      { cause: error, httpStatus, retryable: true },
    );
  }
}

/**
 * A copy with every object key lower-cased (PROTOCOL-NOTES.md: key case differs between
 * endpoints, `GPRS`, `MSISDN` vs `iccid`). When two keys differ only by case, the first wins.
 */
export function lowerCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerCaseKeys);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (!(lower in result)) result[lower] = lowerCaseKeys(item);
  }
  return result;
}

/** A wire scalar as text: the documents send strings, some servers send numbers. */
const wireText = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value) => {
    if (value === null || value === undefined) return null;
    const text = String(value).trim();
    return text === '' ? null : text;
  });

/** The envelope `{status, message, result}`; `status` is a string ("0" = 正确). */
export const onelinkV2EnvelopeSchema = z.looseObject({
  status: z.union([z.string(), z.number()]).transform((value) => String(value).trim()),
  message: wireText,
  result: z.unknown().optional(),
});

/** One item of a batch answer: its own `status`/`message` (absent = success) and numbers. */
const itemFields = {
  status: wireText,
  message: wireText,
  msisdn: wireText,
  iccid: wireText,
  imsi: wireText,
};

/** A `batchquerycardinfo` item (应答数据信息: status, message, msisdn, imsi, iccid). */
export const onelinkV2CardInfoSchema = z.looseObject(itemFields);
/** A `batchquerycardinfo` item, keys lower-cased, values as text or null. */
export type OnelinkV2CardInfo = z.output<typeof onelinkV2CardInfoSchema>;

/** A `batchgprsusedbydate` item (应答数据信息: GPRS in KB, MSISDN, ICCID, IMSI). */
export const onelinkV2GprsSchema = z.looseObject({ ...itemFields, gprs: wireText });
/** A `batchgprsusedbydate` item; `gprs` is KB as text, null when absent. */
export type OnelinkV2Gprs = z.output<typeof onelinkV2GprsSchema>;

/**
 * Reads one answer body: checks the envelope, throws the mapped `SupplierError` when `status`
 * is not "0", and returns the items of `result` parsed with `itemSchema` (keys lower-cased).
 */
export function unwrapOnelinkV2<T>(
  body: unknown,
  itemSchema: z.ZodType<T>,
  accountId?: string,
): T[] {
  const envelope = onelinkV2EnvelopeSchema.safeParse(lowerCaseKeys(body));
  if (!envelope.success) {
    throw new SupplierError('supplier_bad_response', 'OneLink v2 answered without a status', {
      retryable: false,
      cause: envelope.error,
    });
  }
  const { status, message, result } = envelope.data;
  if (status !== '0') throw onelinkV2Error(status, message, accountId);
  if (result === null || result === undefined) return [];
  const items = z.array(itemSchema).safeParse(result);
  if (!items.success) {
    throw new SupplierError(
      'supplier_bad_response',
      `OneLink v2 answered status 0 with an unreadable result: ${z.prettifyError(items.error)}`,
      { retryable: false, cause: items.error },
    );
  }
  return items.data;
}

/** Whether a batch item succeeded: its own status is absent (2010 example) or "0". */
export function isOnelinkV2ItemOk(item: { status: string | null }): boolean {
  return item.status === null || item.status === '0';
}
