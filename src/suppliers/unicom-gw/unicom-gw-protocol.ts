import { createHash, randomInt } from 'node:crypto';
import {
  addMonths,
  type CardStatus,
  type CstDate,
  type CstMonth,
  cstParts,
  type ErrorCode,
  SimdockError,
  statusMapper,
} from '../../domain/index.js';
import { isRecord, recordsIn, SupplierError, supplierCodeTable } from '../spec/index.js';

/**
 * China Unicom's 雁飞智连 IoT gateway (`https://gwapi.10646.cn`): the Cisco Jasper Control Center
 * operations (`ws*`) wrapped in one JSON envelope signed with an SM3 token. Source of every fact:
 * ../shared/suppliers/cn-carriers-notes.md, section "China Unicom" (cited below as "the notes").
 * The carrier's manual is not public: what the notes mark **guess**, or do not state at all, is
 * marked **guess** here too and can be overridden in the account settings.
 */

export const UNICOM_GW_DEFAULT_BASE_URL = 'https://gwapi.10646.cn';

/** The notes: "Rate limit: not published. guess: start at 5 calls/s, back off on 429". */
export const UNICOM_GW_DEFAULT_RATE_LIMIT = 5;

/** `wsGetTerminalDetails` takes at most 50 ICCIDs ("批量查询仅支持50位号码", the notes, seen ×2). */
export const UNICOM_GW_DETAILS_BATCH = 50;

/**
 * ICCIDs per `wsGetSessionInfo` call. **guess**: the notes give no figure; Jasper's
 * GetSessionInfo takes a list, and the gateway's other list call takes 50.
 */
export const UNICOM_GW_SESSION_BATCH = 50;

/**
 * ICCIDs per page of `wsGetModifiedTerminals`. **guess**: not in the notes; Jasper pages its
 * answers by 50. The adapter only reads `totalPages`, so another page size costs nothing.
 */
export const UNICOM_GW_MODIFIED_PAGE_SIZE = 50;

/** The billing cycle runs from the 27th to the 26th (上月27号 - 本月26号, the notes, seen ×2). */
export const UNICOM_GW_BILLING_CYCLE_START_DAY = 27;

/** Every operation the adapter calls, by its Jasper name (the notes, "Operations"). */
export const UNICOM_GW_OPERATIONS = [
  'wsGetTerminalDetails',
  'wsEditTerminal',
  'wsGetTerminalUsage',
  'wsGetModifiedTerminals',
  'wsGetSessionInfo',
  'wsGetTerminalAuditTrail',
] as const;

export type UnicomGwOperation = (typeof UNICOM_GW_OPERATIONS)[number];
export type UnicomGwPaths = Record<UnicomGwOperation, string>;

/** `POST /api/<operation>/V1/1Main/vV1.1` (the notes, "URL", seen ×3). */
export const UNICOM_GW_DEFAULT_PATHS: UnicomGwPaths = Object.fromEntries(
  UNICOM_GW_OPERATIONS.map((operation) => [operation, `/api/${operation}/V1/1Main/vV1.1`]),
) as UnicomGwPaths;

/** The default paths with configured overrides; an unknown operation is a config error. */
export function resolveUnicomGwPaths(overrides: Record<string, string> = {}): UnicomGwPaths {
  const paths = { ...UNICOM_GW_DEFAULT_PATHS };
  for (const [operation, path] of Object.entries(overrides)) {
    if (!(UNICOM_GW_OPERATIONS as readonly string[]).includes(operation)) {
      throw new SimdockError(
        'config_error',
        `unicom-gw setting "paths.${operation}": unknown operation (known: ${UNICOM_GW_OPERATIONS.join(', ')})`,
        { details: { operation } },
      );
    }
    if (!path.startsWith('/')) {
      throw new SimdockError(
        'config_error',
        `unicom-gw setting "paths.${operation}": must start with "/"`,
        { details: { operation, path } },
      );
    }
    paths[operation as UnicomGwOperation] = path;
  }
  return paths;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/**
 * The envelope's `timestamp`: CST `yyyy-MM-dd HH:mm:ss SSS`, a space before the milliseconds
 * (the notes, seen ×3; one port sends `.SSS`, which servers should accept too).
 */
export function unicomGwTimestamp(instant: number): string {
  const parts = cstParts(instant);
  const millis = ((instant % 1000) + 1000) % 1000;
  return (
    `${parts.year}-${pad(parts.month)}-${pad(parts.day)} ` +
    `${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)} ${pad(millis, 3)}`
  );
}

/** `trans_id`: `yyyyMMddHHmmssSSS` + 6 random digits, unique per call (the notes, seen ×3). */
export function unicomGwTransId(
  timestamp: string,
  random: () => number = () => randomInt(1e6),
): string {
  return `${timestamp.replace(/\D/g, '')}${pad(random(), 6)}`;
}

/**
 * `token` = lowercase hex SM3 of `"app_id" + app_id + "timestamp" + timestamp + "trans_id" +
 * trans_id + app_secret`: the literal key names are part of the input (the notes, seen ×4).
 */
export function unicomGwToken(input: {
  appId: string;
  timestamp: string;
  transId: string;
  appSecret: string;
}): string {
  return createHash('sm3')
    .update(
      `app_id${input.appId}timestamp${input.timestamp}trans_id${input.transId}${input.appSecret}`,
      'utf8',
    )
    .digest('hex');
}

/**
 * `simStatus` codes (Jasper EditTerminal changeType 3 targets, the notes): 0 可测试, 1 可激活,
 * 2 已激活, 3 已停用, 4 已失效, 5 已清除, 6 已更换, 7 库存, 8 开始, 9 预清除. Jasper's own names
 * are accepted too (**guess**: a gateway that passes Jasper's enum through).
 */
export const UNICOM_GW_STATUS_CODES: Record<string, CardStatus> = {
  '0': 'test', // 可测试 (TEST_READY)
  '1': 'inventory', // 可激活 (ACTIVATION_READY)
  '2': 'active', // 已激活 (ACTIVATED)
  '3': 'suspended', // 已停用 (DEACTIVATED: Jasper's stop, reversible)
  '4': 'pre_deactivated', // 已失效 (RETIRED: out of service, waiting to be purged) — **guess**
  '5': 'deactivated', // 已清除 (PURGED)
  '6': 'deactivated', // 已更换 (REPLACED: another SIM took its place) — **guess**
  '7': 'inventory', // 库存 (INVENTORY)
  // 8 开始: the notes name it without meaning; simdock keeps it as unknown with the raw value.
  '9': 'pre_deactivated', // 预清除 (pre-purge)
  TEST_READY: 'test',
  ACTIVATION_READY: 'inventory',
  ACTIVATED: 'active',
  DEACTIVATED: 'suspended',
  RETIRED: 'pre_deactivated',
  PURGED: 'deactivated',
  REPLACED: 'deactivated',
  INVENTORY: 'inventory',
};

export const mapUnicomGwStatus = statusMapper(UNICOM_GW_STATUS_CODES);

/** `wsEditTerminal` changeType values used here (the notes, Jasper EditTerminal codes). */
export const UNICOM_GW_CHANGE_TYPES = {
  simStatus: '3',
  ratePlan: '4',
  usageLimitOverride: '7',
  realNameStatus: '28',
} as const;

/** changeType 3 targets. */
export const UNICOM_GW_SIM_STATUS = {
  testReady: '0',
  activationReady: '1',
  activated: '2',
  deactivated: '3',
  inventory: '7',
} as const;

/** changeType 7 targets: the usage-limit override (the carrier-side data cap, the notes). */
export const UNICOM_GW_OVERRIDES = ['DEFAULT', 'TEMPORARY_OVERRIDE', 'PERMANENT_OVERRIDE'] as const;
export type UnicomGwOverride = (typeof UNICOM_GW_OVERRIDES)[number];

/** Success of both the gateway (`status`) and the operation (`data.resultCode`). */
export const UNICOM_GW_OK = '0000';

/** `resultCode 1074`: billing month out of range (the notes, seen ×2). */
export const UNICOM_GW_BILLING_MONTH_OUT_OF_RANGE = '1074';

type CodeEntry = { code: ErrorCode; retryable?: boolean; message?: string };

/**
 * Gateway `status` codes. The notes give only `0000`: every other code below is a **guess** (the
 * gateway's table is behind the portal); unlisted codes become `supplier_rejected` with the raw
 * code and message kept.
 */
const GATEWAY_CODES: Record<string, CodeEntry> = {
  '1001': { code: 'supplier_auth_failed', retryable: false, message: 'token 校验失败' },
  '1002': { code: 'supplier_auth_failed', retryable: false, message: 'app_id 不存在' },
  '1003': { code: 'invalid_argument', retryable: false, message: 'timestamp 超出有效期' },
  '1004': { code: 'invalid_argument', retryable: false, message: 'trans_id 重复' },
  '1005': { code: 'invalid_argument', retryable: false, message: '请求报文格式错误' },
  '1006': { code: 'supplier_auth_failed', retryable: false, message: 'openId 无权限' },
  '1008': { code: 'supplier_throttled', retryable: true, message: '调用过于频繁' },
  '9999': { code: 'supplier_unavailable', retryable: true, message: '系统繁忙' },
};

/**
 * Operation `resultCode`s. `1074` is from the notes; the others are **guesses** in the same
 * style (the operation's refusal text quoted by public clients where there is one).
 */
const RESULT_CODES: Record<string, CodeEntry> = {
  '1074': { code: 'invalid_argument', retryable: false, message: '账期超出范围' },
  '1010': {
    code: 'supplier_card_unknown',
    retryable: false,
    message: 'ICCID 不存在或不属于该账户',
  },
  '1011': { code: 'invalid_argument', retryable: false, message: '批量查询仅支持50位号码' },
  '1020': { code: 'conflict', retryable: false, message: '当前SIM卡状态不允许变更' },
  '1030': { code: 'invalid_argument', retryable: false, message: 'changeType 或 targetValue 无效' },
  '9999': { code: 'supplier_unavailable', retryable: true, message: '系统繁忙' },
};

export const unicomGwGatewayError = supplierCodeTable('unicom-gw', GATEWAY_CODES);
export const unicomGwResultError = supplierCodeTable('unicom-gw', RESULT_CODES);

/** An answer that passed both checks: the operation's `data` (wire names kept). */
export type UnicomGwData = Record<string, unknown>;

/**
 * Checks an answer: `{"status": "0000", "message", "data": {"resultCode": "0000", …}}`; anything
 * else is a failure — `status` for the gateway, `resultCode` for the operation (the notes).
 */
export function readUnicomGwAnswer(body: unknown, accountId?: string): UnicomGwData {
  if (!isRecord(body) || body.status === undefined || body.status === null) {
    throw new SupplierError('supplier_bad_response', 'unicom-gw answered without a status', {
      accountId,
      retryable: true,
      details: { body },
    });
  }
  const status = String(body.status).trim();
  const message = typeof body.message === 'string' ? body.message : null;
  if (status !== UNICOM_GW_OK) throw unicomGwGatewayError(status, message, accountId);
  const data = body.data;
  if (!isRecord(data)) {
    throw new SupplierError('supplier_bad_response', 'unicom-gw answered 0000 without data', {
      accountId,
      retryable: true,
      details: { body },
    });
  }
  const resultCode = text(data, 'resultCode');
  if (resultCode !== null && resultCode !== UNICOM_GW_OK) {
    throw unicomGwResultError(resultCode, resultMessage(data), accountId);
  }
  return data;
}

/** The operation's own message: the field name varies between clients (**guess**). */
export function resultMessage(data: Record<string, unknown>): string | null {
  return text(data, 'resultMsg') ?? text(data, 'resultDesc') ?? text(data, 'errorMessage');
}

/** A field as trimmed text; null when absent or empty. */
export function text(item: Record<string, unknown>, name: string): string | null {
  const value = item[name];
  if (value === null || value === undefined || typeof value === 'object') return null;
  const result = String(value).trim();
  return result === '' ? null : result;
}

/** A field that holds a list of records (absent → empty). */
export function records(item: Record<string, unknown>, name: string): Record<string, unknown>[] {
  return recordsIn(item[name]);
}

/**
 * Parses a gateway time: ISO 8601 with an offset (Jasper's dateTime), or CST
 * `yyyy-MM-dd HH:mm:ss[ SSS|.SSS]` / `yyyyMMddHHmmss`. Null when it is none of these.
 */
export function parseUnicomGwTime(value: unknown): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/[T].*([zZ]|[+-]\d{2}:?\d{2})$/.test(trimmed)) {
    const parsed = Date.parse(trimmed.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(parsed) ? null : parsed;
  }
  const match =
    /^(\d{4})-?(\d{2})-?(\d{2})(?:[ T]?(\d{2}):?(\d{2}):?(\d{2})(?:[ .](\d{1,3}))?)?$/.exec(
      trimmed,
    );
  if (!match) return null;
  const [year, month, day, hour, minute, second, millis] = match
    .slice(1)
    .map((part) => Number(part ?? 0)) as number[];
  const instant =
    Date.UTC(year!, month! - 1, day!, hour!, minute!, second!, millis!) - 8 * 3_600_000;
  return Number.isNaN(instant) ? null : instant;
}

/**
 * The billing month an instant falls in: a cycle starting on `startDay` is named by the month
 * it ends in (上月27号 - 本月26号 is "本月"), so with 27 the 28th of November belongs to December.
 */
export function unicomGwBillingMonth(
  instant: number,
  startDay = UNICOM_GW_BILLING_CYCLE_START_DAY,
): CstMonth {
  const parts = cstParts(instant);
  const month = `${parts.year}-${pad(parts.month)}`;
  return startDay > 1 && parts.day >= startDay ? addMonths(month, 1) : month;
}

/** The first and last CST date of a billing month (27th of the month before to 26th). */
export function unicomGwCycleBounds(
  billingMonth: CstMonth,
  startDay = UNICOM_GW_BILLING_CYCLE_START_DAY,
): { first: CstDate; last: CstDate } {
  if (startDay <= 1) {
    const [year, month] = billingMonth.split('-').map(Number) as [number, number];
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return { first: `${billingMonth}-01`, last: `${billingMonth}-${pad(lastDay)}` };
  }
  return {
    first: `${addMonths(billingMonth, -1)}-${pad(startDay)}`,
    last: `${billingMonth}-${pad(startDay - 1)}`,
  };
}

/** `billingCycle` on the wire: `yyyyMM` (a public client's comment: "202007"). */
export function wireBillingCycle(billingMonth: CstMonth): string {
  return billingMonth.replace('-', '');
}
