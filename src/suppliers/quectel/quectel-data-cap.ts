import { BYTES_PER_MB, mbToBytes } from '../../domain/index.js';
import { type SupplierDataCap, SupplierError } from '../spec/index.js';
import type { QuectelAlarmParam } from './quectel-client.js';
import type { QuectelAlarmInfo, QuectelCard } from './quectel-wire.js';

/**
 * Quectel's carrier-side data cap is the stop threshold of 流量管理设置
 * (quectel-connectivity-api-v3.15.md §2.3.7 `pauseflowthreshold` in MB, switched by
 * `pausestatus`; read back by §2.1.13 `fc.function.card.alarm.get`, switched off by §2.3.8
 * `fc.function.card.alarm.status`). The document says "达到阈值将进行停机": reaching it stops the
 * whole card (停机), not only its data.
 */

/** The documented reason of a card stopped by its threshold (§1.7 停机原因). */
export const QUECTEL_THRESHOLD_PAUSE_REASON = '超出阈值停机';

/** Said in every read-back's `details`, for the API and console to show. */
export const QUECTEL_CAP_EFFECT =
  'Reaching pauseflowthreshold stops the whole card (停机: data, voice and SMS), not only its data; ' +
  'quectel-connectivity-api-v3.15.md §2.3.7 "达到阈值将进行停机".';

/** A cap in bytes as the whole MB sent in `pauseflowthreshold` (rounded up: never below it). */
export function capMegabytes(capBytes: number | null): number | null {
  if (capBytes === null) return null;
  if (!Number.isSafeInteger(capBytes) || capBytes <= 0) {
    throw new SupplierError('invalid_argument', 'a data cap is a positive whole number of bytes', {
      retryable: false,
    });
  }
  return Math.ceil(capBytes / BYTES_PER_MB);
}

/** A card's record counts only when present and not deleted (§2.1.13 `isdelete` 1). */
function live(info: QuectelAlarmInfo): boolean {
  return info.isdelete !== 1 && (info.alarmid !== null || info.pausestatus !== null);
}

/**
 * The `alarmParam` that sets a stop threshold while keeping the card's warning settings: a
 * §2.3.7 write replaces the card's whole record, so its e-mails, warning thresholds and warning
 * switch (§2.1.13) are sent back unchanged.
 */
export function alarmParamWithCap(info: QuectelAlarmInfo, megabytes: number): QuectelAlarmParam {
  const param: QuectelAlarmParam = {};
  if (live(info)) {
    if (info.notifyemails !== null) param.notifyemails = info.notifyemails;
    if (info.alarmthreshold1 !== null) param.alarmthreshold1 = info.alarmthreshold1;
    if (info.alarmthreshold2 !== null) param.alarmthreshold2 = info.alarmthreshold2;
    if (info.alarmthreshold3 !== null) param.alarmthreshold3 = info.alarmthreshold3;
    if (info.alarmstatus === 0 || info.alarmstatus === 1) param.alarmstatus = info.alarmstatus;
  }
  return { ...param, pauseflowthreshold: megabytes, pausestatus: 1 };
}

/** Whether the card's stop threshold is switched on (a cancel then has something to switch off). */
export function capSwitchedOn(info: QuectelAlarmInfo): boolean {
  return live(info) && info.pausestatus === 1;
}

/**
 * A card's cap from its §2.1.13 record and, where read, its §2.1.6 record: a cap only while
 * `pausestatus` is 1 with a positive `pauseflowthreshold`; reached when the card is stopped with
 * the reason 超出阈值停机 (null when the card record could not be read).
 */
export function dataCapOf(info: QuectelAlarmInfo, card: QuectelCard | null): SupplierDataCap {
  const thresholdMb = info.pauseflowthreshold === null ? null : Number(info.pauseflowthreshold);
  const on = capSwitchedOn(info) && thresholdMb !== null && thresholdMb > 0;
  const reached =
    card === null
      ? null
      : card.status === '停机' && card.pausereason === QUECTEL_THRESHOLD_PAUSE_REASON;
  return {
    capBytes: on ? mbToBytes(thresholdMb) : null,
    reached,
    details: {
      effect: 'card-stop',
      effectNote: QUECTEL_CAP_EFFECT,
      pauseflowthreshold: info.pauseflowthreshold,
      pausestatus: info.pausestatus,
      alarmstatus: info.alarmstatus,
      alarmthreshold1: info.alarmthreshold1,
      alarmthreshold2: info.alarmthreshold2,
      alarmthreshold3: info.alarmthreshold3,
      updatedatetime: info.updatedatetime,
      ...(card ? { status: card.status, pausereason: card.pausereason } : {}),
    },
  };
}
