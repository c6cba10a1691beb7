import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { type CardStatus, statusMapper } from '../../domain/index.js';
import { SupplierError, supplierCodeTable } from '../spec/index.js';
import type { TelecomCmpCipher } from './telecom-cmp-des.js';

/**
 * China Telecom's 4G self-management CMP (自管理平台), as described in cn-carriers-notes.md,
 * section "China Telecom — 4G self-management CMP". The manual is not public: what the notes
 * mark **guess** is marked `guess:` here too, and kept configurable in the account settings.
 */

export const TELECOM_CMP_SUPPLIER = 'telecom-cmp';
export const TELECOM_CMP_DEFAULT_BASE_URL = 'http://api.ct10649.com:9001';

/** Queries `GET /m2m_ec/query.do?method=…`, changes `GET /m2m_ec/app/serviceAccept.do?…` (seen ×2). */
export const TELECOM_CMP_DEFAULT_PATHS = {
  query: '/m2m_ec/query.do',
  change: '/m2m_ec/app/serviceAccept.do',
} as const;

export type TelecomCmpPathName = keyof typeof TELECOM_CMP_DEFAULT_PATHS;

/** `getSIMList` answers 50 cards a page (notes: "50 a page"). */
export const TELECOM_CMP_PAGE_SIZE = 50;

/** `disabledNumber` orderTypeId (seen ×2). */
export const TELECOM_CMP_ORDER_TYPES = {
  /** 停机保号 */
  pause: '19',
  /** 复机 */
  resume: '20',
  /** 测试期去激活 */
  endTest: '21',
  /** 回到测试激活 */
  backToTest: '22',
} as const;

/** `offNetAction` action: 1 add, 2 modify, 3 cancel; type 1 total, 2 beyond the package. */
export const TELECOM_CMP_OFF_NET_ACTIONS = { add: '1', modify: '2', cancel: '3' } as const;

/** `speedLimitAction` speed codes: 10 = 1 kbps … 31 = unlimited, 32 = 64 kbps, 33 = 256 kbps. */
export const TELECOM_CMP_SPEED_UNLIMITED = '31';
export function isTelecomCmpSpeedCode(code: string): boolean {
  const number = Number(code);
  return /^\d{2}$/.test(code) && number >= 10 && number <= 33;
}

/**
 * `queryCardMainStatus` productMainStatusCd (seen ×2): 1 可激活, 2 测试激活, 3 测试去激活, 4 在用,
 * 5 停机, 6 运营商管理; 7 拆机 (seen ×1, a public client's comment).
 */
export const TELECOM_CMP_STATUS: Record<string, CardStatus> = {
  '1': 'inventory',
  '2': 'test',
  '3': 'inventory',
  '4': 'active',
  '5': 'suspended',
  // guess: 运营商管理状态 is a stop the carrier holds (arrears, audit): suspended, raw kept.
  '6': 'suspended',
  '7': 'deactivated',
};
export const telecomCmpStatus = statusMapper(TELECOM_CMP_STATUS);

/**
 * The `sign` plain text: the method's values sorted in UTF-16 code-unit order (Java
 * `Arrays.sort`) joined with `,`. Empty values (the empty `acctCd`) take part, as in the demo.
 */
export function telecomCmpSignText(values: readonly string[]): string {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(',');
}

/** `passWord` and `sign` of one call. */
export function telecomCmpSignature(
  cipher: TelecomCmpCipher,
  password: string,
  values: readonly string[],
): { passWord: string; sign: string } {
  return { passWord: cipher.encrypt(password), sign: cipher.encrypt(telecomCmpSignText(values)) };
}

/**
 * Result codes. Only `-5` is seen (IMEIReRecord's monthly cap, "单卡本月调用次数已超过限定次数");
 * guess: the others, with the messages simdock's simulator answers. Success is `0`, `0000`
 * or `00` (short change answers).
 */
const CODE_TABLE = supplierCodeTable('telecom-cmp', {
  // guess: parameter errors.
  '-1': { code: 'invalid_argument', retryable: false },
  // guess: user_id / passWord refused.
  '-2': { code: 'supplier_auth_failed', retryable: false },
  // guess: sign refused.
  '-3': { code: 'supplier_auth_failed', retryable: false },
  // guess: the number is not this customer's.
  '-4': { code: 'supplier_card_unknown', retryable: false },
  // seen ×1: the per-card monthly cap on calls.
  '-5': { code: 'supplier_rejected', retryable: false },
  // guess: calling too fast.
  '-6': { code: 'supplier_throttled', retryable: true },
  // guess: a state that does not allow the change (e.g. resuming a card in use).
  '-7': { code: 'conflict', retryable: false },
  // guess: an off-net cap already exists (add) or none exists (modify / cancel).
  '-8': { code: 'conflict', retryable: false },
  // guess: a system error on one card's call (系统繁忙); worth another try.
  '-9': { code: 'supplier_rejected', retryable: true },
});

export const TELECOM_CMP_SUCCESS = new Set(['0', '0000', '00']);

export function telecomCmpError(code: string, message: string | null, accountId?: string) {
  return CODE_TABLE(code, message, accountId);
}

/** Keys that carry an answer's result code, in the order looked for (seen ×2 / guess). */
const CODE_KEYS = ['IRESULT', 'RspCode', 'resultCode', 'RESULT'] as const;
const MESSAGE_KEYS = ['RspDesc', 'resultMsg', 'IRESULT_DESC', 'DESC', 'message'] as const;

/** An answer as parsed: its tree (XML or JSON), its code and message, and the raw text. */
export interface TelecomCmpAnswer {
  body: Record<string, unknown>;
  code: string | null;
  message: string | null;
  text: string;
  format: 'xml' | 'json' | 'text';
}

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  // One element or many: lists of records are read as arrays by the caller.
  isArray: (name) => name === 'ITEM' || name === 'sim',
});

/**
 * Parses an answer: XML (most), JSON (`getOnlineStatus`, `queryCardMainStatus`), a short text
 * "<2-character code><message>" (some changes, seen ×1), or strEnc hex to decrypt first
 * (`getSIMList` and others, seen ×1) when a cipher is given. Broken bodies are a retryable
 * `supplier_bad_response` that keeps the start of the text.
 */
export function parseTelecomCmpAnswer(
  raw: string,
  options: { httpStatus?: number; cipher?: TelecomCmpCipher } = {},
): TelecomCmpAnswer {
  let text = raw.trim();
  const bad = (why: string, cause?: unknown) =>
    new SupplierError(
      'supplier_bad_response',
      `telecom-cmp answered ${why} (HTTP ${options.httpStatus ?? 200}): ${text.slice(0, 120)}`,
      { cause, httpStatus: options.httpStatus, retryable: true },
    );
  if (options.cipher && /^[0-9A-F]+$/i.test(text)) {
    if (text.length % 16 !== 0) throw bad('an encrypted body cut short');
    text = options.cipher.decrypt(text).trim();
  }
  if (text === '') throw bad('an empty body');
  let body: Record<string, unknown>;
  let format: TelecomCmpAnswer['format'];
  if (text.startsWith('<')) {
    const valid = XMLValidator.validate(text);
    if (valid !== true) throw bad('malformed XML');
    body = xmlParser.parse(text) as Record<string, unknown>;
    format = 'xml';
  } else if (text.startsWith('{')) {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw bad('malformed JSON', error);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw bad('JSON that is not an object');
    }
    format = 'json';
  } else {
    // Short change answers (seen ×1): a 2-character code, then the message with 流水号.
    const match = /^(\S{2})([\s\S]*)$/u.exec(text);
    if (!match) throw bad('an unreadable text');
    body = { RspCode: match[1], RspDesc: match[2]!.trim() };
    format = 'text';
  }
  const code = firstValue(body, CODE_KEYS);
  const message = firstValue(body, MESSAGE_KEYS);
  return { body, code, message, text, format };
}

/** Throws the mapped error unless the answer's code is a success (or absent). */
export function assertTelecomCmpOk(answer: TelecomCmpAnswer, accountId?: string): void {
  if (answer.code === null || TELECOM_CMP_SUCCESS.has(answer.code)) return;
  throw telecomCmpError(answer.code, answer.message, accountId);
}

/** The first string value of any of these keys, searched depth-first through the tree. */
export function firstValue(tree: unknown, keys: readonly string[]): string | null {
  for (const key of keys) {
    const found = findKey(tree, key, 0);
    if (found !== null) return found;
  }
  return null;
}

function findKey(tree: unknown, key: string, depth: number): string | null {
  if (depth > 8 || tree === null || typeof tree !== 'object') return null;
  if (Array.isArray(tree)) {
    for (const entry of tree) {
      const found = findKey(entry, key, depth + 1);
      if (found !== null) return found;
    }
    return null;
  }
  const record = tree as Record<string, unknown>;
  const own = record[key];
  if (typeof own === 'string' || typeof own === 'number') return String(own).trim();
  for (const value of Object.values(record)) {
    const found = findKey(value, key, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/** The first object under `key` anywhere in the tree. */
export function findObject(tree: unknown, key: string, depth = 0): unknown {
  if (depth > 8 || tree === null || typeof tree !== 'object') return undefined;
  if (Array.isArray(tree)) {
    for (const entry of tree) {
      const found = findObject(entry, key, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const record = tree as Record<string, unknown>;
  if (key in record) return record[key];
  for (const value of Object.values(record)) {
    const found = findObject(value, key, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * A traffic figure as the CMP writes it: `12.34MB` (seen: a public client strips the last two
 * characters); guess: `KB` and `GB` suffixes and bare numbers (MB) accepted too.
 */
export function telecomCmpTrafficBytes(value: string | null): number | null {
  if (value === null) return null;
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(KB|MB|GB)?\s*$/i.exec(value);
  if (!match) return null;
  const unit = (match[2] ?? 'MB').toUpperCase();
  const factor = unit === 'KB' ? 1024 : unit === 'GB' ? 1024 ** 3 : 1024 ** 2;
  const bytes = Math.round(Number(match[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : null;
}
