import { createHash } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { addDays, type Clock, cstDate, cstMonth, systemClock } from '../../domain/index.js';
import {
  CallLog,
  FaultInjector,
  type FaultSettings,
  faultMiddleware,
  hashString,
  PatternFleet,
  simulatedDailyKb,
} from '../spec/simulator-kit.js';

/**
 * A fake China Telecom 5G CMP gateway, written from cn-carriers-notes.md without the client's
 * code: it checks `AppKey`, the `Timestamp` window and the `Sign` with its own MD5, enforces the
 * batch limit (100), the empty `acctCd`, the 待激活 refusal (100008) and state changes, and cuts
 * a card's data once its month reaches an off-net cap. Codes the notes do not give are the same
 * guesses the protocol module documents.
 */

export interface Telecom5gSimulatorOptions {
  appKey: string;
  secretKey: string;
  custNumber: string;
  size: number;
  clock?: Clock;
  seed?: number;
  faults?: FaultSettings;
  /** Numbers per batch call (default 100). */
  batchLimit?: number;
  /** How far a Timestamp may be from now (default 10 minutes; guess). */
  timestampWindowMs?: number;
}

const STATUS_NAMES: Record<string, string> = {
  '1': '可激活',
  '2': '测试激活',
  '3': '测试去激活',
  '4': '在用',
  '5': '停机',
  '6': '运营商管理状态',
  '7': '拆机',
};

class Refusal {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

type Field = 'accessNumber' | 'iccid' | 'imsi';
const FLEET_KIND = { accessNumber: 'msisdn', iccid: 'iccid', imsi: 'imsi' } as const;

export interface Telecom5gSimulator {
  app: Hono;
  faults: FaultInjector;
  calls: CallLog;
  fleet: PatternFleet;
  status(index: number): string;
  offNet(index: number): { quotaMb: number; type: string } | undefined;
}

export function createTelecom5gSimulator(options: Telecom5gSimulatorOptions): Telecom5gSimulator {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 13;
  const limit = options.batchLimit ?? 100;
  const window = options.timestampWindowMs ?? 10 * 60_000;
  const faults = new FaultInjector(options.faults ?? {}, { seed, now: () => clock.now() });
  const calls = new CallLog();
  const fleet = new PatternFleet({
    iccidPrefix: '8986032',
    msisdnPrefix: '1490',
    imsiPrefix: '46011',
    imeiPrefix: '86',
    size: options.size,
  });
  const statuses = new Map<number, string>();
  const history = new Map<number, { statusCd: string; at: number }[]>();
  const offNets = new Map<number, { quotaMb: number; type: string }>();
  let transactions = 0;

  const hash = (index: number, salt: string) => hashString(`${seed}|${index}|${salt}`);
  const baseStatus = (index: number): string => {
    if (index === 0) return '4';
    const bucket = hash(index, 'status') % 100;
    if (bucket < 80) return '4';
    if (bucket < 88) return '5';
    if (bucket < 93) return '1';
    if (bucket < 97) return '2';
    if (bucket < 99) return '3';
    return '6';
  };
  const status = (index: number) => statuses.get(index) ?? baseStatus(index);
  const setStatus = (index: number, statusCd: string) => {
    statuses.set(index, statusCd);
    history.set(index, [...(history.get(index) ?? []), { statusCd, at: clock.now() }]);
  };
  const kb = (index: number, date: string) => simulatedDailyKb(fleet.card(index).iccid, date);
  const monthKb = (index: number, month: string) => {
    const today = cstDate(clock.now());
    let total = 0;
    for (
      let date = `${month}-01`;
      date.startsWith(month) && date <= today;
      date = addDays(date, 1)
    ) {
      total += kb(index, date);
    }
    return total;
  };
  const capReached = (index: number) => {
    const cap = offNets.get(index);
    return cap !== undefined && monthKb(index, cstMonth(clock.now())) >= cap.quotaMb * 1024;
  };
  const mb = (value: number) => (value / 1024).toFixed(2);
  const cst = (instant: number) =>
    new Date(instant + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  const transactionId = () => {
    transactions += 1;
    return `5G${cstDate(clock.now()).replaceAll('-', '')}${String(transactions).padStart(10, '0')}`;
  };
  const changeOk = () =>
    `<?xml version="1.0" encoding="UTF-8"?><SvcCont><Response><RspType>0</RspType><RspCode>0000</RspCode><RspDesc>成功</RspDesc></Response><GROUP_TRANSACTIONID>${transactionId()}</GROUP_TRANSACTIONID></SvcCont>`;
  const changeRefused = (refusal: Refusal) =>
    `<?xml version="1.0" encoding="UTF-8"?><SvcCont><Response><RspType>1</RspType><RspCode>${refusal.code}</RspCode><RspDesc>${refusal.message}</RspDesc></Response></SvcCont>`;

  /** Verifies the three headers with this simulator's own MD5 (notes §Sign). */
  const verify = (context: Context, rawBody: string) => {
    if (context.req.header('AppKey') !== options.appKey) throw new Refusal('1001', 'AppKey 无效');
    const timestamp = context.req.header('Timestamp') ?? '';
    const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(timestamp);
    if (!match) throw new Refusal('1003', 'Timestamp 格式错误');
    const [, y, mo, d, h, mi, s] = match;
    const asGmt = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    const now = clock.now();
    // guess (notes): one client sends local (CST) time, so both readings are tolerated.
    const near = (instant: number) => Math.abs(now - instant) <= window;
    if (!near(asGmt) && !near(asGmt - 8 * 3_600_000)) {
      throw new Refusal('1003', 'Timestamp 超出有效期');
    }
    const url = new URL(context.req.url);
    const pairs = [...url.searchParams.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => `${key}=${value}`)
      .join('&');
    const digest = createHash('md5')
      .update(`${pairs}${rawBody}${options.secretKey}${timestamp}`)
      .digest('hex');
    const expected = Buffer.from(digest).toString('hex').toUpperCase();
    if (
      (context.req.header('Sign') ?? '').toUpperCase() !== expected ||
      !context.req.header('Sign')
    ) {
      throw new Refusal('1002', '签名错误');
    }
  };

  const parseBody = (raw: string): Record<string, unknown> => {
    try {
      const body = JSON.parse(raw) as unknown;
      if (body && typeof body === 'object' && !Array.isArray(body))
        return body as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new Refusal('1005', '请求体须为 JSON 对象');
  };

  /** The asked numbers of a batch call: one list, 1..limit numbers, custNumber required. */
  const numbers = (body: Record<string, unknown>): { field: Field; list: string[] } => {
    if (body.custNumber !== options.custNumber) throw new Refusal('1005', 'custNumber 错误或缺失');
    const fields = (['accessNumber', 'iccid', 'imsi'] as const).filter((field) => field in body);
    if (fields.length !== 1)
      throw new Refusal('1005', '须且只能传 accessNumber、iccid 或 imsi 之一');
    const field = fields[0]!;
    const list = body[field];
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every((value) => typeof value === 'string')
    ) {
      throw new Refusal('1005', `${field} 须为号码数组`);
    }
    if (list.length > limit) throw new Refusal('1005', `一次最多 ${limit} 张`);
    return { field, list: list as string[] };
  };

  const perNumber = (
    body: Record<string, unknown>,
    record: (index: number) => Record<string, unknown>,
  ) => {
    const { field, list } = numbers(body);
    return list.map((number) => {
      const index = fleet.find(FLEET_KIND[field], number);
      if (index === undefined) return { [field]: number, status: '2001', statusDesc: '号码不存在' };
      if (faults.failItem()) return { [field]: number, status: '2999', statusDesc: '系统繁忙' };
      const card = fleet.card(index);
      return {
        accessNumber: card.msisdn,
        ...(field === 'accessNumber'
          ? {}
          : { [field]: field === 'iccid' ? card.iccid : card.imsi }),
        ...record(index),
        result: '1',
        status: '0',
        statusDesc: '查询成功',
      };
    });
  };

  const cardOf = (body: Record<string, unknown>): number => {
    const number = body.access_number;
    if (typeof number !== 'string' || number === '')
      throw new Refusal('1005', 'access_number 必填');
    const index = fleet.find('msisdn', number);
    if (index === undefined) throw new Refusal('2001', '号码不存在');
    return index;
  };

  const json = (context: Context, body: unknown) => context.json(body as object);

  const app = new Hono();
  app.use(
    '*',
    faultMiddleware(faults, (context) => context.json({ code: 1004, msg: '请求过于频繁' })),
  );
  app.all('*', async (context) => {
    const rawBody = context.req.method === 'GET' ? '' : await context.req.text();
    const path = context.req.path;
    calls.record(path, {}, clock.now());
    const isChange = path.startsWith('/5gcmp/');
    try {
      verify(context, rawBody);
      const body = context.req.method === 'GET' ? {} : parseBody(rawBody);
      switch (path) {
        case '/api/v1/prod/batchQrySimInfo':
          return json(context, {
            code: 0,
            msg: '查询成功',
            data: perNumber(body, (index) => {
              const card = fleet.card(index);
              const cap = offNets.get(index);
              return {
                iccid: card.iccid,
                imsi: card.imsi,
                imei: card.imei,
                productMainStatusCd: status(index),
                activeTime: cst(Date.UTC(2023, 0, 1) + (hash(index, 'active') % 300) * 86_400_000),
                offNetQuota: cap ? String(cap.quotaMb) : '',
                offNetType: cap ? cap.type : '',
                netBlockStatusName: capReached(index) ? '已断网' : '未断网',
              };
            }),
          });
        case '/api/v1/prod/batchQrySimStatus':
          return json(context, {
            code: 0,
            msg: '查询成功',
            data: perNumber(body, (index) => ({
              productMainStatusCd: status(index),
              productMainStatusName: STATUS_NAMES[status(index)],
              netBlockStatusName: capReached(index) ? '已断网' : '未断网',
            })),
          });
        case '/api/v1/batchQry/batchQryFlowByDate': {
          const raw = typeof body.date === 'string' ? body.date : '';
          if (!/^\d{8}$/.test(raw)) throw new Refusal('1005', 'date 须为 yyyyMMdd');
          const date = `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6, 8)}`;
          const today = cstDate(clock.now());
          if (date > today || date < addDays(today, -180)) {
            throw new Refusal('1005', 'date 超出可查询范围');
          }
          return json(context, {
            code: 0,
            msg: '查询成功',
            data: perNumber(body, (index) => ({
              unit: 'MB',
              flowAmount: mb(kb(index, date)),
              date: raw,
            })),
          });
        }
        case '/api/v1/batchQry/batchQryFlowByMonth': {
          const raw = typeof body.month === 'string' ? body.month : '';
          if (!/^\d{6}$/.test(raw)) throw new Refusal('1005', 'month 须为 yyyyMM');
          const month = `${raw.slice(0, 4)}-${raw.slice(4, 6)}`;
          if (month > cstMonth(clock.now())) throw new Refusal('1005', 'month 超出可查询范围');
          return json(context, {
            code: 0,
            msg: '查询成功',
            data: perNumber(body, (index) => ({
              unit: 'MB',
              flowAmount: mb(monthKb(index, month)),
              month: raw,
            })),
          });
        }
        case '/5gcmp/openapi/v1/common/disabledNumberService': {
          const index = cardOf(body);
          // notes: "文档中没有，请求示例中有 不传入会报错" — acctCd must be there, empty.
          if (!('acctCd' in body)) throw new Refusal('1005', 'acctCd 不能为空');
          const current = status(index);
          if (body.orderTypeId === '19') {
            if (current !== '4')
              throw new Refusal('2002', `当前状态(${STATUS_NAMES[current]})不允许停机`);
            setStatus(index, '5');
          } else if (body.orderTypeId === '20') {
            if (current === '1') throw new Refusal('100008', '待激活状态不能复机，请调用强制激活');
            if (current !== '5')
              throw new Refusal('2002', `当前状态(${STATUS_NAMES[current]})不允许复机`);
            setStatus(index, '4');
          } else throw new Refusal('1005', 'orderTypeId 须为 19 或 20');
          return context.body(changeOk(), 200, { 'content-type': 'text/xml; charset=utf-8' });
        }
        case '/5gcmp/openapi/v1/common/requestServActive': {
          const index = cardOf(body);
          const current = status(index);
          if (!['1', '2', '3'].includes(current)) {
            throw new Refusal('2002', `当前状态(${STATUS_NAMES[current]})不需要激活`);
          }
          setStatus(index, '4');
          return json(context, {
            code: 0,
            msg: '激活成功',
            data: { transactionId: transactionId() },
          });
        }
        case '/5gcmp/openapi/v1/common/offNetAction': {
          const index = cardOf(body);
          const { action, quota, type } = body as Record<string, unknown>;
          if (!['1', '2', '3'].includes(String(action)) || !['1', '2'].includes(String(type))) {
            throw new Refusal('1005', 'action 1/2/3, type 1/2');
          }
          const existing = offNets.get(index);
          if (action === '1' && existing) throw new Refusal('2003', '已存在达量断网配置');
          if (action !== '1' && !existing) throw new Refusal('2003', '不存在达量断网配置');
          if (action === '3') offNets.delete(index);
          else {
            if (typeof quota !== 'string' || !/^\d+$/.test(quota) || Number(quota) <= 0) {
              throw new Refusal('1005', 'quota 须为正整数(MB)');
            }
            offNets.set(index, { quotaMb: Number(quota), type: String(type) });
          }
          return context.body(changeOk(), 200, { 'content-type': 'text/xml; charset=utf-8' });
        }
        case '/openapi/v1/prodinst/cradStatus': {
          const index = cardOf(body);
          const since = Date.UTC(2023, 0, 1) + (hash(index, 'active') % 300) * 86_400_000;
          const entries = [
            { statusCd: baseStatus(index), at: since },
            ...(history.get(index) ?? []),
          ];
          return json(context, {
            result: '0',
            resultMsg: '成功',
            data: entries
              .map((entry) => ({
                statusCd: entry.statusCd,
                statusName: STATUS_NAMES[entry.statusCd],
                changeTime: cst(entry.at),
              }))
              .reverse(),
          });
        }
        default: {
          const diagnosis = /^\/api\/v1\/openRisk\/([^/]+)\/diagnosis$/.exec(path);
          if (diagnosis && context.req.method === 'GET') {
            const index = cardOf({ access_number: decodeURIComponent(diagnosis[1]!) });
            const current = status(index);
            const cut = capReached(index);
            return json(context, {
              code: 0,
              msg: '诊断完成',
              data: {
                accessNumber: fleet.card(index).msisdn,
                diagnosisList: [
                  {
                    itemName: '号码状态',
                    itemResult: current === '4' ? '0' : '1',
                    itemDesc: STATUS_NAMES[current],
                  },
                  {
                    itemName: '达量断网',
                    itemResult: cut ? '1' : '0',
                    itemDesc: cut ? '已断网' : '未断网',
                  },
                  { itemName: '欠费', itemResult: '0', itemDesc: '无欠费' },
                ],
              },
            });
          }
          return context.json({ code: 404, msg: `接口 ${path} 不存在` }, 404);
        }
      }
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      if (isChange) {
        return context.body(changeRefused(error), 200, {
          'content-type': 'text/xml; charset=utf-8',
        });
      }
      return context.json({ code: Number(error.code), msg: error.message });
    }
  });

  return {
    app,
    faults,
    calls,
    fleet,
    status,
    offNet: (index) => offNets.get(index),
  };
}
