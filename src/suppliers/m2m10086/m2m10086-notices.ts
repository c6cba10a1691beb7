import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { kbToBytes } from '../../domain/index.js';
import { decodeContent, m2mSign } from './m2m10086-protocol.js';
import { m2mInboundMessageId, resultRecords, text } from './m2m10086-wire.js';

/**
 * The platform's push notices (m2m10086-api-v3.txt §3): SMS send results and replies
 * (`notice_smssend`, `notice_smsreceive`, §3.1) and flow warnings (`notice_flowmonitor`, §3.2).
 * Each carries `md5(password + requesttime + msgtype + count)`; the receiver answers exactly `OK`
 * or the platform resends every 5 minutes, up to 6 times.
 */

/** The answer the platform expects (§3.1): anything else means "not received". */
export const M2M_NOTICE_ACK = 'OK';

export const M2M_NOTICE_TYPES = [
  'notice_smssend',
  'notice_smsreceive',
  'notice_flowmonitor',
] as const;
export type M2mNoticeType = (typeof M2M_NOTICE_TYPES)[number];

/** A send result (§3.1.2). */
export interface M2mSmsSendRecord {
  dedupeKey: string;
  mobile: string | null;
  sendkey: string | null;
  content: string | null;
  /** `0` failed, `1` delivered (verbatim). */
  status: string | null;
  delivered: boolean | null;
  sendtime: string | null;
}

/** A reply from a card (§3.1.2); `dedupeKey` equals the read path's message id. */
export interface M2mSmsReceiveRecord {
  dedupeKey: string;
  mobile: string | null;
  content: string | null;
  retime: string | null;
}

/** A flow warning or alarm (§3.2.2); KB figures also given as bytes. */
export interface M2mFlowMonitorRecord {
  dedupeKey: string;
  cardcode: string | null;
  taocan: string | null;
  taocanflowBytes: number | null;
  nearflowBytes: number | null;
  overflowBytes: number | null;
  useflowBytes: number | null;
  billingdate: string | null;
  billingenddate: string | null;
  isnear: boolean | null;
  isover: boolean | null;
  /** The record as received. */
  raw: Record<string, string | null>;
}

interface NoticeBase {
  requesttime: string;
  count: number;
  /**
   * Stable across the platform's resends: a hash of the type and the records' own keys (not of
   * `requesttime`, which a resend may renew). Store a notice once per key.
   */
  dedupeKey: string;
}

export type M2mNotice =
  | (NoticeBase & { msgtype: 'notice_smssend'; records: M2mSmsSendRecord[] })
  | (NoticeBase & { msgtype: 'notice_smsreceive'; records: M2mSmsReceiveRecord[] })
  | (NoticeBase & { msgtype: 'notice_flowmonitor'; records: M2mFlowMonitorRecord[] });

export type M2mNoticeVerdict =
  | { ok: true; notice: M2mNotice }
  | {
      ok: false;
      reason: 'malformed' | 'bad_sign' | 'unknown_type' | 'count_mismatch';
      message: string;
    };

/**
 * Verifies and parses one notice body. The sign covers only `requesttime`, `msgtype` and
 * `count`, not `datas`, so `count` must also equal the number of records.
 */
export function verifyM2mNotice(body: unknown, password: string): M2mNoticeVerdict {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, reason: 'malformed', message: 'the notice is not a JSON object' };
  }
  const fields = Object.fromEntries(
    Object.entries(body).map(([key, value]) => [key.toLowerCase(), value]),
  );
  const requesttime = typeof fields.requesttime === 'string' ? fields.requesttime : null;
  const msgtype = typeof fields.msgtype === 'string' ? fields.msgtype : null;
  const count = text(fields.count);
  const sign = typeof fields.sign === 'string' ? fields.sign : null;
  if (!requesttime || !msgtype || count === null || !sign || !Array.isArray(fields.datas)) {
    return {
      ok: false,
      reason: 'malformed',
      message: 'requesttime, msgtype, count, sign or datas missing',
    };
  }
  // §3.2.3's example spells msgtype " notice_flowmonitor " with spaces: the sign is checked
  // over the value as sent, then over the trimmed value.
  const type = msgtype.trim();
  const expected = [msgtype, type].map((value) => m2mSign([password, requesttime, value, count]));
  if (!expected.some((candidate) => sameText(candidate, sign.toLowerCase()))) {
    return { ok: false, reason: 'bad_sign', message: 'the notice sign does not match' };
  }
  if (!(M2M_NOTICE_TYPES as readonly string[]).includes(type)) {
    return { ok: false, reason: 'unknown_type', message: `unknown msgtype "${type}"` };
  }
  const records = resultRecords(fields.datas);
  if (!/^\d{1,3}$/.test(count) || Number(count) !== records.length) {
    return {
      ok: false,
      reason: 'count_mismatch',
      message: `count ${count} but ${records.length} records`,
    };
  }
  const base = { requesttime, count: records.length };
  const withKey = <T extends { dedupeKey: string }>(list: T[]) => ({
    records: list,
    dedupeKey: `m2m-notice-${digest([type, ...list.map((record) => record.dedupeKey)].join('|'))}`,
  });
  switch (type as M2mNoticeType) {
    case 'notice_smssend':
      return {
        ok: true,
        notice: { ...base, msgtype: 'notice_smssend', ...withKey(records.map(sendRecord)) },
      };
    case 'notice_smsreceive':
      return {
        ok: true,
        notice: { ...base, msgtype: 'notice_smsreceive', ...withKey(records.map(receiveRecord)) },
      };
    default:
      return {
        ok: true,
        notice: { ...base, msgtype: 'notice_flowmonitor', ...withKey(records.map(flowRecord)) },
      };
  }
}

function sendRecord(record: Record<string, string | null>): M2mSmsSendRecord {
  const status = record.status ?? null;
  return {
    dedupeKey: `m2m-send-${digest(`${record.sendkey}|${record.mobile}|${status}`)}`,
    mobile: record.mobile ?? null,
    sendkey: record.sendkey ?? null,
    content: decoded(record.content),
    status,
    delivered: status === '1' ? true : status === '0' ? false : null,
    sendtime: record.sendtime ?? null,
  };
}

function receiveRecord(record: Record<string, string | null>): M2mSmsReceiveRecord {
  return {
    dedupeKey: m2mInboundMessageId(
      record.mobile ?? null,
      record.retime ?? null,
      record.content ?? null,
    ),
    mobile: record.mobile ?? null,
    content: decoded(record.content),
    retime: record.retime ?? null,
  };
}

function flowRecord(record: Record<string, string | null>): M2mFlowMonitorRecord {
  const flag = (value: string | null | undefined) =>
    value === '1' ? true : value === '0' ? false : null;
  return {
    dedupeKey: `m2m-flow-${digest(
      ['cardcode', 'billingdate', 'useflow', 'isnear', 'isover']
        .map((name) => record[name])
        .join('|'),
    )}`,
    cardcode: record.cardcode ?? null,
    taocan: record.taocan ?? null,
    taocanflowBytes: kbToBytes(record.taocanflow),
    nearflowBytes: kbToBytes(record.nearflow),
    overflowBytes: kbToBytes(record.overflow),
    useflowBytes: kbToBytes(record.useflow),
    billingdate: record.billingdate ?? null,
    billingenddate: record.billingenddate ?? null,
    isnear: flag(record.isnear),
    isover: flag(record.isover),
    raw: record,
  };
}

function decoded(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return decodeContent(value) ?? value;
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}

function sameText(left: string, right: string): boolean {
  const a = Buffer.from(left);
  const b = Buffer.from(right);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A notice that was refused, for logging and audit. */
export interface M2mRejectedNotice {
  reason: 'malformed' | 'bad_sign' | 'unknown_type' | 'count_mismatch';
  message: string;
  /** The body as received (text), for the audit log. */
  body: string;
}

export interface M2mNoticeAppOptions {
  /** The account's interface password (the notices are signed with it). */
  password: string;
  /** Stores the notice; `OK` is answered only after it resolves. Must be idempotent per key. */
  onNotice: (notice: M2mNotice) => Promise<void>;
  /** Told about every refused notice (nothing is stored for those). */
  onRejected?: (rejected: M2mRejectedNotice) => void | Promise<void>;
}

/**
 * A Hono sub-app receiving the platform's notices at its root (`POST /`), for both the
 * `notice_url` and the `flowmonitor_url`: mount it where those URLs point. It answers `OK` only
 * once `onNotice` resolved; a refused notice gets HTTP 400 `FAIL`, a failing handler HTTP 500
 * `ERROR`, so the platform sends it again later.
 */
export function createM2mNoticeApp(options: M2mNoticeAppOptions): Hono {
  const app = new Hono();
  app.post('/', async (context) => {
    const raw = await context.req.text();
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const verdict = verifyM2mNotice(body, options.password);
    if (!verdict.ok) {
      await options.onRejected?.({ reason: verdict.reason, message: verdict.message, body: raw });
      return context.text('FAIL', 400);
    }
    try {
      await options.onNotice(verdict.notice);
    } catch {
      return context.text('ERROR', 500);
    }
    return context.text(M2M_NOTICE_ACK, 200);
  });
  return app;
}
