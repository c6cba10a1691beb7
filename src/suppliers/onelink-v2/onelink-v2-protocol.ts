import { createHash, randomInt } from 'node:crypto';
import {
  type Clock,
  compactDate,
  cstTimestamp,
  expandDate,
  isCstDate,
  lastCompleteDays,
  systemClock,
} from '../../domain/index.js';
import { SupplierError, supplierCodeTable } from '../spec/index.js';

/**
 * The OneLink v2 (CMIOT API v2) protocol: token, transid, limits and the error-code table.
 * Sources: onelink-v2-api2111-batchquerycardinfo.txt, onelink-v2-api2010-batchgprsusedbydate.txt
 * and PROTOCOL-NOTES.md (OneLink v2).
 */

/** The endpoints simdock speaks, by their wire names (the last path segment). */
export const ONELINK_V2_ENDPOINTS = ['batchquerycardinfo', 'batchgprsusedbydate'] as const;
/** A OneLink v2 endpoint name. */
export type OnelinkV2Endpoint = (typeof ONELINK_V2_ENDPOINTS)[number];

/** The API root, version included (请求地址 https://api.iot.10086.cn/v2/<name>). */
export const ONELINK_V2_DEFAULT_BASE_URL = 'https://api.iot.10086.cn/v2';

/** Cards per call on both batch endpoints (每次查询不超过100张卡, 一次最多查询100张卡). */
export const ONELINK_V2_BATCH_LIMIT = 100;

/** `batchgprsusedbydate` answers one day among the last 7 complete CST days (仅支持查询最近7天). */
export const ONELINK_V2_DAILY_WINDOW_DAYS = 7;

/** transid is at most 48 characters (不可超过48位): appid + 14-digit time + 8-digit sequence. */
export const ONELINK_V2_TRANSID_MAX_LENGTH = 48;
/** The longest appid that leaves room for the 22 digits of transid. */
export const ONELINK_V2_APPID_MAX_LENGTH = ONELINK_V2_TRANSID_MAX_LENGTH - 14 - 8;

/** Rate limits are not published (PROTOCOL-NOTES.md: guess); a starting point per account. */
export const ONELINK_V2_DEFAULT_RATE_LIMIT = 5;

/** `token = lowercase hex sha256(appid + password + transid)` (公共参数 token). */
export function onelinkV2Token(appid: string, password: string, transid: string): string {
  return createHash('sha256').update(`${appid}${password}${transid}`, 'utf8').digest('hex');
}

const SEQUENCE_MODULUS = 100_000_000;

/**
 * The 8-digit transid sequence. PROTOCOL-NOTES.md: use a per-process monotonic counter (random
 * digits collide). It starts at 00000001 (the documents' own suggestion, 从00000001开始递增) and
 * wraps after 99999999.
 */
export class OnelinkV2TransidSequence {
  #last: number;

  constructor(start = 1) {
    this.#last = (((start - 1) % SEQUENCE_MODULUS) + SEQUENCE_MODULUS) % SEQUENCE_MODULUS;
  }

  /** The next value, 8 digits, zero-padded. */
  next(): string {
    this.#last = (this.#last % (SEQUENCE_MODULUS - 1)) + 1;
    return String(this.#last).padStart(8, '0');
  }
}

/**
 * The sequence shared by every client in this process. It starts at a random point: several
 * simdock processes (API, workers) share one appid, and all starting at 00000001 would repeat
 * each other's transids within the same second.
 */
export const processTransidSequence = new OnelinkV2TransidSequence(
  1 + randomInt(SEQUENCE_MODULUS - 1),
);

/** Builds transids `appid + yyyyMMddHHmmss (CST) + 8-digit sequence`. */
export function onelinkV2TransidGenerator(
  appid: string,
  options: { clock?: Clock; sequence?: OnelinkV2TransidSequence } = {},
): () => string {
  if (appid.length === 0 || appid.length > ONELINK_V2_APPID_MAX_LENGTH) {
    throw new SupplierError(
      'config_error',
      `OneLink v2 appid must be 1–${ONELINK_V2_APPID_MAX_LENGTH} characters so that transid fits ` +
        `in ${ONELINK_V2_TRANSID_MAX_LENGTH}`,
    );
  }
  const clock = options.clock ?? systemClock;
  const sequence = options.sequence ?? processTransidSequence;
  return () => `${appid}${cstTimestamp(clock.now())}${sequence.next()}`;
}

/** The dates `batchgprsusedbydate` accepts at `now`: the last 7 complete CST days. */
export function onelinkV2DailyWindow(now: number): { first: string; last: string } {
  const days = lastCompleteDays(ONELINK_V2_DAILY_WINDOW_DAYS, now);
  return { first: days[0]!, last: days[days.length - 1]! };
}

/**
 * Checks a `query_date` (`yyyyMMdd` or `YYYY-MM-DD`) before calling: a real calendar date within
 * the last 7 complete CST days (系统当前日期20150421,7日内,即20150414-20150420有效). Returns the
 * wire form `yyyyMMdd`; throws a non-retryable `invalid_argument` otherwise.
 */
export function checkOnelinkV2QueryDate(queryDate: string, now: number): string {
  const text = queryDate.trim();
  const date = /^\d{8}$/.test(text) ? expandDate(text) : text;
  if (!isCstDate(date)) {
    throw new SupplierError(
      'invalid_argument',
      `OneLink v2 query_date "${queryDate}" is not a date (yyyyMMdd)`,
      { retryable: false, details: { query_date: queryDate } },
    );
  }
  const window = onelinkV2DailyWindow(now);
  if (date < window.first || date > window.last) {
    throw new SupplierError(
      'invalid_argument',
      `OneLink v2 answers daily usage only for the last ${ONELINK_V2_DAILY_WINDOW_DAYS} complete ` +
        `CST days (${window.first} to ${window.last}); ${date} is outside`,
      { retryable: false, details: { query_date: queryDate, ...window } },
    );
  }
  return compactDate(date);
}

/**
 * The error codes (PROTOCOL-NOTES.md, OneLink v2, seen ×1): status `0` is success; anything
 * else is mapped here. Codes not in the table become `supplier_rejected`.
 */
export const onelinkV2Error = supplierCodeTable('OneLink v2', {
  '1': { code: 'supplier_unavailable', retryable: true, message: '数据库错误' },
  '2': { code: 'not_found', retryable: false, message: '数据库无记录' },
  '3': { code: 'supplier_auth_failed', retryable: false, message: '订购关系鉴权不通过' },
  '4': { code: 'supplier_auth_failed', retryable: false, message: '应用状态不正常' },
  '6': { code: 'supplier_auth_failed', retryable: false, message: 'IP地址鉴权不通过' },
  '7': { code: 'supplier_auth_failed', retryable: false, message: 'Token鉴权不通过' },
  '8': { code: 'supplier_auth_failed', retryable: false, message: '白名单鉴权不通过' },
  '10': { code: 'invalid_argument', retryable: false, message: '请求参数个数不正确' },
  '11': { code: 'supplier_card_unknown', retryable: false, message: '号码没有归属省份' },
  '12': {
    code: 'supplier_card_unknown',
    retryable: false,
    message: 'MSISDN号不是所查询的集团下的用户',
  },
  '13': { code: 'invalid_argument', retryable: false, message: '请求参数命名不规范' },
  '14': { code: 'invalid_argument', retryable: false, message: '日期参数格式不正确' },
  '18': { code: 'invalid_argument', retryable: false, message: '卡号数量超出限制范围' },
  '19': { code: 'invalid_argument', retryable: false, message: '查询时间超出限制范围' },
  // 数据文件还未生成: the day's figures are not ready yet; asking later succeeds.
  '20': { code: 'supplier_unavailable', retryable: true, message: '数据文件还未生成' },
  '21': { code: 'supplier_card_unknown', retryable: false, message: '查询号码全部非法' },
  // Item status 25 (PROTOCOL-NOTES.md and the 2111 response example).
  '25': {
    code: 'supplier_card_unknown',
    retryable: false,
    message: 'ICCID号不是所查询的集团下的用户',
  },
  // 71/72 are flow control: back off and retry later (PROTOCOL-NOTES.md).
  '71': { code: 'supplier_throttled', retryable: true, message: '已超出API最大流控限制' },
  '72': { code: 'supplier_throttled', retryable: true, message: '已超出订购关系最大流控限制' },
  '99': { code: 'supplier_unavailable', retryable: true, message: '系统错误' },
  '101': { code: 'supplier_unavailable', retryable: true, message: '通信失败' },
  '102': { code: 'supplier_unavailable', retryable: true, message: '通信获取系统参数失败' },
});
