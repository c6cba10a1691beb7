import { randomInt } from 'node:crypto';
import {
  type CardStatus,
  compactDate,
  cstTimestamp,
  type ErrorCode,
  statusMapper,
} from '../../domain/index.js';
import { isRecord, SupplierError, supplierCodeTable } from '../spec/index.js';

/**
 * OneLink v5 wire protocol: paths, `transid`, the envelope, error codes and status codes.
 * Source: shared/suppliers/PROTOCOL-NOTES.md, "China Mobile OneLink — v5" (and the v2
 * documents onelink-v2-api2010-batchgprsusedbydate.txt / onelink-v2-api2111-batchquerycardinfo.txt
 * for the envelope, which v5 keeps).
 */

/** The default API root; every path below is relative to it. */
export const ONELINK_V5_DEFAULT_BASE_URL = 'https://api.iot.10086.cn/v5/ec';

/** Every endpoint simdock uses, relative to the API root (`…/v5/ec/`). One table, one place. */
export const ONELINK_V5_PATHS = {
  token: 'get/token',
  simBasicInfo: 'query/sim-basic-info',
  simStatus: 'query/sim-status',
  simCardInfoBatch: 'query/sim-card-info/batch',
  simDataUsage: 'query/sim-data-usage',
  simDataUsageDailyBatch: 'query/sim-data-usage-daily/batch',
  simDataUsageMonthlyBatch: 'query/sim-data-usage-monthly/batch',
  changeSimStatus: 'change/sim-status',
  changeSimStatusBatch: 'change/sim-status/batch',
  simBatchResult: 'query/sim-batch-result',
  simImei: 'query/sim-imei',
  onOffStatus: 'query/on-off-status',
  simSession: 'query/sim-session',
  simChangeHistory: 'query/sim-change-history',
  simMtSmsBatch: 'query/sim-mt-sms/batch',
  simMoSmsBatch: 'query/sim-mo-sms/batch',
  lastPositionLocation: 'query/last-position-location',
} as const;

export type OnelinkV5Endpoint = keyof typeof ONELINK_V5_PATHS;

/** Cards per call on the batch endpoints (PROTOCOL-NOTES.md, OneLink v5: 100 and 20). */
export const ONELINK_V5_BATCH_LIMITS = {
  simCardInfoBatch: 100,
  simDataUsageDailyBatch: 100,
  simDataUsageMonthlyBatch: 100,
  changeSimStatusBatch: 100,
  simMtSmsBatch: 20,
  simMoSmsBatch: 20,
  lastPositionLocation: 20,
} as const;

/** Daily usage: one day in the last 7, up to yesterday. Monthly: the last 6 months. */
export const ONELINK_V5_DAILY_WINDOW_DAYS = 7;
export const ONELINK_V5_MONTHLY_WINDOW_MONTHS = 6;

/** The default per-card lock after a status change ("locked for minutes afterwards"). */
export const ONELINK_V5_DEFAULT_COOLDOWN_MINUTES = 3;

/** The identifier kinds v5 accepts: one of `msisdn|iccid|imsi`, or the plural for batches. */
export type OnelinkV5IdKind = 'msisdn' | 'iccid' | 'imsi';

/** One card as the wire names it. */
export interface OnelinkV5CardId {
  kind: OnelinkV5IdKind;
  value: string;
}

/** Several cards of one kind, for a batch endpoint (sent joined with `_`). */
export interface OnelinkV5CardIds {
  kind: OnelinkV5IdKind;
  values: readonly string[];
}

/** The single and the batch parameter for a card identifier. */
export function singleParam(card: OnelinkV5CardId): Record<string, string> {
  return { [card.kind]: card.value };
}

export function batchParam(cards: OnelinkV5CardIds): Record<string, string> {
  return { [`${cards.kind}s`]: cards.values.join('_') };
}

/** Starts at a random point so processes sharing one appid do not repeat each other's transids. */
let sequence = randomInt(99_999_999);

/**
 * `transid = appid + yyyyMMddHHmmss (CST) + 8-digit sequence`, as in v2 (PROTOCOL-NOTES.md,
 * OneLink v2: a per-process monotonic counter, because random digits collide).
 */
export function nextTransid(appid: string, now: number): string {
  sequence = (sequence % 99_999_999) + 1;
  return `${appid}${cstTimestamp(now)}${String(sequence).padStart(8, '0')}`;
}

/** `queryDate` for daily endpoints: `yyyyMMdd`. */
export function wireDate(date: string): string {
  return compactDate(date);
}

/** `queryDate` for monthly endpoints: `yyyyMM`. */
export function wireMonth(month: string): string {
  return month.replace('-', '');
}

/**
 * Parses a supplier time in CST: `yyyyMMddHHmmss`, `yyyyMMdd`, `yyyy-MM-dd HH:mm:ss` or
 * `yyyy-MM-dd`. Returns epoch ms, or null when the text is none of these.
 */
export function parseCstTime(text: unknown): number | null {
  if (typeof text !== 'string' && typeof text !== 'number') return null;
  const digits = String(text).replace(/[-/: T]/g, '');
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?$/.exec(digits);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
  const instant = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) - 8 * 3_600_000;
  return Number.isNaN(instant) ? null : instant;
}

/** Card status codes of `query/sim-status` (PROTOCOL-NOTES.md, OneLink v5, `cardStatus`). */
export const ONELINK_V5_STATUS_CODES: Record<string, CardStatus> = {
  '00': 'active', // 正常
  '01': 'suspended', // 单向停机
  '02': 'suspended', // 停机
  '03': 'pre_deactivated', // 预销号
  '04': 'deactivated', // 销号
  '05': 'unknown', // 过户: the card changed owner; simdock no longer knows its state
  '06': 'inventory', // 休眠
  '07': 'inventory', // 待激活
  '99': 'unknown', // 号码不存在
  // Accounts opened on the OneLink-CT platform answer single digits (seen in public clients;
  // not in PROTOCOL-NOTES.md): 1 待激活, 2 已激活, 4 停机, 6 可测试, 7 库存, 8 预销户, 9 已销户.
  '1': 'inventory',
  '2': 'active',
  '4': 'suspended',
  '6': 'test',
  '7': 'inventory',
  '8': 'pre_deactivated',
  '9': 'deactivated',
};

/** Maps a raw `cardStatus` to the normalized enum, keeping the raw value. */
export const mapOnelinkV5Status = statusMapper(ONELINK_V5_STATUS_CODES);

/** `operType` of `change/sim-status` (PROTOCOL-NOTES.md, OneLink v5). */
export const ONELINK_V5_SINGLE_OPER_TYPES = {
  pause: '0', // 停机
  resume: '1', // 复机
  activateFromStock: '2', // 库存→已激活
  activate: '6', // 待激活→已激活
} as const;

/**
 * `operType` of `change/sim-status/batch`. PROTOCOL-NOTES.md names the endpoint but not its
 * codes; these are the ones public clients send (9 已激活→已停机, 11 已停机→已激活,
 * 5 库存→已激活, 7 待激活→已激活), with `reason` `01` (主动停复机) for 9 and 11. **guess**:
 * an account overrides them with the `batchOperTypes` setting.
 */
export const ONELINK_V5_BATCH_OPER_TYPES = {
  pause: '9',
  resume: '11',
  activateFromStock: '5',
  activate: '7',
} as const;

export type OnelinkV5BatchOperTypes = Record<keyof typeof ONELINK_V5_BATCH_OPER_TYPES, string>;

/** The `reason` sent with a batch pause or resume: 01 主动停复机. */
export const ONELINK_V5_SELF_SERVICE_REASON = '01';

/** `jobStatus` of `query/sim-batch-result`: 0 待处理, 1 处理中, 2 完成, 3 部分失败, 4 失败. */
export const ONELINK_V5_JOB_SETTLED = new Set(['2', '3', '4']);

/** The token-expired status: fetch a new token once and retry (PROTOCOL-NOTES.md). */
export const ONELINK_V5_TOKEN_EXPIRED = '12021';

const codes: Record<string, { code: ErrorCode; retryable?: boolean; message?: string }> = {
  // PROTOCOL-NOTES.md, OneLink v5 (reseller copy, **guess**).
  '11000': { code: 'invalid_argument', retryable: false, message: '参数错误' },
  '12004': { code: 'supplier_auth_failed', retryable: false, message: '鉴权失败' },
  '12009': { code: 'supplier_card_unknown', retryable: false, message: '卡号不属于此用户' },
  '12010': { code: 'supplier_card_unknown', retryable: false, message: '卡号不存在' },
  // Reached only when a freshly fetched token is refused too.
  '12021': { code: 'supplier_auth_failed', retryable: false, message: 'TOKEN不存在或已过期' },
  '12022': { code: 'supplier_auth_failed', retryable: false, message: 'appid或password错误' },
  '12089': { code: 'conflict', retryable: false, message: '卡状态不允许操作' },
  '12098': { code: 'supplier_rejected', retryable: false, message: '停机原因不允许自主复机' },
  '12100': { code: 'supplier_balance_exhausted', retryable: false, message: '套餐用量已达量' },
  // The v2 codes the same envelope carries (PROTOCOL-NOTES.md, OneLink v2).
  '1': { code: 'supplier_unavailable', retryable: true, message: '数据库错误' },
  '12': {
    code: 'supplier_card_unknown',
    retryable: false,
    message: 'MSISDN号不是所查询的集团下的用户',
  },
  '25': {
    code: 'supplier_card_unknown',
    retryable: false,
    message: 'ICCID号不是所查询的集团下的用户',
  },
  '71': { code: 'supplier_throttled', retryable: true, message: '已超出API最大流控限制' },
  '72': { code: 'supplier_throttled', retryable: true, message: '已超出订购关系最大流控限制' },
  '99': { code: 'supplier_unavailable', retryable: true, message: '系统错误' },
  '101': { code: 'supplier_unavailable', retryable: true, message: '通信失败' },
  '102': { code: 'supplier_unavailable', retryable: true, message: '通信失败' },
};

/** Turns a non-zero `status` into a typed error, the raw code and message kept. */
export const onelinkV5Error = supplierCodeTable('onelink-v5', codes);

/** The envelope every v5 answer shares: `{status, message, result}`, `status` a string. */
export interface OnelinkV5Envelope {
  status: string;
  message: string | null;
  result: Record<string, unknown>[];
}

/** Checks the envelope shape; anything else is a bad response. */
export function parseEnvelope(body: unknown): OnelinkV5Envelope {
  if (typeof body !== 'object' || body === null || !('status' in body)) {
    throw new SupplierError('supplier_bad_response', 'onelink-v5 answered without a status', {
      details: { body },
    });
  }
  const record = body as Record<string, unknown>;
  const result = Array.isArray(record.result)
    ? record.result.filter((item): item is Record<string, unknown> => isRecord(item))
    : [];
  return {
    status: String(record.status).trim(),
    message: typeof record.message === 'string' ? record.message : null,
    result,
  };
}

/**
 * Reads a field whatever its case: key case differs between OneLink endpoints (`GPRS`, `MSISDN`
 * vs `iccid`; PROTOCOL-NOTES.md, OneLink v2), and v5 keeps the envelope.
 */
export function field(item: Record<string, unknown>, name: string): unknown {
  if (name in item) return item[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(item)) if (key.toLowerCase() === lower) return item[key];
  return undefined;
}

/** A field as trimmed text; null when absent or empty. */
export function text(item: Record<string, unknown>, name: string): string | null {
  const value = field(item, name);
  if (value === null || value === undefined) return null;
  const result = String(value).trim();
  return result === '' ? null : result;
}

/** A field that holds a list of records (absent → empty). */
export function list(item: Record<string, unknown>, name: string): Record<string, unknown>[] {
  const value = field(item, name);
  return Array.isArray(value) ? value.filter(isRecord) : [];
}
