import { createHash } from 'node:crypto';
import { cstTimestamp } from '../../domain/index.js';
import { supplierCodeTable } from '../spec/index.js';

/**
 * The M2M card platform's wire protocol (m2m10086-api-v3.txt): POST JSON to `<Name>.ashx`,
 * `partnercode`, `servicecode`, `requesttime` and `sign` in every body, answers
 * `{status, message, result}` with `status "0000"` on success.
 */

/** The supplier type in configuration. */
export const M2M_SUPPLIER = 'm2m10086';

/** The documented server (m2m10086-api-v3.txt §1.1). */
export const M2M_DEFAULT_BASE_URL = 'http://api.m2m10086.com:89';

/** Every endpoint of the document, by the name simdock gives it. */
export const M2M_ENDPOINTS = [
  'searchInfo',
  'searchTermInfo',
  'smsSend',
  'smsSendFmt',
  'smsSendResult',
  'smsReceive',
  'searchMonthFlow',
  'surplusFlow',
  'macState',
  'macStateResult',
  'location',
  'lbsInfo',
] as const;

export type M2mEndpoint = (typeof M2M_ENDPOINTS)[number];

/**
 * The path of each endpoint. Configuration may override any entry: m2m10086-api-v3.txt gives
 * the same address (`/M2MHistorySend.ashx`) for the send result (§2.5) and the received SMS
 * (§2.6), which is likely a copy error in the document, so both entries stay separate here.
 */
export const M2M_DEFAULT_PATHS: Readonly<Record<M2mEndpoint, string>> = {
  searchInfo: '/M2MSearchInfo.ashx',
  searchTermInfo: '/M2MSearchTermInfo.ashx',
  smsSend: '/M2MSmsSend.ashx',
  smsSendFmt: '/M2MSmsSendFmt.ashx',
  smsSendResult: '/M2MHistorySend.ashx',
  smsReceive: '/M2MHistorySend.ashx',
  searchMonthFlow: '/M2MSearchMonthFlow.ashx',
  surplusFlow: '/M2MSurplusFlow.ashx',
  macState: '/M2MMacState.ashx',
  macStateResult: '/M2MMacStateResult.ashx',
  location: '/M2Mlocation.ashx',
  lbsInfo: '/M2MLbsInfo.ashx',
};

/**
 * The business fields each endpoint signs, in the order the document's `sign` row lists them
 * (after `password + requesttime`). They are also the fields the body carries.
 */
export const M2M_SIGNED_FIELDS: Readonly<Record<M2mEndpoint, readonly string[]>> = {
  searchInfo: ['key'],
  searchTermInfo: ['key', 'status'],
  smsSend: ['sendkey', 'mobiletype', 'mobile', 'content'],
  smsSendFmt: ['sendkey', 'fmt', 'mobile', 'content'],
  smsSendResult: ['sendkey'],
  smsReceive: ['num'],
  searchMonthFlow: ['key', 'month'],
  surplusFlow: ['key'],
  macState: ['cardcode'],
  macStateResult: ['cardcode'],
  location: ['key'],
  lbsInfo: ['mcc', 'mnc', 'lac', 'cellid'],
};

/** Lower hex MD5 of the whole input lower-cased (m2m10086-api-v3.txt §1.4). */
export function m2mSign(parts: readonly (string | number)[]): string {
  return createHash('md5').update(parts.join('').toLowerCase(), 'utf8').digest('hex');
}

let sequence = Math.floor(Math.random() * 50_000_000);

/**
 * `requesttime`: CST `yyyyMMddHHmmss` and an 8-digit sequence (§1.4). The sequence is a
 * per-process counter, so two calls in the same second never share a requesttime.
 */
export function m2mRequestTime(now: number): string {
  sequence = (sequence + 1) % 100_000_000;
  return cstTimestamp(now) + String(sequence).padStart(8, '0');
}

const SENDKEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh `sendkey`: 16 letters and digits (§2.3.1), from a cryptographic source. */
export function generateSendkey(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = random(16);
  let key = '';
  for (const byte of bytes) key += SENDKEY_ALPHABET[byte % SENDKEY_ALPHABET.length];
  return key;
}

function randomBytes(size: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(size));
}

/** Whether a caller's sendkey fits the field table (§2.3.1: 16 letters/digits). */
export function isValidSendkey(sendkey: string): boolean {
  return /^[0-9A-Za-z]{16}$/.test(sendkey);
}

/**
 * SMS content as sent: URL-encoded UTF-8 (§2.3.1 "请使用 url 编码进行编码"). The encoded form is
 * both signed and sent.
 */
export function encodeContent(text: string): string {
  return encodeURIComponent(text);
}

/**
 * Decodes URL-encoded content from the platform (§2.6.3, §3.1.2, decoded the way §4.2's
 * Java/.NET examples do, so `+` is a space). Returns null when the text is not valid encoding.
 */
export function decodeContent(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

/** The most characters an SMS may carry (§2.3.1, §2.4.1: content length 130). */
export const M2M_MAX_SMS_CHARACTERS = 130;

/** Received SMS per read: 10 to 50 (§2.6.1). */
export const M2M_RECEIVE_MIN = 10;
export const M2M_RECEIVE_MAX = 50;

/** The realtime selectors of M2MSearchTermInfo (§2.2.1), joined with `_`, at most 10 chars. */
export const M2M_REALTIME_SELECTORS = {
  flow: '1',
  cardStatus: '2',
  deviceStatus: '3',
  gprsStatus: '4',
  ip: '5',
  apn: '6',
  rat: '7',
} as const;

export type M2mRealtimeSelector = keyof typeof M2M_REALTIME_SELECTORS;

/** Success (§4.1). */
export const M2M_SUCCESS = '0000';
/** No matching records (§4.1): an empty answer rather than a failure for some endpoints. */
export const M2M_NO_RECORDS = '0019';

/** Response codes of §4.1 mapped to simdock errors. */
export const m2mError = supplierCodeTable(M2M_SUPPLIER, {
  '0001': { code: 'supplier_unavailable', retryable: true, message: '服务器内部错误' },
  '0002': { code: 'supplier_auth_failed', retryable: false, message: 'Ip 鉴权失败' },
  '0011': { code: 'supplier_auth_failed', retryable: false, message: '平台编码错误' },
  '0012': { code: 'supplier_auth_failed', retryable: false, message: '业务编码错误' },
  '0013': { code: 'supplier_auth_failed', retryable: false, message: '签名(sign)错误' },
  '0014': { code: 'supplier_card_unknown', retryable: false, message: '卡号不存在' },
  '0015': { code: 'invalid_argument', retryable: false, message: '参数错误' },
  '0016': { code: 'supplier_balance_exhausted', retryable: false, message: '帐户余额不足' },
  '0017': { code: 'supplier_rejected', retryable: false, message: '时间格式错误' },
  '0018': { code: 'invalid_argument', retryable: false, message: '查询时间超出限制范围' },
  '0019': { code: 'not_found', retryable: false, message: '无符合条件的记录' },
  '0021': { code: 'supplier_balance_exhausted', retryable: false, message: '短信条数不足' },
  '0022': { code: 'invalid_argument', retryable: false, message: '短信标识错误' },
  '0023': { code: 'invalid_argument', retryable: false, message: 'Fmt 格式错误' },
  '0024': { code: 'conflict', retryable: false, message: '短信标识重复' },
  '0025': { code: 'invalid_argument', retryable: false, message: '错误的手机号码' },
  '0030': { code: 'supplier_balance_exhausted', retryable: false, message: '可用定位次数为零' },
  '0031': { code: 'supplier_rejected', retryable: false, message: '定位失败' },
  '0032': { code: 'not_found', retryable: false, message: '无基站信息' },
});
