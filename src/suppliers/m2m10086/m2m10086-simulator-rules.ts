import { createHash } from 'node:crypto';

/**
 * The simulator's request checks, written from m2m10086-api-v3.txt independently of the client
 * (its own field tables and its own MD5), so a signing bug in one cannot hide in the other.
 */

export type SimulatedEndpoint =
  | 'searchInfo'
  | 'searchTermInfo'
  | 'smsSend'
  | 'smsSendFmt'
  | 'smsSendResult'
  | 'smsReceive'
  | 'searchMonthFlow'
  | 'surplusFlow'
  | 'macState'
  | 'macStateResult'
  | 'location'
  | 'lbsInfo';

/** [field, max length, required], business fields in the order of each `sign` row. */
type FieldRule = readonly [string, number, boolean];

const KEY: FieldRule = ['key', 50, true];
const SENDKEY: FieldRule = ['sendkey', 16, true];
const CARDCODE: FieldRule = ['cardcode', 13, true];

export const SIMULATED_FIELDS: Record<SimulatedEndpoint, readonly FieldRule[]> = {
  searchInfo: [KEY],
  searchTermInfo: [KEY, ['status', 10, true]],
  smsSend: [SENDKEY, ['mobiletype', 1, true], ['mobile', 13, true], ['content', 1_170, true]],
  smsSendFmt: [SENDKEY, ['fmt', 2, true], ['mobile', 13, true], ['content', 1_170, true]],
  smsSendResult: [SENDKEY],
  smsReceive: [['num', 2, true]],
  // §2.7.1 leaves `month` unmarked as required, but signs it.
  searchMonthFlow: [KEY, ['month', 7, false]],
  surplusFlow: [KEY],
  macState: [CARDCODE],
  macStateResult: [CARDCODE],
  location: [KEY],
  lbsInfo: [
    ['mcc', 4, true],
    ['mnc', 1, true],
    ['lac', 6, true],
    ['cellid', 6, true],
  ],
};

/** The common fields of §2.x.1 with their lengths. */
const COMMON: readonly FieldRule[] = [
  ['partnercode', 10, true],
  ['servicecode', 16, true],
  ['requesttime', 25, true],
  ['sign', 32, true],
];

export interface Account {
  partnercode: string;
  servicecode: string;
  password: string;
}

/** Outcome of the checks: the fields as text, or the §4.1 code to answer. */
export type CheckResult =
  | { ok: true; fields: Record<string, string> }
  | { ok: false; status: string; message: string };

const fail = (status: string, message: string): CheckResult => ({ ok: false, status, message });

/**
 * Checks a body in the platform's order: presence and length (0015), partner code (0011),
 * service code (0012), time format (0017), then the sign (0013).
 */
export function checkRequest(
  endpoint: SimulatedEndpoint,
  body: unknown,
  account: Account,
): CheckResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('0015', '参数错误: 请求体不是 JSON 对象');
  }
  const raw = body as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const [name, length, required] of [...COMMON, ...SIMULATED_FIELDS[endpoint]]) {
    const value = raw[name];
    if (value === undefined || value === null || value === '') {
      if (required) return fail('0015', `参数错误: 缺少 ${name}`);
      fields[name] = '';
      continue;
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      return fail('0015', `参数错误: ${name} 类型错误`);
    }
    const text = String(value);
    if (text.length > length) return fail('0015', `参数错误: ${name} 超过 ${length} 位`);
    fields[name] = text;
  }
  if (fields.partnercode !== account.partnercode) return fail('0011', '平台编码错误');
  if (fields.servicecode !== account.servicecode) return fail('0012', '业务编码错误');
  if (!validRequestTime(fields.requesttime!)) return fail('0017', '时间格式错误');
  const signed = SIMULATED_FIELDS[endpoint].map(([name]) => fields[name]).join('');
  const expected = createHash('md5')
    .update(`${account.password}${fields.requesttime}${signed}`.toLowerCase(), 'utf8')
    .digest('hex');
  if (expected !== fields.sign!.toLowerCase()) return fail('0013', '签名(sign)错误');
  return { ok: true, fields };
}

/** `yyyyMMddHHmmss` + 8 digits, a real date and time (§1.4). */
function validRequestTime(value: string): boolean {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\d{8}$/.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    hour! < 24 &&
    minute! < 60 &&
    second! < 60
  );
}

/** URL-decodes content the way the platform does (§4.2); null when not valid encoding. */
export function decodeSent(content: string): string | null {
  try {
    return decodeURIComponent(content.replaceAll('+', ' '));
  } catch {
    return null;
  }
}
