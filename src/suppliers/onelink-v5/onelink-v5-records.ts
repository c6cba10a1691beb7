import { isRecord } from '../spec/index.js';
import { field, list, type OnelinkV5IdKind, text } from './onelink-v5-protocol.js';

/**
 * Typed readers for the `result` items of each OneLink v5 endpoint. Wire names are kept; every
 * field is read case-insensitively and numbers sent as strings stay strings (the caller converts
 * units). Fields marked **guess** are not in PROTOCOL-NOTES.md: the readers accept the variants
 * public clients show.
 */

type Item = Record<string, unknown>;

/** The three identifiers most items echo. */
export interface OnelinkV5Ids {
  msisdn: string | null;
  iccid: string | null;
  imsi: string | null;
}

function ids(item: Item): OnelinkV5Ids {
  return { msisdn: text(item, 'msisdn'), iccid: text(item, 'iccid'), imsi: text(item, 'imsi') };
}

/** A batch item's own outcome: `status` "0" (or absent) = fine, else a code and message. */
export interface OnelinkV5ItemOutcome {
  itemStatus: string | null;
  itemMessage: string | null;
}

function outcome(item: Item): OnelinkV5ItemOutcome {
  return {
    itemStatus: text(item, 'status') ?? text(item, 'resultCode'),
    itemMessage: text(item, 'message') ?? text(item, 'resultDesc') ?? text(item, 'errorDesc'),
  };
}

/** Whether a batch item reports a failure of its own. */
export function itemFailed(item: OnelinkV5ItemOutcome): boolean {
  return item.itemStatus !== null && item.itemStatus !== '0';
}

/** The identifier of the requested kind an item carries. */
export function itemId(item: OnelinkV5Ids, kind: OnelinkV5IdKind): string | null {
  const value = item[kind];
  return value === null ? null : kind === 'iccid' ? value.toUpperCase() : value;
}

/** `query/sim-basic-info`: msisdn, imsi, iccid, activeDate, openDate. */
export interface OnelinkV5BasicInfo extends OnelinkV5Ids {
  activeDate: string | null;
  openDate: string | null;
}

export function readBasicInfo(item: Item): OnelinkV5BasicInfo {
  return {
    ...ids(item),
    // `activateDate` is how one public client spells it.
    activeDate: text(item, 'activeDate') ?? text(item, 'activateDate'),
    openDate: text(item, 'openDate'),
  };
}

/** `query/sim-status`: cardStatus (00…07, 99) and lastChangeDate. */
export interface OnelinkV5SimStatus {
  cardStatus: string | null;
  lastChangeDate: string | null;
}

export function readSimStatus(item: Item): OnelinkV5SimStatus {
  return { cardStatus: text(item, 'cardStatus'), lastChangeDate: text(item, 'lastChangeDate') };
}

/** `query/sim-card-info/batch`: one item per card, with its own status (as v2 API2111). */
export type OnelinkV5CardInfo = OnelinkV5Ids & OnelinkV5ItemOutcome;

export function readCardInfo(item: Item): OnelinkV5CardInfo {
  return { ...ids(item), ...outcome(item) };
}

/** `query/sim-data-usage`: month to date, `dataAmount` in KB. */
export interface OnelinkV5DataUsage {
  dataAmount: string | null;
}

export function readDataUsage(item: Item): OnelinkV5DataUsage {
  return { dataAmount: text(item, 'dataAmount') };
}

/** One card of the daily or monthly usage batch: `dataAmount` in KB, per-APN detail. */
export interface OnelinkV5UsageItem extends OnelinkV5Ids, OnelinkV5ItemOutcome {
  dataAmount: string | null;
  apnDataAmountList: { apnName: string | null; apnDataAmount: string | null }[];
}

/**
 * The usage batches answer `result: [{dataAmountList: [...]}]`; a flat `result: [...]` of cards
 * is accepted too.
 */
export function readUsageItems(result: Item[]): OnelinkV5UsageItem[] {
  const cards = result.flatMap((entry) =>
    field(entry, 'dataAmountList') === undefined ? [entry] : list(entry, 'dataAmountList'),
  );
  return cards.map((item) => ({
    ...ids(item),
    ...outcome(item),
    dataAmount: text(item, 'dataAmount'),
    apnDataAmountList: list(item, 'apnDataAmountList').map((apn) => ({
      apnName: text(apn, 'apnName'),
      apnDataAmount: text(apn, 'apnDataAmount'),
    })),
  }));
}

/** `change/sim-status/batch` and `query/sim-batch-result`. */
export interface OnelinkV5BatchJob {
  jobId: string;
}

export interface OnelinkV5BatchResult {
  jobId: string | null;
  /** 0 待处理, 1 处理中, 2 处理完成, 3 部分失败, 4 处理失败. */
  jobStatus: string | null;
  /** Per-card outcomes (**guess**: `resultList`, items with status/message or resultCode/resultDesc). */
  resultList: (OnelinkV5Ids & OnelinkV5ItemOutcome)[];
}

export function readBatchResult(item: Item): OnelinkV5BatchResult {
  const entries = [...list(item, 'resultList'), ...list(item, 'failList')];
  return {
    jobId: text(item, 'jobId'),
    jobStatus: text(item, 'jobStatus'),
    resultList: entries.map((entry) => ({ ...ids(entry), ...outcome(entry) })),
  };
}

/** `query/sim-imei`. */
export function readImei(item: Item): { imei: string | null } {
  return { imei: text(item, 'imei') };
}

/** `query/on-off-status`: `status` 0 关机, 1 开机. */
export function readOnOffStatus(item: Item): { status: string | null } {
  return { status: text(item, 'status') };
}

/** `query/sim-session`: per APN, `status` 00 离线 / 01 在线, ip, rat, createDate. */
export interface OnelinkV5Session {
  status: string | null;
  apnName: string | null;
  ip: string | null;
  rat: string | null;
  createDate: string | null;
}

export function readSessions(result: Item[]): OnelinkV5Session[] {
  const sessions = result.flatMap((entry) =>
    field(entry, 'simSessionList') === undefined ? [entry] : list(entry, 'simSessionList'),
  );
  return sessions.map((item) => ({
    status: text(item, 'status'),
    apnName: text(item, 'apnName') ?? text(item, 'apnId'),
    ip: text(item, 'ip') ?? text(item, 'ipAddress'),
    rat: text(item, 'rat'),
    createDate: text(item, 'createDate'),
  }));
}

/** `query/sim-change-history`: descStatus → targetStatus at changeDate. */
export interface OnelinkV5StatusChange {
  descStatus: string | null;
  targetStatus: string | null;
  changeDate: string | null;
}

export function readChangeHistory(result: Item[]): OnelinkV5StatusChange[] {
  return result
    .flatMap((entry) => list(entry, 'changeHistoryList'))
    .map((item) => ({
      descStatus: text(item, 'descStatus'),
      targetStatus: text(item, 'targetStatus'),
      changeDate: text(item, 'changeDate'),
    }));
}

/** One SMS record of `query/sim-mo-sms/batch` or `query/sim-mt-sms/batch` (**guess** fields). */
export interface OnelinkV5SmsRecord extends OnelinkV5Ids {
  smsId: string | null;
  content: string | null;
  sendTime: string | null;
}

const SMS_LISTS = ['smsList', 'smsRecordList', 'moSmsList', 'mtSmsList', 'recordList'];

/** Items are one card each with a list of records, or one record each carrying the card. */
export function readSmsRecords(result: Item[]): OnelinkV5SmsRecord[] {
  return result.flatMap((entry) => {
    const card = ids(entry);
    const name = SMS_LISTS.find((candidate) => Array.isArray(field(entry, candidate)));
    const records = name ? list(entry, name) : [entry];
    return records.map((record) => {
      const own = ids(record);
      return {
        msisdn: own.msisdn ?? card.msisdn,
        iccid: own.iccid ?? card.iccid,
        imsi: own.imsi ?? card.imsi,
        smsId: text(record, 'smsId') ?? text(record, 'msgId') ?? text(record, 'id'),
        content: text(record, 'content') ?? text(record, 'smsContent'),
        sendTime: text(record, 'sendTime') ?? text(record, 'createTime') ?? text(record, 'time'),
      };
    });
  });
}

/** `query/last-position-location`: lastTime, lastLat, lastLon per card (WGS-84). */
export interface OnelinkV5Position extends OnelinkV5Ids, OnelinkV5ItemOutcome {
  lastTime: string | null;
  lastLat: string | null;
  lastLon: string | null;
}

export function readPositions(result: Item[]): OnelinkV5Position[] {
  const entries = result.flatMap((entry) =>
    Array.isArray(field(entry, 'positionList')) ? list(entry, 'positionList') : [entry],
  );
  return entries.filter(isRecord).map((item) => ({
    ...ids(item),
    ...outcome(item),
    lastTime: text(item, 'lastTime'),
    lastLat: text(item, 'lastLat'),
    lastLon: text(item, 'lastLon'),
  }));
}
