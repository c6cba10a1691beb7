import {
  parseCstDateTime,
  type SupplierNotice,
  type SupplierNoticeHandler,
  type SupplierUsageWarning,
} from '../spec/index.js';
import {
  createM2mNoticeApp,
  type M2mFlowMonitorRecord,
  type M2mNotice,
} from './m2m10086-notices.js';

/** A flow-monitor record (§3.2.2) as a supplier usage warning. */
export function m2mUsageWarning(record: M2mFlowMonitorRecord): SupplierUsageWarning {
  return {
    dedupeKey: record.dedupeKey,
    alarmKey: `m2m:flowmonitor:${record.dedupeKey}`,
    msisdn: record.cardcode,
    plan: record.taocan,
    planBytes: record.taocanflowBytes,
    nearBytes: record.nearflowBytes,
    overBytes: record.overflowBytes,
    usedBytes: record.useflowBytes,
    cycleStart: record.billingdate,
    cycleEnd: record.billingenddate,
    near: record.isnear,
    over: record.isover,
  };
}

/** A verified M2M notice (m2m10086-api-v3.txt §3) in supplier-neutral terms. */
export function m2mSupplierNotice(notice: M2mNotice): SupplierNotice {
  const common = { kind: `m2m:${notice.msgtype}`, dedupeKey: notice.dedupeKey, payload: notice };
  switch (notice.msgtype) {
    case 'notice_smsreceive':
      return {
        ...common,
        inboundTexts: notice.records
          .filter((record) => record.content !== null)
          .map((record) => ({
            // The read path (§2.6) builds the same id, so a text both read and pushed is stored once.
            messageId: record.dedupeKey,
            iccid: null,
            msisdn: record.mobile,
            text: record.content ?? '',
            receivedAt: parseCstDateTime(record.retime),
          })),
      };
    case 'notice_smssend':
      return {
        ...common,
        deliveryReports: notice.records.flatMap((record) =>
          !record.sendkey || record.delivered === null
            ? []
            : [
                {
                  dedupeKey: record.dedupeKey,
                  messageId: record.sendkey,
                  iccid: null,
                  msisdn: record.mobile,
                  delivered: record.delivered,
                  supplierCode: record.status,
                  at: parseCstDateTime(record.sendtime),
                },
              ],
        ),
      };
    case 'notice_flowmonitor':
      return { ...common, usageWarnings: notice.records.map(m2mUsageWarning) };
  }
}

/**
 * `POST /callbacks/<accountId>/m2m`: the platform's `notice_url` and `flowmonitor_url`, signed
 * with the account's password; answered exactly `OK` once stored.
 */
export const m2m10086NoticeHandler: SupplierNoticeHandler = {
  path: 'm2m',
  subpaths: false,
  async handle(request) {
    const password = request.settings.password;
    if (typeof password !== 'string' || password === '') {
      return new Response('account has no password', {
        status: 500,
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
      });
    }
    const app = createM2mNoticeApp({
      password,
      onNotice: (notice) => request.onNotice(m2mSupplierNotice(notice)),
      onRejected: (rejected) => request.onRejected(rejected),
    });
    return app.request('/', {
      method: 'POST',
      headers: { 'content-type': request.contentType },
      body: request.body,
    });
  },
};
