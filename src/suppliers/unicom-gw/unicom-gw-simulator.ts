import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { type Clock, cstParts, systemClock } from '../../domain/index.js';
import type { FetchFunction } from '../spec/index.js';
import {
  appFetch,
  CallLog,
  FaultInjector,
  type FaultSettings,
  faultMiddleware,
} from '../spec/simulator-kit.js';
import { UnicomGwSimulatorState } from './unicom-gw-simulator-state.js';

export interface UnicomGwSimulatorOptions {
  appId: string;
  appSecret: string;
  openId: string;
  size: number;
  clock?: Clock;
  faults?: FaultSettings;
  seed?: number;
  /** Delay before an asynchronous change lands (default 20 s on the simulator's clock). */
  settleDelayMs?: number;
  /**
   * Calls per second the gateway answers before HTTP 429 (unpublished: off by default, set it
   * to test throttling; a bucket of that many calls refilled continuously on the simulator's
   * clock).
   */
  rateLimit?: number;
  /** How far a request's timestamp may be from the gateway's clock (default 10 min, a guess). */
  timestampWindowMs?: number;
}

export interface UnicomGwSimulator {
  app: Hono;
  fetch: FetchFunction;
  state: UnicomGwSimulatorState;
  faults: FaultInjector;
  calls: CallLog;
}

/** The answer envelope (cn-carriers-notes.md, "Answer"). */
function answer(status: string, message: string, data?: Record<string, unknown>) {
  return data === undefined ? { status, message } : { status, message, data };
}
const done = (data: Record<string, unknown>) =>
  answer('0000', 'success', { resultCode: '0000', resultMsg: '成功', ...data });
const refused = (resultCode: string, resultMsg: string) =>
  answer('0000', 'success', { resultCode, resultMsg });

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})[ .](\d{3})$/;
const MB = (kb: number) => (kb / 1024).toFixed(3);

/** A CST time as the simulator reports it: `yyyy-MM-dd HH:mm:ss`. */
function reportTime(instant: number): string {
  const p = cstParts(instant);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}:${two(p.second)}`;
}

/** `since`: ISO 8601 with an offset, or CST `yyyy-MM-dd HH:mm:ss`. */
function parseSince(value: unknown): number | null | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return null;
  if (/T.*([zZ]|[+-]\d{2}:\d{2})$/.test(value)) {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? null : parsed;
  }
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) - 8 * 3_600_000;
}

/**
 * A fake 雁飞智连 gateway answering `POST /api/<operation>/V1/1Main/vV1.1` as
 * cn-carriers-notes.md describes: the envelope's SM3 token checked with this file's own code,
 * timestamp and trans_id formats, the openId, the 50-ICCID limit, asynchronous changes that land
 * after a delay on the simulator's clock, changeType 7 overrides, billing cycles from the 27th,
 * the modified-terminals feed, HTTP 429 when called too fast, and injectable faults.
 */
export function createUnicomGwSimulator(options: UnicomGwSimulatorOptions): UnicomGwSimulator {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 11;
  const faults = new FaultInjector(options.faults ?? {}, { seed, now: () => clock.now() });
  const state = new UnicomGwSimulatorState({
    size: options.size,
    clock,
    seed,
    faults,
    settleDelayMs: options.settleDelayMs ?? 20_000,
  });
  const calls = new CallLog();
  const seenTransIds = new Set<string>();
  const windowMs = options.timestampWindowMs ?? 10 * 60_000;
  // The gateway's allowance: a bucket of `rateLimit` calls refilled at `rateLimit` a second.
  let allowance = options.rateLimit ?? 0;
  let refilledAt = clock.now();

  const throttled = () => new Response('Too Many Requests', { status: 429 });
  const app = new Hono();
  app.use('/api/*', faultMiddleware(faults, throttled));
  app.post('/api/:operation/V1/1Main/vV1.1', async (context) => {
    const operation = context.req.param('operation');
    calls.record(operation, {}, clock.now());
    if (options.rateLimit && options.rateLimit > 0) {
      const now = clock.now();
      allowance = Math.min(
        options.rateLimit,
        allowance + (Math.max(0, now - refilledAt) / 1000) * options.rateLimit,
      );
      refilledAt = now;
      if (allowance < 1) return throttled();
      allowance -= 1;
    }
    let body: Record<string, unknown>;
    try {
      body = (await context.req.json()) as Record<string, unknown>;
    } catch {
      return context.json(answer('1005', '请求报文格式错误'));
    }
    const appId = body.app_id;
    const timestamp = body.timestamp;
    const transId = body.trans_id;
    const token = body.token;
    const data = body.data as Record<string, unknown> | undefined;
    if (
      typeof appId !== 'string' ||
      typeof timestamp !== 'string' ||
      typeof transId !== 'string' ||
      typeof token !== 'string' ||
      typeof data !== 'object' ||
      data === null
    ) {
      return context.json(
        answer('1005', '请求报文格式错误: app_id、timestamp、trans_id、token、data 必填'),
      );
    }
    if (appId !== options.appId) return context.json(answer('1002', 'app_id 不存在'));
    const stamp = TIMESTAMP.exec(timestamp);
    if (!stamp) return context.json(answer('1005', 'timestamp 格式应为 yyyy-MM-dd HH:mm:ss SSS'));
    const [y, mo, d, h, mi, s, ms] = stamp.slice(1).map(Number) as number[];
    const sent = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!) - 8 * 3_600_000;
    if (Math.abs(sent - clock.now()) > windowMs)
      return context.json(answer('1003', 'timestamp 超出有效期'));
    if (!/^\d{23}$/.test(transId) || !transId.startsWith(timestamp.replace(/\D/g, ''))) {
      return context.json(answer('1005', 'trans_id 应为 yyyyMMddHHmmssSSS+6位随机数'));
    }
    // The token: SM3 over the key names and values, then the secret (computed here, not imported).
    const expected = createHash('sm3')
      .update(
        ['app_id', appId, 'timestamp', timestamp, 'trans_id', transId, options.appSecret].join(''),
      )
      .digest('hex');
    if (token !== expected) return context.json(answer('1001', 'token 校验失败'));
    if (seenTransIds.has(transId)) return context.json(answer('1004', 'trans_id 重复'));
    if (seenTransIds.size >= 200_000) seenTransIds.clear();
    seenTransIds.add(transId);
    if (data.openId !== options.openId) return context.json(answer('1006', 'openId 无权限'));
    if (data.version !== '1.0' || typeof data.messageId !== 'string' || !data.messageId) {
      return context.json(answer('1005', 'messageId、version 必填'));
    }
    const handler = HANDLERS[operation];
    if (!handler) return context.json(answer('1005', `接口 ${operation} 不存在`), 404);
    return context.json(handler(data, state, clock));
  });

  return { app, fetch: appFetch(app), state, faults, calls };
}

type Handler = (
  data: Record<string, unknown>,
  state: UnicomGwSimulatorState,
  clock: Clock,
) => ReturnType<typeof answer>;

function iccidList(data: Record<string, unknown>): string[] | ReturnType<typeof answer> {
  const iccids = data.iccids;
  if (!Array.isArray(iccids) || iccids.some((iccid) => typeof iccid !== 'string')) {
    return refused('1005', 'iccids 应为号码数组');
  }
  if (iccids.length === 0 || iccids.length > 50) return refused('1011', '批量查询仅支持50位号码');
  return iccids as string[];
}

const HANDLERS: Record<string, Handler> = {
  wsGetTerminalDetails(data, state, clock) {
    const iccids = iccidList(data);
    if (!Array.isArray(iccids)) return iccids;
    const month = state.billingMonth(clock.now());
    const terminals = iccids.flatMap((iccid): Record<string, unknown>[] => {
      const index = state.find(iccid);
      if (index === undefined) return [];
      const card = state.fleet.card(index);
      if (state.faults.failItem())
        return [{ iccid: card.iccid, resultCode: '9999', resultMsg: '系统繁忙' }];
      const plan = state.ratePlan(index);
      // One pass over the cycle's days: the cap applies while the override is DEFAULT.
      const used = state.uncappedKb(index, month);
      const reached = state.override(index) === 'DEFAULT' && used >= plan.limitMb * 1024;
      const kb = reached ? plan.limitMb * 1024 : used;
      const override = state.override(index);
      const activated = state.dateActivated(index);
      return [
        {
          iccid: card.iccid,
          imei: card.imei,
          simStatus: state.status(index),
          monthToDateDataUsage: MB(kb),
          realNameStatus: String(state.hash(card, 'realname') % 4),
          ratePlan: plan.name,
          dateActivated: activated === null ? '' : reportTime(activated),
          overageLimitOverride: override,
          overageLimitReached:
            override === 'DEFAULT' && kb / 1024 >= plan.limitMb ? 'true' : 'false',
        },
      ];
    });
    return done({ terminals });
  },

  wsEditTerminal(data, state, clock) {
    const { iccid, changeType, targetValue, asynchronous } = data;
    if (
      typeof iccid !== 'string' ||
      typeof changeType !== 'string' ||
      typeof targetValue !== 'string'
    ) {
      return refused('1005', 'iccid、changeType、targetValue 必填');
    }
    if (asynchronous !== '0' && asynchronous !== '1')
      return refused('1005', 'asynchronous 应为 0 或 1');
    const index = state.find(iccid);
    if (index === undefined) return refused('1010', 'ICCID 不存在或不属于该账户');
    const outcome = state.edit(index, changeType, targetValue, asynchronous === '1');
    return outcome.resultCode === '0000'
      ? done({ iccid, effectiveDate: reportTime(clock.now()) })
      : refused(outcome.resultCode, outcome.resultMsg);
  },

  wsGetTerminalUsage(data, state, clock) {
    const { iccid, billingCycle } = data;
    if (
      typeof iccid !== 'string' ||
      typeof billingCycle !== 'string' ||
      !/^\d{6}$/.test(billingCycle)
    ) {
      return refused('1005', 'iccid、billingCycle(yyyyMM) 必填');
    }
    const index = state.find(iccid);
    if (index === undefined) return refused('1010', 'ICCID 不存在或不属于该账户');
    const month = `${billingCycle.slice(0, 4)}-${billingCycle.slice(4)}`;
    const current = state.billingMonth(clock.now());
    const [cy, cm] = current.split('-').map(Number) as [number, number];
    const [y, m] = month.split('-').map(Number) as [number, number];
    const back = cy * 12 + cm - (y * 12 + m);
    // Only closed cycles, six back (**guess** for the range; 1074 is the notes' code).
    if (m < 1 || m > 12 || back < 1 || back > 6) return refused('1074', '账期超出范围');
    // The simulator keeps no override history: today's override decides past cycles' cap too.
    return done({ iccid, billingCycle, dataUsage: MB(state.cycleKb(index, month)) });
  },

  wsGetModifiedTerminals(data, state) {
    const since = parseSince(data.since);
    if (since === null) return refused('1005', 'since 格式错误');
    const pageNumber = Number(data.pageNumber ?? '1');
    if (!Number.isInteger(pageNumber) || pageNumber < 1) return refused('1005', 'pageNumber 无效');
    const modified = state.modifiedSince(since);
    const totalPages = Math.ceil(modified.count / 50);
    const iccids = modified
      .page((pageNumber - 1) * 50, 50)
      .map((index) => state.fleet.card(index).iccid);
    return done({ iccids, totalPages: String(totalPages) });
  },

  wsGetSessionInfo(data, state, clock) {
    const iccids = iccidList(data);
    if (!Array.isArray(iccids)) return iccids;
    const now = clock.now();
    const sessionInfo = iccids.flatMap((iccid) => {
      const index = state.find(iccid);
      if (index === undefined) return [];
      const card = state.fleet.card(index);
      const hash = state.hash(card, 'session');
      if (state.status(index) !== '2')
        return [{ iccid: card.iccid, ipAddress: '', dateSessionStarted: '', dateSessionEnded: '' }];
      const started = now - (hash % 86_400) * 1000;
      const online = hash % 10 < 7;
      return [
        {
          iccid: card.iccid,
          ipAddress: `10.${(hash >> 16) & 255}.${(hash >> 8) & 255}.${hash & 255}`,
          dateSessionStarted: reportTime(started),
          dateSessionEnded: online ? '' : reportTime(started + 600_000),
        },
      ];
    });
    return done({ sessionInfo });
  },

  wsGetTerminalAuditTrail(data, state, clock) {
    const { iccid } = data;
    const days = Number(data.daysOfHistory);
    const pageNumber = Number(data.pageNumber ?? '1');
    if (typeof iccid !== 'string') return refused('1005', 'iccid 必填');
    // daysOfHistory up to 365 (**guess**).
    if (!Number.isInteger(days) || days < 1 || days > 365)
      return refused('1005', 'daysOfHistory 应为 1-365');
    if (!Number.isInteger(pageNumber) || pageNumber < 1) return refused('1005', 'pageNumber 无效');
    const index = state.find(iccid);
    if (index === undefined) return refused('1010', 'ICCID 不存在或不属于该账户');
    const since = clock.now() - days * 86_400_000;
    const entries = state
      .audit(index)
      .filter((entry) => entry.effectiveDate >= since)
      .reverse();
    const page = entries.slice((pageNumber - 1) * 50, pageNumber * 50);
    return done({
      iccid,
      totalPages: String(Math.ceil(entries.length / 50)),
      terminalAuditTrail: page.map((entry) => ({
        ...entry,
        effectiveDate: reportTime(entry.effectiveDate),
      })),
    });
  },
};
