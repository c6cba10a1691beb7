import { type Context, Hono } from 'hono';
import { type Clock, cstDate, systemClock } from '../../domain/index.js';
import {
  CallLog,
  FaultInjector,
  type FaultSettings,
  faultMiddleware,
  hashString,
  PatternFleet,
  simulatedDailyKb,
} from '../spec/simulator-kit.js';
import { TelecomCmpCipher } from './telecom-cmp-des.js';

/**
 * A fake China Telecom 4G CMP, written from cn-carriers-notes.md without the client's code. It
 * uses the DES primitive (pinned by the notes' vendor vectors) but checks the other way round:
 * it decrypts `password` and `sign` and compares them with the values it expects, the sign's
 * plain text built and sorted here. Codes and answer shapes the notes do not give are the same
 * guesses the protocol module documents.
 */

export interface TelecomCmpSimulatorOptions {
  userId: string;
  password: string;
  key: string;
  size: number;
  clock?: Clock;
  seed?: number;
  faults?: FaultSettings;
  /** Paths as the CMP serves them. */
  queryPath?: string;
  changePath?: string;
}

export interface TelecomCmpSimulatorCard {
  index: number;
  iccid: string;
  msisdn: string;
  imsi: string;
}

/** Card main status names (productMainStatusName). */
const STATUS_NAMES: Record<string, string> = {
  '1': '可激活',
  '2': '测试激活',
  '3': '测试去激活',
  '4': '在用',
  '5': '停机',
  '6': '运营商管理状态',
  '7': '拆机',
};

/** disabledNumber orderTypeId: where a card may start, where it lands. */
const ORDER_TYPES: Record<string, { from: string[]; to: string }> = {
  '19': { from: ['4'], to: '5' },
  '20': { from: ['5'], to: '4' },
  '21': { from: ['2'], to: '3' },
  '22': { from: ['3'], to: '2' },
};

const QUERY_METHODS = new Set([
  'queryTraffic',
  'queryTrafficByDate',
  'queryCardMainStatus',
  'getOnlineStatus',
  'getSIMList',
]);
const CHANGE_METHODS = new Set(['disabledNumber', 'offNetAction', 'speedLimitAction']);
const JSON_METHODS = new Set(['queryCardMainStatus', 'getOnlineStatus']);
/** The change's own signed fields, per method, besides card, user, password and method. */
const SIGNED_FIELDS: Record<string, string[]> = {
  disabledNumber: ['acctCd', 'orderTypeId'],
  offNetAction: ['action', 'quota', 'type'],
  speedLimitAction: ['action', 'speedValue'],
};

const PAGE = 50;

class Refusal {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

export interface TelecomCmpSimulator {
  app: Hono;
  faults: FaultInjector;
  calls: CallLog;
  fleet: PatternFleet;
  card(index: number): TelecomCmpSimulatorCard;
  /** The card's productMainStatusCd now. */
  status(index: number): string;
  /** The card's off-net cap, if any. */
  offNet(index: number): { quotaMb: number; type: string } | undefined;
  /** The card's speed code, if limited. */
  speed(index: number): string | undefined;
}

export function createTelecomCmpSimulator(
  options: TelecomCmpSimulatorOptions,
): TelecomCmpSimulator {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 11;
  const faults = new FaultInjector(options.faults ?? {}, { seed, now: () => clock.now() });
  const calls = new CallLog();
  const cipher = TelecomCmpCipher.fromKey(options.key);
  const fleet = new PatternFleet({
    iccidPrefix: '8986111',
    msisdnPrefix: '1410',
    imsiPrefix: '46011',
    size: options.size,
  });
  const statuses = new Map<number, string>();
  const offNets = new Map<number, { quotaMb: number; type: string }>();
  const speeds = new Map<number, string>();
  let transactions = 0;

  const hash = (index: number, salt: string) => hashString(`${seed}|${index}|${salt}`);
  const baseStatus = (index: number): string => {
    // Card 0 is always in use, so every fleet has an active card to pause.
    if (index === 0) return '4';
    const bucket = hash(index, 'status') % 100;
    if (bucket < 80) return '4';
    if (bucket < 88) return '5';
    if (bucket < 92) return '1';
    if (bucket < 96) return '2';
    if (bucket < 98) return '3';
    return '6';
  };
  const status = (index: number) => statuses.get(index) ?? baseStatus(index);
  const kbBetween = (index: number, from: string, to: string): number => {
    const iccid = fleet.card(index).iccid;
    let total = 0;
    for (let day = Date.parse(`${from}T00:00:00Z`); ; day += 86_400_000) {
      const date = new Date(day).toISOString().slice(0, 10);
      if (date > to) break;
      total += simulatedDailyKb(iccid, date);
    }
    return total;
  };
  const monthToDateKb = (index: number) => {
    const today = cstDate(clock.now());
    return kbBetween(index, `${today.slice(0, 8)}01`, today);
  };
  const capReached = (index: number) => {
    const cap = offNets.get(index);
    return cap !== undefined && monthToDateKb(index) >= cap.quotaMb * 1024;
  };
  const mb = (kb: number) => `${(kb / 1024).toFixed(2)}MB`;
  const transactionId = () => {
    transactions += 1;
    return `1000000190${cstDate(clock.now()).replaceAll('-', '')}${String(transactions).padStart(10, '0')}`;
  };

  const xml = (root: string, fields: Record<string, string>) =>
    `<?xml version="1.0" encoding="UTF-8"?><${root}>${Object.entries(fields)
      .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
      .join('')}</${root}>`;
  const refusalBody = (method: string, refusal: Refusal) =>
    JSON_METHODS.has(method)
      ? JSON.stringify({ resultCode: refusal.code, resultMsg: refusal.message })
      : xml('root', { RspCode: refusal.code, RspDesc: refusal.message });
  const changeOk = () =>
    `<?xml version="1.0" encoding="UTF-8"?><SvcCont><Response><RspType>0</RspType><RspCode>0000</RspCode><RspDesc>成功</RspDesc></Response><GROUP_TRANSACTIONID>${transactionId()}</GROUP_TRANSACTIONID></SvcCont>`;

  const findCard = (params: URLSearchParams): number => {
    const accessNumber = params.get('access_number');
    const iccid = params.get('iccid');
    const index = accessNumber
      ? fleet.find('msisdn', accessNumber)
      : iccid
        ? fleet.find('iccid', iccid)
        : undefined;
    if (!accessNumber && !iccid) throw new Refusal('-1', '参数错误: access_number 或 iccid 必填');
    if (index === undefined) throw new Refusal('-4', '号码不存在或不属于该客户');
    return index;
  };

  const verify = (method: string, params: URLSearchParams) => {
    if (params.get('user_id') !== options.userId) throw new Refusal('-2', '用户名或密码错误');
    const passWord = params.get('password') ?? params.get('passWord') ?? '';
    if (decrypts(passWord) !== options.password) throw new Refusal('-2', '用户名或密码错误');
    const card = params.get('access_number') ?? params.get('iccid');
    const values = [options.userId, options.password, method];
    if (card !== null) values.push(card);
    for (const field of SIGNED_FIELDS[method] ?? []) {
      const value = params.get(field);
      if (value === null) throw new Refusal('-1', `参数错误: ${field} 必填`);
      values.push(value);
    }
    // Java Arrays.sort on strings: UTF-16 code-unit order, which is also JS's default sort.
    if (decrypts(params.get('sign') ?? '') !== values.sort().join(',')) {
      throw new Refusal('-3', '签名验证失败');
    }
  };
  const decrypts = (hex: string): string | null => {
    try {
      return cipher.decrypt(hex);
    } catch {
      return null;
    }
  };

  const handlers: Record<string, (params: URLSearchParams) => string> = {
    queryTraffic(params) {
      const index = findCard(params);
      return xml('root', {
        IRESULT: '0',
        GROUP_TRANSACTIONID: transactionId(),
        TOTAL_BYTES_CNT: mb(monthToDateKb(index)),
        number: fleet.card(index).msisdn,
      });
    },
    queryTrafficByDate(params) {
      const index = findCard(params);
      const from = compactToDate(params.get('startDate'));
      const to = compactToDate(params.get('endDate'));
      const needDtl = params.get('needDtl') ?? '0';
      if (!from || !to || !['0', '1'].includes(needDtl)) {
        throw new Refusal('-1', '参数错误: startDate/endDate 须为 yyyyMMdd, needDtl 0 或 1');
      }
      if (from > to || from.slice(0, 7) !== to.slice(0, 7)) {
        throw new Refusal('-1', '参数错误: 查询区间须在同一自然月内');
      }
      if (to > cstDate(clock.now())) throw new Refusal('-1', '参数错误: 不能查询未来日期');
      const total = kbBetween(index, from, to);
      let detail = '';
      if (needDtl === '1') {
        detail = '<DETAIL>';
        for (let day = Date.parse(`${from}T00:00:00Z`); ; day += 86_400_000) {
          const date = new Date(day).toISOString().slice(0, 10);
          if (date > to) break;
          const kb = simulatedDailyKb(fleet.card(index).iccid, date);
          detail += `<ITEM><TIME_STAMP>${date.replaceAll('-', '')}</TIME_STAMP><BYTES_CNT>${mb(kb)}</BYTES_CNT></ITEM>`;
        }
        detail += '</DETAIL>';
      }
      return `<?xml version="1.0" encoding="UTF-8"?><root><web_NEW_DATA_TICKET_QRsp><IRESULT>0</IRESULT><TOTAL_BYTES_CNT>${mb(total)}</TOTAL_BYTES_CNT>${detail}</web_NEW_DATA_TICKET_QRsp></root>`;
    },
    queryCardMainStatus(params) {
      const index = findCard(params);
      const code = status(index);
      return JSON.stringify({
        resultCode: '0',
        resultMsg: '成功',
        GROUP_TRANSACTIONID: transactionId(),
        netBlockStatusName: capReached(index) ? '已断网' : '未断网',
        productInfo: [{ productMainStatusCd: code, productMainStatusName: STATUS_NAMES[code] }],
      });
    },
    getOnlineStatus(params) {
      const index = findCard(params);
      const card = fleet.card(index);
      const online = status(index) === '4' && !capReached(index) && hash(index, 'online') % 10 < 7;
      const started = cstStamp(clock.now() - (hash(index, 'since') % 86_400) * 1000);
      return JSON.stringify({
        resultCode: '0',
        resultMsg: '处理成功！',
        groupTransactionId: transactionId(),
        description: {
          result: online ? '0' : '-1',
          msisdn: `86${card.msisdn}`,
          imsi: card.imsi,
          netModel: '2',
          acctStatusType: online ? 'start' : 'stop',
          eventTimestamp: started,
          framedIpAddress: `10.${hash(index, 'ip') % 256}.${index % 256}.${(index >> 8) % 256}`,
          apn: 'simdock.cmp.sim',
          rattype: '6',
          startTime: online ? started : '',
          stopTime: online ? '' : started,
        },
      });
    },
    getSIMList(params) {
      const pageIndex = Number(params.get('pageIndex') ?? '1');
      if (!Number.isInteger(pageIndex) || pageIndex < 1) {
        throw new Refusal('-1', '参数错误: pageIndex');
      }
      const simList = [];
      for (
        let index = (pageIndex - 1) * PAGE;
        index < Math.min(fleet.size, pageIndex * PAGE);
        index += 1
      ) {
        const card = fleet.card(index);
        simList.push({
          accNumber: card.msisdn,
          iccid: card.iccid,
          imsi: card.imsi,
          simStatus: status(index),
        });
      }
      // seen ×1: the list comes back strEnc-encrypted with the account's key.
      return cipher.encrypt(
        JSON.stringify({
          resultCode: '0',
          resultMsg: '成功',
          description: { pageIndex: String(pageIndex), totalCount: String(fleet.size), simList },
        }),
      );
    },
    disabledNumber(params) {
      const index = findCard(params);
      const orderTypeId = params.get('orderTypeId') ?? '';
      const transition = ORDER_TYPES[orderTypeId];
      if (!transition) throw new Refusal('-1', `参数错误: orderTypeId ${orderTypeId}`);
      if (params.get('acctCd') !== '') throw new Refusal('-1', '参数错误: acctCd 须为空');
      const current = status(index);
      if (!transition.from.includes(current)) {
        throw new Refusal('-7', `当前状态(${STATUS_NAMES[current]})不允许办理该业务`);
      }
      statuses.set(index, transition.to);
      return changeOk();
    },
    offNetAction(params) {
      const index = findCard(params);
      const action = params.get('action') ?? '';
      const type = params.get('type') ?? '';
      const quota = params.get('quota') ?? '';
      if (!['1', '2', '3'].includes(action) || !['1', '2'].includes(type)) {
        throw new Refusal('-1', '参数错误: action 1/2/3, type 1/2');
      }
      const existing = offNets.get(index);
      if (action === '1' && existing) throw new Refusal('-8', '已存在达量断网配置');
      if (action !== '1' && !existing) throw new Refusal('-8', '不存在达量断网配置');
      if (action === '3') offNets.delete(index);
      else {
        if (!/^\d+$/.test(quota) || Number(quota) <= 0) {
          throw new Refusal('-1', '参数错误: quota 须为正整数(MB)');
        }
        offNets.set(index, { quotaMb: Number(quota), type });
      }
      return changeOk();
    },
    speedLimitAction(params) {
      const index = findCard(params);
      const action = params.get('action');
      const speedValue = params.get('speedValue') ?? '';
      const code = Number(speedValue);
      if (!/^\d{2}$/.test(speedValue) || code < 10 || code > 33) {
        throw new Refusal('-1', '参数错误: speedValue 10-33');
      }
      if (action === 'ADD') speeds.set(index, speedValue);
      else if (action === 'DEL') speeds.delete(index);
      else throw new Refusal('-1', '参数错误: action ADD/DEL');
      // seen ×1: some changes answer a short text, a 2-character code then the message.
      return `00受理成功，流水号：${transactionId()}`;
    },
  };

  const app = new Hono();
  app.use(
    '*',
    faultMiddleware(faults, (context: Context) =>
      context.body(xml('root', { RspCode: '-6', RspDesc: '调用过于频繁，请稍后再试' }), 200, {
        'content-type': 'text/xml; charset=utf-8',
      }),
    ),
  );
  const serve = (allowed: Set<string>) => (context: Context) => {
    const params = new URL(context.req.url).searchParams;
    const method = params.get('method') ?? '';
    calls.record(`${context.req.path}?${method}`, redacted(params), clock.now());
    try {
      if (!allowed.has(method)) throw new Refusal('-1', `参数错误: 未知方法 ${method}`);
      verify(method, params);
      if (faults.failItem()) throw new Refusal('-9', '系统繁忙');
      const body = handlers[method]!(params);
      const type = JSON_METHODS.has(method)
        ? 'application/json; charset=utf-8'
        : 'text/xml; charset=utf-8';
      return context.body(body, 200, { 'content-type': type });
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return context.body(refusalBody(method, error), 200, {
        'content-type': 'text/plain; charset=utf-8',
      });
    }
  };
  // Changes are served on query.do too: a public client sends disabledNumber there (seen ×1).
  app.get(
    options.queryPath ?? '/m2m_ec/query.do',
    serve(new Set([...QUERY_METHODS, ...CHANGE_METHODS])),
  );
  app.get(options.changePath ?? '/m2m_ec/app/serviceAccept.do', serve(CHANGE_METHODS));

  return {
    app,
    faults,
    calls,
    fleet,
    card: (index) => {
      const { iccid, msisdn, imsi } = fleet.card(index);
      return { index, iccid, msisdn, imsi };
    },
    status,
    offNet: (index) => offNets.get(index),
    speed: (index) => speeds.get(index),
  };
}

function compactToDate(value: string | null): string | null {
  if (!value || !/^\d{8}$/.test(value)) return null;
  const date = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
  return Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ? null : date;
}

function cstStamp(instant: number): string {
  return new Date(instant + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function escapeXml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function redacted(params: URLSearchParams): Record<string, string> {
  const record = Object.fromEntries(params);
  for (const secret of ['password', 'passWord', 'sign'])
    if (secret in record) record[secret] = '***';
  return record;
}
