import { timingSafeEqual } from 'node:crypto';
import {
  parseCstDateTime,
  type SupplierNotice,
  type SupplierNoticeHandler,
} from '../spec/index.js';
import { createQuectelNoticeApp, type QuectelNotice } from './quectel-notices.js';

/** The Quectel setting holding the token callbacks must carry. */
export const QUECTEL_CALLBACK_TOKEN_SETTING = 'callbackToken';

/** A Quectel callback (quectel-connectivity-api-v3.15.md §2.3.6, §2.5.6) in neutral terms. */
export function quectelSupplierNotice(notice: QuectelNotice): SupplierNotice {
  const common = { kind: `quectel:${notice.kind}`, dedupeKey: notice.dedupeKey, payload: notice };
  if (notice.kind === 'sms-inbox') {
    return {
      ...common,
      inboundTexts: [
        {
          messageId: notice.messageId,
          iccid: notice.iccid,
          msisdn: notice.msisdn,
          text: notice.text,
          receivedAt: parseCstDateTime(notice.receivedAtCst),
        },
      ],
    };
  }
  if (notice.kind === 'sms-report') {
    return {
      ...common,
      deliveryReports: [
        {
          dedupeKey: notice.dedupeKey,
          messageId: notice.messageId,
          iccid: notice.iccid,
          msisdn: notice.msisdn,
          delivered: notice.delivered,
          supplierCode: notice.status,
          at: null,
        },
      ],
    };
  }
  // Order results are kept as notices: the orders service reads them by order number.
  return common;
}

/**
 * `POST /callbacks/<accountId>/quectel`, `/quectel/sms` or `/quectel/orders`: Quectel's SMS
 * report/inbox and order-result callbacks, answered `success` and `{"code":200,"msg":""}`.
 * Quectel signs no callback: the URL is registered with `?token=<callbackToken>`, an account
 * setting; a callback without it is refused (403) and recorded as rejected.
 */
export const quectelNoticeHandler: SupplierNoticeHandler = {
  path: 'quectel',
  subpaths: true,
  async handle(request) {
    const value = request.settings[QUECTEL_CALLBACK_TOKEN_SETTING];
    const token = typeof value === 'string' && value !== '' ? value : null;
    const given = request.query.token ?? '';
    if (!token || !sameText(given, token)) {
      await request.onRejected({
        reason: token ? 'bad_token' : 'no_token_configured',
        message: token
          ? 'the callback token does not match'
          : `set ${QUECTEL_CALLBACK_TOKEN_SETTING} on the account to accept callbacks`,
        body: request.body,
      });
      return new Response('forbidden', {
        status: 403,
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
      });
    }
    const app = createQuectelNoticeApp({
      token,
      onNotice: (notice) => request.onNotice(quectelSupplierNotice(notice)),
    });
    const rest = request.subpath ? `/${encodeURIComponent(request.subpath)}` : '/';
    const response = await app.request(`${rest}?token=${encodeURIComponent(given)}`, {
      method: 'POST',
      headers: { 'content-type': request.contentType },
      body: request.body,
    });
    if (response.status === 400) {
      const message = await response.clone().text();
      await request.onRejected({ reason: 'malformed', message, body: request.body });
    }
    return response;
  },
};

function sameText(left: string, right: string): boolean {
  const a = Buffer.from(left);
  const b = Buffer.from(right);
  return a.length === b.length && timingSafeEqual(a, b);
}
