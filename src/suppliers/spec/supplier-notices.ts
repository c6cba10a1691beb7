import type { InboundSms } from './supplier-operations.js';

/** A delivery report for a text simdock sent. */
export interface SupplierDeliveryReport {
  /** Stable across the supplier's resends. */
  dedupeKey: string;
  /** The supplier's message id, as `doSendSms` returned it. */
  messageId: string;
  iccid: string | null;
  msisdn: string | null;
  delivered: boolean;
  supplierCode: string | null;
  /** Epoch ms; null when not given. */
  at: number | null;
}

/** A supplier's usage warning for one card (its own warning / alarm lines), in bytes. */
export interface SupplierUsageWarning {
  /** Stable across the supplier's resends. */
  dedupeKey: string;
  /** The key of the alert the warning raises (one per key and card). */
  alarmKey: string;
  msisdn: string | null;
  plan: string | null;
  planBytes: number | null;
  nearBytes: number | null;
  overBytes: number | null;
  usedBytes: number | null;
  /** The plan cycle, as the supplier gives it. */
  cycleStart: string | null;
  cycleEnd: string | null;
  near: boolean | null;
  over: boolean | null;
}

/** A verified push from a supplier, with what simdock must do about it. */
export interface SupplierNotice {
  /** Recorded as the notice's kind, e.g. `m2m:notice_smsreceive`. */
  kind: string;
  /** Stable across the supplier's resends: the notice is recorded once per key. */
  dedupeKey: string;
  /** The parsed notice, recorded as received. */
  payload: unknown;
  /** Texts cards sent. */
  inboundTexts?: InboundSms[];
  deliveryReports?: SupplierDeliveryReport[];
  usageWarnings?: SupplierUsageWarning[];
}

/** A refused push, reported to `onRejected` (then recorded as unverified and logged). */
export interface RejectedSupplierNotice {
  reason: string;
  message: string;
  /** The body as received. */
  body: string;
}

/** One push request as the callback router received it. */
export interface SupplierNoticeRequest {
  /** The path segment after the handler's own (`sms` in `/quectel/sms`); '' when none. */
  subpath: string;
  query: Record<string, string>;
  contentType: string;
  body: string;
  /** The account's settings and secrets, merged (secrets decrypted). */
  settings: Record<string, unknown>;
  /** Stores a verified notice; the supplier is answered only once it resolved. */
  onNotice(notice: SupplierNotice): Promise<void>;
  onRejected(rejected: RejectedSupplierNotice): Promise<void>;
}

/**
 * How a supplier pushes: simdock mounts `POST /callbacks/<accountId>/<path>` (and
 * `/<path>/<subpath>` when `subpaths`) for each of the supplier's accounts, verifies the push
 * with the account's settings and answers it the way the supplier's document asks.
 */
export interface SupplierNoticeHandler {
  path: string;
  subpaths: boolean;
  handle(request: SupplierNoticeRequest): Promise<Response>;
}

/** `yyyy-MM-dd HH:mm:ss` in CST (the suppliers' notice times) → epoch ms; null if not that. */
export function parseCstDateTime(value: string | null): number | null {
  if (!value) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return Date.UTC(year!, month! - 1, day!, hour! - 8, minute!, second!);
}
