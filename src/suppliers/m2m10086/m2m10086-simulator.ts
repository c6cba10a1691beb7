import { type Context, Hono } from 'hono';
import { type Clock, cstMonth, systemClock } from '../../domain/index.js';
import type { FetchFunction } from '../spec/index.js';
import {
  CallLog,
  FaultInjector,
  type FaultSettings,
  faultMiddleware,
  type PatternFleet,
} from '../spec/simulator-kit.js';
import {
  createM2mFleet,
  cstDateTime,
  findCard,
  flowMonitorRecords,
  inMonthWindow,
  type M2mSimulatedCard,
  monthFlowKb,
  simulatedCard,
  simulatedPosition,
} from './m2m10086-simulator-fleet.js';
import { M2mNoticePusher } from './m2m10086-simulator-pusher.js';
import { checkRequest, decodeSent, type SimulatedEndpoint } from './m2m10086-simulator-rules.js';

export interface M2mSimulatorOptions {
  partnercode: string;
  servicecode: string;
  password: string;
  /** Cards in the fleet (any size: no memory per card). */
  size: number;
  clock?: Clock;
  faults?: FaultSettings;
  /** Where SMS notices go (§3.1 notice_url); none are pushed when absent. */
  noticeUrl?: string;
  /** Where flow notices go (§3.2 flowmonitor_url); defaults to `noticeUrl`. */
  flowMonitorUrl?: string;
  /** The transport for notices (tests pass the receiving app's fetch). */
  fetch?: FetchFunction;
  seed?: number;
  /** Path overrides, mirroring the client's table. */
  paths?: Partial<Record<SimulatedEndpoint, string>>;
  /** Delay before a sent SMS settles (default 10 s on the clock). */
  deliveryDelayMs?: number;
  /** Delay before a diagnosis settles (default 60 s on the clock). */
  diagnosisDelayMs?: number;
  /** SMS the account may still send (default unlimited); 0 answers 0021. */
  smsQuota?: number;
  /** Locations the account may still ask for (default unlimited); 0 answers 0030. */
  locationQuota?: number;
  /** Emit `result` as JSON text, as the document's field tables type it ("String"). */
  resultAsText?: boolean;
}

interface SentSms {
  sendkey: string;
  mobile: string;
  content: string;
  contentSent: string;
  sentAt: number;
  /** `1` delivered or `0` failed, once settled. */
  outcome: '0' | '1';
}

const PATHS: Record<SimulatedEndpoint, string> = {
  searchInfo: '/M2MSearchInfo.ashx',
  searchTermInfo: '/M2MSearchTermInfo.ashx',
  smsSend: '/M2MSmsSend.ashx',
  smsSendFmt: '/M2MSmsSendFmt.ashx',
  smsSendResult: '/M2MHistorySend.ashx',
  smsReceive: '/M2MHistorySend.ashx',
  searchMonthFlow: '/M2MSearchMonthFlow.ashx',
  surplusFlow: '/M2MSurplusFlow.ashx',
  macState: '/M2MMacState.ashx',
  macStateResult: '/M2MMacStateResult.ashx',
  location: '/M2Mlocation.ashx',
  lbsInfo: '/M2MLbsInfo.ashx',
};

type Answer = { status: string; message?: string; result?: unknown; extra?: object };
const answer = (status: string, message: string, result?: unknown): Answer => ({
  status,
  message,
  result,
});
const success = (result?: unknown, extra?: object): Answer => ({
  status: '0000',
  message: '成功',
  result,
  extra,
});

/**
 * A fake M2M card platform speaking m2m10086-api-v3.txt: every endpoint, its own sign check,
 * field lengths, the §4.1 codes where the document applies them, the diagnosis as a job that
 * settles on the clock, replies readable once, and notices pushed with the §3.1 resends.
 */
export function createM2mSimulator(options: M2mSimulatorOptions) {
  const clock = options.clock ?? systemClock;
  const fleet: PatternFleet = createM2mFleet(options.size);
  const faults = new FaultInjector(options.faults ?? {}, {
    seed: options.seed,
    now: () => clock.now(),
  });
  const callLog = new CallLog();
  const paths = { ...PATHS, ...options.paths };
  const account = options;
  const pusher = new M2mNoticePusher({
    clock,
    fetch: options.fetch ?? globalThis.fetch,
    password: options.password,
  });
  const deliveryDelayMs = options.deliveryDelayMs ?? 10_000;
  const diagnosisDelayMs = options.diagnosisDelayMs ?? 60_000;
  const quotas = { sms: options.smsQuota ?? Infinity, location: options.locationQuota ?? Infinity };
  const sent = new Map<string, SentSms>();
  const inbox: { mobile: string; content: string; retime: string }[] = [];
  const diagnoses = new Map<string, { startedAt: number; previous: number | null }>();

  const cardOf = (key: string): M2mSimulatedCard | undefined => {
    const index = findCard(fleet, key);
    return index === undefined ? undefined : simulatedCard(fleet, index);
  };
  const unknownCard = answer('0014', '卡号不存在');

  const handlers: Record<SimulatedEndpoint, (fields: Record<string, string>) => Answer> = {
    searchInfo: ({ key }) => {
      const card = cardOf(key!);
      if (!card) return unknownCard;
      return success({
        cardcode: card.msisdn,
        iccid: card.iccid,
        imsi: card.imsi,
        imei: card.imei,
        mobile: '',
        meals: card.meals,
        flow: String(card.mealsKb),
        activationdate: card.activationdate,
        testenddate: card.activationdate,
        silenceenddate: card.activationdate,
        billingcycle: '1',
        billingdate: card.activationdate,
        billingenddate: '2099-12-31',
        paytype: '1',
      });
    },
    searchTermInfo: ({ key, status }) => {
      const selectors = status!.split('_');
      if (selectors.some((selector) => !/^[1-7]$/.test(selector))) {
        return answer('0015', '参数错误: status');
      }
      const card = cardOf(key!);
      if (!card) return unknownCard;
      const now = clock.now();
      const values: Record<string, Record<string, string>> = {
        '1': { flow: String(monthFlowKb(card, cstMonth(now), now)) },
        '2': { cardstatus: card.cardstatus },
        '3': { macstatus: card.deviceOn ? '1' : '0' },
        '4': { gprsstatus: card.online ? '01' : '00' },
        '5': { ip: card.online ? `10.${card.index % 250}.${(card.index >> 8) % 250}.7` : '' },
        '6': { apn: 'CMIOT' },
        '7': { rat: '4' },
      };
      const result: Record<string, string> = {
        cardcode: card.msisdn,
        iccid: card.iccid,
        imsi: card.imsi,
      };
      for (const selector of selectors) Object.assign(result, values[selector]);
      return success(result);
    },
    smsSend: (fields) => send(fields, fields.mobiletype!),
    smsSendFmt: (fields) => {
      // §4.1 0023: fmt must be an unsigned number.
      if (!/^\d{1,2}$/.test(fields.fmt!)) return answer('0023', 'Fmt 格式错误');
      return send(fields, 'fmt');
    },
    smsSendResult: ({ sendkey }) => {
      const sms = sent.get(sendkey!);
      if (!sms) return answer('0019', '无符合条件的记录');
      const settled = clock.now() >= sms.sentAt + deliveryDelayMs;
      return success({
        mobile: sms.mobile,
        sendkey: sms.sendkey,
        status: settled ? sms.outcome : '-1',
      });
    },
    smsReceive: ({ num }) => {
      const count = /^\d+$/.test(num!) ? Number(num) : Number.NaN;
      if (!(count >= 10 && count <= 50)) return answer('0015', '参数错误: num 取值范围 10-50');
      // §2.6: each reply is read once only.
      const messages = inbox.splice(0, count);
      if (messages.length === 0) return answer('0019', '无符合条件的记录');
      return success(messages, { Num: String(messages.length) });
    },
    searchMonthFlow: ({ key, month }) => {
      const match = /^(\d{4})-?(\d{2})$/.exec(month!);
      if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) {
        return answer('0017', '时间格式错误');
      }
      const normalized = `${match[1]}-${match[2]}`;
      if (!inMonthWindow(normalized, clock.now())) return answer('0018', '查询时间超出限制范围');
      const card = cardOf(key!);
      if (!card) return unknownCard;
      return success({
        cardcode: card.msisdn,
        iccid: card.iccid,
        imsi: card.imsi,
        month: month!,
        flow: String(monthFlowKb(card, normalized, clock.now())),
      });
    },
    surplusFlow: ({ key }) => {
      const card = cardOf(key!);
      if (!card) return unknownCard;
      const used = monthFlowKb(card, cstMonth(clock.now()), clock.now());
      return success({
        cardcode: card.msisdn,
        iccid: card.iccid,
        imsi: card.imsi,
        surplusflow: String(Math.max(0, card.mealsKb - used)),
      });
    },
    macState: ({ cardcode }) => {
      if (!cardOf(cardcode!)) return unknownCard;
      const job = diagnoses.get(cardcode!);
      const previous =
        job && settledAt(job.startedAt) !== null ? job.startedAt : (job?.previous ?? null);
      diagnoses.set(cardcode!, { startedAt: clock.now(), previous });
      return success('');
    },
    macStateResult: ({ cardcode }) => {
      const card = cardOf(cardcode!);
      if (!card) return unknownCard;
      const job = diagnoses.get(cardcode!);
      const done = job ? (settledAt(job.startedAt) ?? settledAt(job.previous)) : null;
      if (done === null) return answer('0019', '无符合条件的记录');
      return success({
        cardcode: card.msisdn,
        iccid: card.iccid,
        imsi: card.imsi,
        // §2.10.3: 0 unknown, 1 powered on.
        macstatus: card.deviceOn ? '1' : '0',
        lasttime: cstDateTime(done),
      });
    },
    location: ({ key }) => {
      const card = cardOf(key!);
      if (!card) return unknownCard;
      if (quotas.location <= 0) return answer('0030', '可用定位次数为零');
      if (!card.deviceOn) return answer('0031', '定位失败');
      quotas.location -= 1;
      return success({
        ...simulatedPosition(card.iccid),
        address: `浙江省杭州市 基站 ${card.index % 9000}`,
        lasttime: cstDateTime(clock.now()),
      });
    },
    lbsInfo: ({ mcc, mnc, lac, cellid }) => {
      if (!/^\d{3,4}$/.test(mcc!) || !/^[01]$/.test(mnc!)) return answer('0015', '参数错误');
      if (!/^\d+$/.test(lac!) || !/^\d+$/.test(cellid!)) return answer('0015', '参数错误');
      if (quotas.location <= 0) return answer('0030', '可用定位次数为零');
      const position = simulatedPosition(`${mcc}|${mnc}|${lac}|${cellid}`);
      // A tenth of the cells are unknown to the platform.
      if (Number(cellid) % 10 === 0 || mcc !== '460') return answer('0032', '无基站信息');
      quotas.location -= 1;
      return success({ ...position, address: `浙江省杭州市 小区 ${lac}-${cellid}` });
    },
  };

  function settledAt(startedAt: number | null | undefined): number | null {
    if (startedAt === null || startedAt === undefined) return null;
    const at = startedAt + diagnosisDelayMs;
    return clock.now() >= at ? at : null;
  }

  function send(fields: Record<string, string>, kind: string): Answer {
    const { sendkey, mobile, content } = fields as Record<string, string>;
    // §4.1 0022: a sendkey is 10–16 letters or digits.
    if (!/^[0-9A-Za-z]{10,16}$/.test(sendkey!)) return answer('0022', '短信标识错误');
    if (kind !== 'fmt' && kind !== '0' && kind !== '1')
      return answer('0015', '参数错误: mobiletype');
    const text = decodeSent(content!);
    // §2.3.1: at most 130 characters, counted on the decoded text.
    if (text === null || text.length === 0 || [...text].length > 130) {
      return answer('0015', '参数错误: content');
    }
    const card = cardOf(mobile!);
    if (kind === '1') {
      if (!/^1\d{10}$/.test(mobile!)) return answer('0025', '错误的手机号码');
    } else if (!/^\d{13}$/.test(mobile!)) {
      return answer('0025', '错误的手机号码');
    } else if (!card) {
      return kind === 'fmt' ? answer('0025', '错误的手机号码') : unknownCard;
    }
    if (sent.has(sendkey!)) return answer('0024', '短信标识重复');
    if (quotas.sms <= 0) return answer('0021', '短信条数不足');
    quotas.sms -= 1;
    const sms: SentSms = {
      sendkey: sendkey!,
      mobile: mobile!,
      content: text,
      contentSent: content!,
      sentAt: clock.now(),
      outcome: !card || card.cardstatus === '00' ? '1' : '0',
    };
    sent.set(sendkey!, sms);
    if (options.noticeUrl) void notifySent(sms, options.noticeUrl);
    return success('');
  }

  async function notifySent(sms: SentSms, url: string): Promise<void> {
    await clock.sleep(deliveryDelayMs);
    pusher.push(url, 'notice_smssend', [
      {
        mobile: sms.mobile,
        sendkey: sms.sendkey,
        content: sms.contentSent,
        status: sms.outcome,
        sendtime: cstDateTime(sms.sentAt),
      },
    ]);
  }

  const app = new Hono();
  app.use(
    '*',
    // The document defines no throttling answer; HTTP 429 stands for the gateway's.
    faultMiddleware(faults, (context) => context.text('Too Many Requests', 429)),
  );
  const byPath = new Map<string, SimulatedEndpoint[]>();
  for (const [endpoint, path] of Object.entries(paths) as [SimulatedEndpoint, string][]) {
    byPath.set(path, [...(byPath.get(path) ?? []), endpoint]);
  }
  for (const [path, endpoints] of byPath) {
    app.post(path, async (context) => {
      let body: unknown;
      try {
        body = await context.req.json();
      } catch {
        return reply(context, answer('0015', '参数错误: 请求体不是 JSON'));
      }
      const params = typeof body === 'object' && body !== null ? body : {};
      callLog.record(path, params as Record<string, string>, clock.now());
      // §2.5 and §2.6 share one address: the fields tell which query it is.
      const endpoint =
        endpoints.length === 1 ? endpoints[0]! : 'num' in params ? 'smsReceive' : 'smsSendResult';
      const checked = checkRequest(endpoint, body, account);
      if (!checked.ok) return reply(context, answer(checked.status, checked.message));
      return reply(context, handlers[endpoint](checked.fields));
    });
  }

  function reply(context: Context, value: Answer): Response {
    const result =
      value.result === undefined
        ? ''
        : options.resultAsText && typeof value.result !== 'string'
          ? JSON.stringify(value.result)
          : value.result;
    return context.json({ status: value.status, message: value.message, ...value.extra, result });
  }

  return {
    app,
    fleet,
    faults,
    callLog,
    quotas,
    /** Notices pushed so far, attempt by attempt. */
    notices: pusher,
    /** What the platform recorded for a sendkey (content decoded). */
    sentSms: (sendkey: string) => sent.get(sendkey),
    /** A card replies: the text becomes readable once (§2.6) and is pushed (§3.1). */
    receiveSms(mobile: string, content: string, at = clock.now()): void {
      const record = { mobile, content: encodeURIComponent(content), retime: cstDateTime(at) };
      inbox.push(record);
      if (options.noticeUrl) pusher.push(options.noticeUrl, 'notice_smsreceive', [record]);
    },
    /** Replies not read yet. */
    unreadCount: () => inbox.length,
    /**
     * The daily flow warning (§3.2, sent at 0:00): every active card past 80 % (near) or 100 %
     * (over) of its package this month.
     */
    pushFlowMonitor(): number {
      const url = options.flowMonitorUrl ?? options.noticeUrl;
      const now = clock.now();
      const datas = flowMonitorRecords(fleet, now);
      if (url && datas.length > 0) pusher.push(url, 'notice_flowmonitor', datas);
      return datas.length;
    },
    /** The card's simulated state (status, device, package), for assertions. */
    card: (key: string) => cardOf(key),
  };
}

export type M2mSimulator = ReturnType<typeof createM2mSimulator>;
