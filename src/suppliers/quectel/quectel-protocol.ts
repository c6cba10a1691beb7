import { createHash } from 'node:crypto';
import type { Clock } from '../../domain/index.js';
import { type FetchFunction, SupplierError, supplierCodeTable } from '../spec/index.js';

/**
 * The Quectel connectivity wire protocol (quectel-connectivity-api-v3.15.md, chapter 1): one
 * router URL, form POST, `method=fc.function.*`, `t` in Unix seconds and an upper-case SHA1
 * signature over the signed parameters.
 */

/** The router every method is posted to (quectel-connectivity-api-v3.15.md §1.2). */
export const QUECTEL_ROUTER_URL = 'https://api.quectel.com/openapi/router';

/**
 * Parameters that are sent but not signed: `sign` itself, `alarmParam` (§2.3.7 "不进行验签") and
 * `alarmStatus`/`pauseStatus` (§2.3.8 "不进行验签").
 */
export const QUECTEL_UNSIGNED_PARAMS: ReadonlySet<string> = new Set([
  'sign',
  'alarmParam',
  'alarmStatus',
  'pauseStatus',
]);

/** Most numbers one call accepts (batch info §2.1.6, batch month flow §2.1.10, alarm §2.3.7). */
export const QUECTEL_MAX_NUMBERS = 1000;
/** Largest page size of every paged list (§2.1.4, §2.1.7, §2.1.11, §2.3.4). */
export const QUECTEL_MAX_PAGE_SIZE = 1000;
/** The request time may differ from the server's by at most five minutes (§1.4). */
export const QUECTEL_TIME_TOLERANCE_SECONDS = 300;

/** A parameter value before encoding; null, undefined and '' are not sent (§1.7 (2)). */
export type QuectelParamValue = string | number | boolean | null | undefined;

/** The parameters actually sent: empty values dropped, everything as text. */
export function quectelParams(params: Record<string, QuectelParamValue>): Record<string, string> {
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined) continue;
    const text = String(value);
    if (text === '') continue;
    sent[name] = text;
  }
  return sent;
}

/** Names sorted by their UTF-8 bytes (§1.6.1 (1): ascending by parameter name). */
function byteOrder(names: string[]): string[] {
  return names.sort((left, right) => Buffer.compare(Buffer.from(left), Buffer.from(right)));
}

/** The string that is hashed: secret + Σ name+value over the signed params + secret (§1.6.1). */
export function quectelSigningString(params: Record<string, string>, secret: string): string {
  const names = byteOrder(Object.keys(params).filter((name) => !QUECTEL_UNSIGNED_PARAMS.has(name)));
  return `${secret}${names.map((name) => `${name}${params[name]}`).join('')}${secret}`;
}

/** UPPER hex SHA1 of the signing string (§1.6.1 (3)–(4), §1.6.3 `HEX_WORD`). */
export function quectelSign(params: Record<string, string>, secret: string): string {
  return createHash('sha1')
    .update(quectelSigningString(params, secret), 'utf8')
    .digest('hex')
    .toUpperCase();
}

/** `t`: Unix seconds (§1.4). */
export function quectelTimestamp(now: number): number {
  return Math.floor(now / 1000);
}

export interface QuectelSigningOptions {
  appKey: string;
  secret: string;
  clock: Clock;
}

/**
 * A fetch decorator that completes a form body with `appKey`, `t` and `sign`, and sends it as
 * `application/x-www-form-urlencoded` (JSON is not accepted, §1.7 (1)).
 */
export function withQuectelSigning(
  fetchFunction: FetchFunction,
  options: QuectelSigningOptions,
): FetchFunction {
  return (input, init) => {
    const body = new URLSearchParams(init?.body as URLSearchParams | string | undefined);
    const params: Record<string, string> = {};
    for (const [name, value] of body) params[name] = value;
    params.appKey = options.appKey;
    params.t = String(quectelTimestamp(options.clock.now()));
    delete params.sign;
    const signed = quectelParams(params);
    signed.sign = quectelSign(signed, options.secret);
    const headers = new Headers(init?.headers);
    headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    return fetchFunction(input, {
      ...init,
      method: 'POST',
      headers,
      body: new URLSearchParams(signed).toString(),
    });
  };
}

/**
 * Result codes. The document publishes only 0 (success) and 70031 (unauthorized, §1.7 (3)); its
 * failure examples all use 1 with a message (§2.2.3, §2.2.5 "签名错误").
 */
const codeTable = supplierCodeTable('quectel', {
  '70031': { code: 'supplier_auth_failed', retryable: false, message: 'unauthorized' },
});

/**
 * Message fragments that refine the generic result code 1. Success is decided by `resultCode`
 * alone (§1.7 (6)); the message only picks the error category, and unknown messages stay
 * `supplier_rejected`. Only "签名错误" is the document's own (§2.2.5); the others are guesses.
 */
const MESSAGE_HINTS: { fragment: string; code: SupplierError['code']; retryable?: boolean }[] = [
  { fragment: '签名', code: 'supplier_auth_failed', retryable: false },
  { fragment: 'appKey', code: 'supplier_auth_failed', retryable: false },
  { fragment: '时间戳', code: 'supplier_auth_failed', retryable: false },
  { fragment: '余额不足', code: 'supplier_balance_exhausted', retryable: false },
  { fragment: '频繁', code: 'supplier_throttled', retryable: true },
  { fragment: '卡号不存在', code: 'supplier_card_unknown', retryable: false },
  { fragment: '不属于', code: 'supplier_card_unknown', retryable: false },
];

/** The typed error for a non-zero `resultCode`, the code and message kept verbatim. */
export function quectelError(
  resultCode: number | string,
  errorMessage: string | null,
  accountId?: string,
): SupplierError {
  const code = String(resultCode);
  const error = codeTable(code, errorMessage, accountId);
  if (error.code !== 'supplier_rejected' || !errorMessage) return error;
  const hint = MESSAGE_HINTS.find((candidate) => errorMessage.includes(candidate.fragment));
  if (!hint) return error;
  return new SupplierError(hint.code, error.message, {
    supplierCode: code,
    supplierMessage: errorMessage,
    accountId,
    retryable: hint.retryable,
  });
}

/** Every non-obsolete method of the document (chapter 2; chapter 3 lists the obsolete ones). */
export const QUECTEL_METHODS = {
  billingGroupList: 'fc.function.billing_group.list',
  billingGroupStatistics: 'fc.function.billing_group.statistics',
  billingGroupsStatistics: 'fc.function.billing_groups.statistics',
  cardList: 'fc.function.card.list',
  cardInfo: 'fc.function.card.info',
  cardsInfo: 'fc.function.cards.info',
  monthflowList: 'fc.function.monthflow.list',
  dayflowList: 'fc.function.dayflow.list',
  cardMonthflow: 'fc.function.card.monthflow',
  cardsMonthflow: 'fc.function.cards.monthflow',
  voiceMonthflowList: 'fc.function.voice.monthflow.list',
  voiceDayflowList: 'fc.function.voice.dayflow.list',
  cardAlarmGet: 'fc.function.card.alarm.get',
  cardFlowpackages: 'fc.function.card.flowpackages',
  yearmonthDetail: 'fc.function.yearmonth.detail',
  cardRealNameStatusQuery: 'fc.function.card.realNameStatusQuery',
  accountInfo: 'fc.function.account.info',
  fileCardGet: 'fc.function.file.card.get',
  fileStatus: 'fc.function.file.status',
  fileDown: 'fc.function.file.down',
  fileLastDown: 'fc.function.file.last.down',
  fileList: 'fc.function.file.list',
  cardRealtimeStatus: 'fc.function.card.realtimestatus',
  cardLocation: 'fc.function.card.location',
  smsSend: 'fc.function.sms.send',
  smsSendlog: 'fc.function.sms.sendlog',
  smsMonthcount: 'fc.function.sms.monthcount',
  cardAlarm: 'fc.function.card.alarm',
  cardAlarmStatus: 'fc.function.card.alarm.status',
  cardRealName: 'fc.function.card.realName',
  cardOvertest: 'fc.function.card.overtest',
  cardSilenceactive: 'fc.function.card.silenceactive',
  cardPause: 'fc.function.card.pause',
  cardResume: 'fc.function.card.resume',
  cardImeiUnbind: 'fc.function.card.imeiUnbind',
  cardGprsClose: 'fc.function.card.gprs.close',
  cardGprsOpen: 'fc.function.card.gprs.open',
  cardReset: 'fc.function.card.reset',
  cardVoiceClose: 'fc.function.card.voice.close',
  cardVoiceOpen: 'fc.function.card.voice.open',
  cardVoiceAddwhitelist: 'fc.function.card.voice.addwhitelist',
  cardVoiceDelwhitelist: 'fc.function.card.voice.delwhitelist',
  companyFlowpackage: 'fc.function.company.flowpackage',
  cardSetmealProduct: 'fc.function.card.setmeal.product',
  cardRecharge: 'fc.function.card.recharge',
  cardRenewal: 'fc.function.card.renewal',
  orderDetails: 'fc.function.order.details',
  walletDetails: 'fc.function.wallet.details',
} as const;

export type QuectelMethodName = keyof typeof QUECTEL_METHODS;
