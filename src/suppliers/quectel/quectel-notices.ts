import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { parseIccid, parseMsisdn } from '../../domain/index.js';
import { SupplierError } from '../spec/index.js';
import { parseWire, wireNumber, wireText } from './quectel-wire.js';

/**
 * The callbacks Quectel pushes to simdock (quectel-connectivity-api-v3.15.md §2.3.6 SMS report
 * and inbox, §2.5.6 recharge/renewal results): parsing, checking, the exact answers the
 * supplier expects, and a stable key per notice so a notice retried by the supplier is stored
 * once. The document signs no callback: authenticity rests on a secret token simdock puts in the
 * callback URL it registers on the portal (`?token=…`), checked here when configured.
 */

/** The answer to an SMS callback: exactly these seven characters (§2.3.6). */
export const QUECTEL_SMS_NOTICE_ANSWER = 'success';
/** The answer to an order callback (§2.5.6). */
export const QUECTEL_ORDER_NOTICE_ANSWER = { code: 200, msg: '' } as const;

export type QuectelNotice =
  | {
      kind: 'sms-report';
      dedupeKey: string;
      messageId: string;
      iccid: string | null;
      msisdn: string | null;
      delivered: boolean;
      /** 200 delivered, 400 failed (§2.3.6). */
      status: string;
      note: string | null;
      raw: Record<string, unknown>;
    }
  | {
      kind: 'sms-inbox';
      dedupeKey: string;
      messageId: string;
      iccid: string | null;
      msisdn: string | null;
      text: string;
      /** `yyyy-MM-dd HH:mm:ss` CST as sent; null when absent. */
      receivedAtCst: string | null;
      raw: Record<string, unknown>;
    }
  | {
      kind: 'order';
      dedupeKey: string;
      orderNo: string;
      orderType: string | null;
      /** 1 complete, -1 failed (§2.5.6). */
      state: 'complete' | 'failed';
      iccid: string | null;
      productName: string | null;
      productPriceYuan: number | null;
      externalId: string | null;
      result: string | null;
      completeTimeCst: string | null;
      raw: Record<string, unknown>;
    };

const smsSchema = z.looseObject({
  type: wireText,
  msisdn: wireText,
  iccid: wireText,
  sms_id: wireText,
  status: wireText,
  msg: wireText,
  content: wireText,
  recievetime: wireText,
});

const orderSchema = z.looseObject({
  orderNo: wireText,
  orderType: wireText,
  orderStatusDesc: wireText,
  orderStatus: wireNumber,
  iccid: wireText,
  productName: wireText,
  productPrice: wireNumber,
  remark: wireText,
  result: wireText,
  createTime: wireText,
  completeTime: wireText,
  externalId: wireText,
});

function invalid(message: string): SupplierError {
  return new SupplierError('supplier_bad_response', `quectel notice: ${message}`, {
    retryable: false,
  });
}

/** Keeps a well-formed identifier, or null (a malformed one makes the notice invalid). */
function identifier(kind: 'iccid' | 'msisdn', value: string | null): string | null {
  if (!value) return null;
  const parsed = kind === 'iccid' ? parseIccid(value) : parseMsisdn(value);
  if (!parsed.ok) throw invalid(parsed.error.message);
  return parsed.value;
}

/** Parses and checks an SMS callback body (§2.3.6); throws `supplier_bad_response` if invalid. */
export function parseQuectelSmsNotice(body: unknown): QuectelNotice {
  if (typeof body !== 'object' || body === null) throw invalid('body is not an object');
  const notice = parseWire(smsSchema, body);
  const raw = body as Record<string, unknown>;
  const iccid = identifier('iccid', notice.iccid);
  const msisdn = identifier('msisdn', notice.msisdn);
  if (!notice.sms_id) throw invalid('sms_id is missing');
  if (!iccid && !msisdn) throw invalid('neither iccid nor msisdn is given');
  const card = iccid ?? msisdn;
  if (notice.type === 'report') {
    if (notice.status !== '200' && notice.status !== '400')
      throw invalid(`report status "${notice.status}"`);
    return {
      kind: 'sms-report',
      dedupeKey: `quectel:sms-report:${notice.sms_id}:${card}:${notice.status}`,
      messageId: notice.sms_id,
      iccid,
      msisdn,
      delivered: notice.status === '200',
      status: notice.status,
      note: notice.msg,
      raw,
    };
  }
  if (notice.type === 'inbox') {
    if (notice.content === null) throw invalid('inbox content is missing');
    return {
      kind: 'sms-inbox',
      dedupeKey: `quectel:sms-inbox:${notice.sms_id}:${card}`,
      messageId: notice.sms_id,
      iccid,
      msisdn,
      text: notice.content,
      // §2.3.6 spells the field `recievetime`.
      receivedAtCst: notice.recievetime,
      raw,
    };
  }
  throw invalid(`unknown SMS type "${notice.type}"`);
}

/** Parses and checks an order-result callback body (§2.5.6). */
export function parseQuectelOrderNotice(body: unknown): QuectelNotice {
  if (typeof body !== 'object' || body === null) throw invalid('body is not an object');
  const notice = parseWire(orderSchema, body);
  if (!notice.orderNo) throw invalid('orderNo is missing');
  if (notice.orderStatus !== 1 && notice.orderStatus !== -1) {
    throw invalid(`orderStatus "${notice.orderStatus}" is neither 1 nor -1`);
  }
  const state = notice.orderStatus === 1 ? 'complete' : 'failed';
  return {
    kind: 'order',
    dedupeKey: `quectel:order:${notice.orderNo}:${state}`,
    orderNo: notice.orderNo,
    orderType: notice.orderType,
    state,
    iccid: identifier('iccid', notice.iccid),
    productName: notice.productName,
    productPriceYuan: notice.productPrice,
    externalId: notice.externalId || null,
    result: notice.result,
    completeTimeCst: notice.completeTime,
    raw: body as Record<string, unknown>,
  };
}

/** Parses either kind, telling them apart by shape (`type` for SMS, `orderNo` for orders). */
export function parseQuectelNotice(body: unknown): QuectelNotice {
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return 'orderNo' in record ? parseQuectelOrderNotice(body) : parseQuectelSmsNotice(body);
}

/** The exact answer for a notice kind once it is safely recorded. */
export function quectelNoticeAnswer(kind: QuectelNotice['kind']): Response {
  return kind === 'order'
    ? Response.json(QUECTEL_ORDER_NOTICE_ANSWER)
    : new Response(QUECTEL_SMS_NOTICE_ANSWER, { headers: { 'content-type': 'text/plain' } });
}

export interface QuectelNoticeAppOptions {
  /** Records the notice (idempotently, by `dedupeKey`); a rejection makes the supplier retry. */
  onNotice: (notice: QuectelNotice) => Promise<void>;
  /** When set, every callback must carry `?token=` with this value. */
  token?: string;
}

/**
 * A Hono sub-app receiving Quectel callbacks: POST `/sms`, `/orders`, or `/` (either kind, told
 * apart by shape). Mount it under the account's callback path.
 */
export function createQuectelNoticeApp(options: QuectelNoticeAppOptions): Hono {
  const app = new Hono();
  const expected = options.token ? Buffer.from(options.token) : null;
  const receive =
    (parse: (body: unknown) => QuectelNotice) => async (context: import('hono').Context) => {
      if (expected) {
        const given = Buffer.from(context.req.query('token') ?? '');
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          return context.text('forbidden', 403);
        }
      }
      let notice: QuectelNotice;
      try {
        notice = parse(await context.req.json());
      } catch (error) {
        return context.text(`invalid notice: ${(error as Error).message}`, 400);
      }
      try {
        await options.onNotice(notice);
      } catch {
        return context.text('not recorded', 500);
      }
      return quectelNoticeAnswer(notice.kind);
    };
  app.post('/sms', receive(parseQuectelSmsNotice));
  app.post('/orders', receive(parseQuectelOrderNotice));
  app.post('/', receive(parseQuectelNotice));
  return app;
}
