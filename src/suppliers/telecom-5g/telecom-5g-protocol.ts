import { createHash } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { type CardStatus, statusMapper } from '../../domain/index.js';
import { SupplierError, supplierCodeTable } from '../spec/index.js';

/**
 * China Telecom's 5G CMP unified API gateway, as described in cn-carriers-notes.md, section
 * "China Telecom — 5G CMP unified API gateway". The manual is not public: what the notes mark
 * **guess** (and what they do not say at all) is marked `guess:` here, and paths and batch sizes
 * are account settings.
 */

export const TELECOM_5G_SUPPLIER = 'telecom-5g';
export const TELECOM_5G_DEFAULT_BASE_URL = 'https://cmp-api.ctwing.cn:20164';

/**
 * One path per operation (prefixes vary: keep each overridable). Seen in the notes' sources
 * unless marked; `{access_number}` is replaced by the card's number.
 */
export const TELECOM_5G_DEFAULT_PATHS = {
  /** BQ018, ≤ 100 numbers, needs custNumber. */
  batchQrySimInfo: '/api/v1/prod/batchQrySimInfo',
  /** BQ020. */
  batchQrySimStatus: '/api/v1/prod/batchQrySimStatus',
  /** UQ013. */
  batchQryFlowByDate: '/api/v1/batchQry/batchQryFlowByDate',
  batchQryFlowByMonth: '/api/v1/batchQry/batchQryFlowByMonth',
  /** LC002 停机/复机. */
  disabledNumberService: '/5gcmp/openapi/v1/common/disabledNumberService',
  /** 强制激活 (seen ×1 by name); guess: its path, beside disabledNumberService. */
  requestServActive: '/5gcmp/openapi/v1/common/requestServActive',
  /** BA005 达量断网; guess: its path, beside disabledNumberService. */
  offNetAction: '/5gcmp/openapi/v1/common/offNetAction',
  /** LC005 status history (the path's spelling is as seen). */
  cradStatus: '/openapi/v1/prodinst/cradStatus',
  /** RD001. */
  diagnosis: '/api/v1/openRisk/{access_number}/diagnosis',
} as const;

export type Telecom5gOperation = keyof typeof TELECOM_5G_DEFAULT_PATHS;

/** BQ018: "文档：一次最多 100 张". guess: the other batch operations take 100 too. */
export const TELECOM_5G_BATCH_LIMIT = 100;

/** disabledNumberService orderTypeId, as the 4G CMP's disabledNumber (guess: same codes). */
export const TELECOM_5G_ORDER_TYPES = { pause: '19', resume: '20' } as const;

/** Resuming a card that is 待激活 answers this; it needs requestServActive (seen ×1). */
export const TELECOM_5G_NEEDS_ACTIVATION = '100008';

/** `offNetAction`: action 1 add, 2 modify, 3 cancel; type 1 total, 2 beyond the package. */
export const TELECOM_5G_OFF_NET_ACTIONS = { add: '1', modify: '2', cancel: '3' } as const;

/** productMainStatusCd (seen ×2): 1 可激活 … 6 运营商管理; 7 拆机 (seen ×1). */
export const TELECOM_5G_STATUS: Record<string, CardStatus> = {
  '1': 'inventory',
  '2': 'test',
  '3': 'inventory',
  '4': 'active',
  '5': 'suspended',
  // guess: a carrier-held stop.
  '6': 'suspended',
  '7': 'deactivated',
};
export const telecom5gStatus = statusMapper(TELECOM_5G_STATUS);

/** `yyyyMMddHHmmss` in GMT (seen ×2; one client sends local time, see the simulator). */
export function telecom5gTimestamp(instant: number): string {
  return new Date(instant).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/** `k=v` pairs sorted by key, joined with `&`; empty for none. */
export function telecom5gSortedQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((key) => `${key}=${query[key]}`)
    .join('&');
}

/**
 * `Sign` = uppercase(hex(ascii(lowercase-hex(MD5(sortedQuery + rawBody + secretKey +
 * Timestamp))))): the 32-character MD5 hex is hex-encoded once more (64 characters).
 */
export function telecom5gSign(input: {
  query: Record<string, string>;
  body: string;
  secretKey: string;
  timestamp: string;
}): string {
  const md5 = createHash('md5')
    .update(
      telecom5gSortedQuery(input.query) + input.body + input.secretKey + input.timestamp,
      'utf8',
    )
    .digest('hex');
  return Buffer.from(md5, 'ascii').toString('hex').toUpperCase();
}

/**
 * Result codes. `100008` is seen; guess: the others (the gateway's own refusals), with the
 * messages simdock's simulator answers. Success is `0` or `0000`.
 */
const CODE_TABLE = supplierCodeTable('telecom-5g', {
  // guess: unknown AppKey.
  '1001': { code: 'supplier_auth_failed', retryable: false },
  // guess: Sign does not match.
  '1002': { code: 'supplier_auth_failed', retryable: false },
  // guess: Timestamp outside the accepted window (a clock to fix, not a retry).
  '1003': { code: 'supplier_auth_failed', retryable: false },
  // guess: too many calls.
  '1004': { code: 'supplier_throttled', retryable: true },
  // guess: parameter errors, batch too large.
  '1005': { code: 'invalid_argument', retryable: false },
  // guess: the number is not this customer's.
  '2001': { code: 'supplier_card_unknown', retryable: false },
  // guess: the card's state does not allow the change.
  '2002': { code: 'conflict', retryable: false },
  // guess: an off-net cap exists (add) or does not (modify, cancel).
  '2003': { code: 'conflict', retryable: false },
  // guess: a system error on one card.
  '2999': { code: 'supplier_rejected', retryable: true },
  // seen ×1: 待激活, needs forced activation.
  [TELECOM_5G_NEEDS_ACTIVATION]: { code: 'conflict', retryable: false },
});

export const TELECOM_5G_SUCCESS = new Set(['0', '0000']);

export function telecom5gError(code: string, message: string | null, accountId?: string) {
  return CODE_TABLE(code, message, accountId);
}

/** An answer: JSON (`/api/v1`, `/openapi/v1`) or XML (`SvcCont`, the `/5gcmp` changes). */
export interface Telecom5gAnswer {
  body: Record<string, unknown>;
  code: string | null;
  message: string | null;
}

const xmlParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true });

/** Parses a JSON or XML answer; a broken body is a retryable `supplier_bad_response`. */
export function parseTelecom5gAnswer(raw: string, httpStatus = 200): Telecom5gAnswer {
  const text = raw.trim();
  const bad = (why: string, cause?: unknown) =>
    new SupplierError(
      'supplier_bad_response',
      `telecom-5g answered ${why} (HTTP ${httpStatus}): ${text.slice(0, 120)}`,
      { cause, httpStatus, retryable: true },
    );
  let body: Record<string, unknown>;
  if (text.startsWith('<')) {
    if (XMLValidator.validate(text) !== true) throw bad('malformed XML');
    const parsed = xmlParser.parse(text) as Record<string, unknown>;
    const root = parsed.SvcCont;
    body = (root && typeof root === 'object' ? root : parsed) as Record<string, unknown>;
    const response = (body.Response ?? {}) as Record<string, unknown>;
    return {
      body,
      code: scalar(response.RspCode ?? body.RspCode),
      message: scalar(response.RspDesc ?? body.RspDesc),
    };
  }
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw bad('malformed JSON', error);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw bad('JSON that is not an object');
  }
  // `/api/v1`: {code, msg, data} (seen ×2); `/openapi/v1`: {result, resultMsg} (seen ×1);
  // guess: {resultCode, resultMsg} too.
  return {
    body,
    code: scalar(body.code ?? body.resultCode ?? body.result),
    message: scalar(body.msg ?? body.resultMsg ?? body.message),
  };
}

export function assertTelecom5gOk(answer: Telecom5gAnswer, accountId?: string): void {
  if (answer.code === null) {
    throw new SupplierError('supplier_bad_response', 'telecom-5g answered without a result code', {
      retryable: true,
    });
  }
  if (TELECOM_5G_SUCCESS.has(answer.code)) return;
  throw telecom5gError(answer.code, answer.message, accountId);
}

export function scalar(value: unknown): string | null {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
