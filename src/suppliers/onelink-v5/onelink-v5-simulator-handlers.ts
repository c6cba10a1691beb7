import {
  addDays,
  type Clock,
  cstMonth,
  cstTimestamp,
  cstToday,
  expandDate,
  lastCompleteDays,
  lastMonths,
  monthBounds,
} from '../../domain/index.js';
import { type FaultInjector, type FleetCard, simulatedDailyKb } from '../spec/simulator-kit.js';
import type { OnelinkV5SimulatorState, SimulatedIdKind } from './onelink-v5-simulator-state.js';

/** What a simulator endpoint gets: the parameters (query or body) and the account's state. */
export interface HandlerContext {
  state: OnelinkV5SimulatorState;
  clock: Clock;
  faults: FaultInjector;
}

type Envelope = { status: string; message: string; result: unknown[] };
export type OnelinkV5Handler = (
  params: Record<string, string>,
  context: HandlerContext,
) => Envelope;

const ok = (result: unknown[]): Envelope => ({ status: '0', message: '正确', result });
const refuse = (status: string, message: string): Envelope => ({ status, message, result: [] });
const UNKNOWN = { status: '12009', message: '卡号不属于此用户' };
const KINDS: SimulatedIdKind[] = ['msisdn', 'iccid', 'imsi'];

/** Exactly one of `msisdn|iccid|imsi`, naming a card of this account. */
function single(params: Record<string, string>, context: HandlerContext) {
  const given = KINDS.filter((kind) => params[kind]);
  if (given.length !== 1) return refuse('11000', '参数错误: msisdn、iccid、imsi必须有且只有一项');
  const kind = given[0]!;
  const card = context.state.find(kind, params[kind]!);
  if (!card) return refuse(UNKNOWN.status, UNKNOWN.message);
  return { kind, value: params[kind]!, card };
}

/** Exactly one of `msisdns|iccids|imsis`, `_`-joined, at most `limit` numbers. */
function batch(params: Record<string, string>, context: HandlerContext, limit: number) {
  const given = KINDS.filter((kind) => params[`${kind}s`]);
  if (given.length !== 1)
    return refuse('11000', '参数错误: msisdns、iccids、imsis必须有且只有一项');
  const kind = given[0]!;
  const values = params[`${kind}s`]!.split('_').filter((value) => value !== '');
  if (values.length === 0) return refuse('11000', '参数错误: 卡号为空');
  if (values.length > limit) return refuse('11000', `参数错误: 卡号数量超出限制范围(${limit})`);
  return {
    kind,
    entries: values.map((value) => ({ value, card: context.state.find(kind, value) })),
  };
}

const isEnvelope = (value: unknown): value is Envelope =>
  typeof value === 'object' && value !== null && 'result' in value;

/** The formatted time the simulator uses for dates it reports: `yyyy-MM-dd HH:mm:ss` (CST). */
function reportTime(instant: number): string {
  const stamp = cstTimestamp(instant);
  return `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)} ${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}`;
}

function sumKb(card: FleetCard, from: string, to: string): number {
  let total = 0;
  for (let date = from; date <= to; date = addDays(date, 1)) {
    total += simulatedDailyKb(card.iccid, date);
  }
  return total;
}

/** One card's usage item, or its own failure (unknown card, injected partial failure). */
function usageItem(
  kind: SimulatedIdKind,
  entry: { value: string; card: FleetCard | undefined },
  context: HandlerContext,
  kb: (card: FleetCard) => number,
) {
  if (!entry.card) return { [kind]: entry.value, ...UNKNOWN };
  if (context.faults.failItem()) return { [kind]: entry.value, status: '99', message: '系统错误' };
  const dataAmount = kb(entry.card);
  return {
    [kind]: entry.value,
    dataAmount: String(dataAmount),
    apnDataAmountList:
      dataAmount > 0 ? [{ apnName: 'CMIOT', apnDataAmount: String(dataAmount) }] : [],
  };
}

function smsRecords(
  card: FleetCard,
  context: HandlerContext,
  direction: 'mo' | 'mt',
  from: string,
  to: string,
) {
  const records: { smsId: string; content: string; sendTime: string }[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const hash = context.state.hash(card, `${direction}|${date}`);
    if (hash % 3 !== 0) continue;
    const at = Date.parse(`${date}T00:00:00+08:00`) + (hash % 86_400) * 1000;
    records.push({
      smsId: `${direction.toUpperCase()}${card.index}${date.replaceAll('-', '')}`,
      content: direction === 'mo' ? `HB,${card.imei},${hash % 100}` : 'RESET',
      sendTime: reportTime(at),
    });
  }
  return records;
}

function smsHandler(direction: 'mo' | 'mt'): OnelinkV5Handler {
  return (params, context) => {
    const request = batch(params, context, 20);
    if (isEnvelope(request)) return request;
    if (!/^\d{8}$/.test(params.startDate ?? '') || !/^\d{8}$/.test(params.endDate ?? '')) {
      return refuse('11000', '参数错误: startDate、endDate 格式为 yyyyMMdd');
    }
    const from = expandDate(params.startDate!);
    const to = expandDate(params.endDate!);
    if (from > to || to > cstToday(context.clock.now()))
      return refuse('11000', '参数错误: 日期范围');
    return ok(
      request.entries.map((entry) =>
        entry.card
          ? {
              [request.kind]: entry.value,
              smsList: smsRecords(entry.card, context, direction, from, to),
            }
          : { [request.kind]: entry.value, ...UNKNOWN },
      ),
    );
  };
}

/** Handlers by path under `/v5/ec/`, each answering as PROTOCOL-NOTES.md (OneLink v5) says. */
export const onelinkV5Handlers: Record<string, OnelinkV5Handler> = {
  'query/sim-basic-info': (params, context) => {
    const request = single(params, context);
    if (isEnvelope(request)) return request;
    const { card } = request;
    const opened = Date.UTC(2021, 0, 1) + (context.state.hash(card, 'open') % 900) * 86_400_000;
    return ok([
      {
        msisdn: card.msisdn,
        imsi: card.imsi,
        iccid: card.iccid,
        activeDate: reportTime(opened + 7 * 86_400_000),
        openDate: reportTime(opened),
      },
    ]);
  },
  'query/sim-status': (params, context) => {
    const request = single(params, context);
    if (isEnvelope(request)) return request;
    const history = context.state.history(request.card.index);
    const last = history.at(-1)?.changeDate ?? Date.UTC(2023, 5, 1);
    return ok([
      { cardStatus: context.state.status(request.card.index), lastChangeDate: reportTime(last) },
    ]);
  },
  'query/sim-card-info/batch': (params, context) => {
    const request = batch(params, context, 100);
    if (isEnvelope(request)) return request;
    return ok(
      request.entries.map(({ value, card }) => {
        if (!card) return { ...UNKNOWN, [request.kind]: value };
        if (context.faults.failItem())
          return { status: '99', message: '系统错误', [request.kind]: value };
        return {
          status: '0',
          message: '正确',
          imsi: card.imsi,
          msisdn: card.msisdn,
          iccid: card.iccid,
        };
      }),
    );
  },
  'query/sim-data-usage': (params, context) => {
    const request = single(params, context);
    if (isEnvelope(request)) return request;
    // Month to date, up to yesterday (PB numbers report to the end of the previous day).
    const today = cstToday(context.clock.now());
    const first = `${cstMonth(context.clock.now())}-01`;
    const kb = today === first ? 0 : sumKb(request.card, first, addDays(today, -1));
    return ok([{ dataAmount: String(kb) }]);
  },
  'query/sim-data-usage-daily/batch': (params, context) => {
    const request = batch(params, context, 100);
    if (isEnvelope(request)) return request;
    const queryDate = params.queryDate ?? '';
    const window = lastCompleteDays(7, context.clock.now()).map((date) => date.replaceAll('-', ''));
    if (!window.includes(queryDate))
      return refuse('11000', '参数错误: 仅支持查询近7天中某一天的数据');
    const date = expandDate(queryDate);
    return ok([
      {
        dataAmountList: request.entries.map((entry) =>
          usageItem(request.kind, entry, context, (card) => simulatedDailyKb(card.iccid, date)),
        ),
      },
    ]);
  },
  'query/sim-data-usage-monthly/batch': (params, context) => {
    const request = batch(params, context, 100);
    if (isEnvelope(request)) return request;
    const queryDate = params.queryDate ?? '';
    const now = context.clock.now();
    const window = lastMonths(6, now).map((month) => month.replace('-', ''));
    if (!window.includes(queryDate))
      return refuse('11000', '参数错误: 仅支持查询近6个月中某月的使用量');
    const { first, last } = monthBounds(`${queryDate.slice(0, 4)}-${queryDate.slice(4, 6)}`);
    const yesterday = addDays(cstToday(now), -1);
    // Dates compare as text (`YYYY-MM-DD`): the earlier of the month end and yesterday.
    const to = [last, yesterday].sort()[0]!;
    return ok([
      {
        dataAmountList: request.entries.map((entry) =>
          usageItem(request.kind, entry, context, (card) =>
            to < first ? 0 : sumKb(card, first, to),
          ),
        ),
      },
    ]);
  },
  'change/sim-status': (params, context) => {
    const request = single(params, context);
    if (isEnvelope(request)) return request;
    const outcome = context.state.changeNow(request.card.index, params.operType ?? '');
    if (outcome.status !== '0') return refuse(outcome.status, outcome.message);
    return ok([{ [request.kind]: request.value }]);
  },
  'change/sim-status/batch': (params, context) => {
    const request = batch(params, context, 100);
    if (isEnvelope(request)) return request;
    const unknown = request.entries.find((entry) => !entry.card);
    if (unknown) return refuse(UNKNOWN.status, `${UNKNOWN.message}: ${unknown.value}`);
    if ((params.operType === '9' || params.operType === '11') && params.reason !== '01') {
      return refuse('11000', '参数错误: operType为9或11时 reason 必传');
    }
    const outcome = context.state.submitJob(
      params.operType ?? '',
      request.entries.map((entry) => ({
        index: entry.card!.index,
        kind: request.kind,
        value: entry.value,
      })),
    );
    if (!outcome.jobId) return refuse(outcome.status, outcome.message);
    return ok([{ jobId: outcome.jobId }]);
  },
  'query/sim-batch-result': (params, context) => {
    const job = params.jobId ? context.state.job(params.jobId) : undefined;
    if (!job) return refuse('11000', '参数错误: jobId 不存在');
    if (!job.outcomes) {
      const pending = context.clock.now() < job.settleAt - context.state.settleDelayMs / 2;
      return ok([{ jobId: job.jobId, jobStatus: pending ? '0' : '1', resultList: [] }]);
    }
    const failed = job.outcomes.filter((outcome) => outcome.status !== '0').length;
    const jobStatus = failed === 0 ? '2' : failed === job.outcomes.length ? '4' : '3';
    const resultList = job.outcomes.map((outcome, position) => ({
      [job.cards[position]!.kind]: job.cards[position]!.value,
      status: outcome.status,
      message: outcome.message,
    }));
    return ok([{ jobId: job.jobId, jobStatus, resultList }]);
  },
  'query/sim-imei': (params, context) => {
    const request = single(params, context);
    if (isEnvelope(request)) return request;
    return ok([{ imei: request.card.imei }]);
  },
  'query/on-off-status': (params, context) => {
    const request = single(params, context);
    if (isEnvelope(request)) return request;
    const on =
      context.state.status(request.card.index) === '00' &&
      context.state.hash(request.card, 'on') % 5 !== 0;
    return ok([{ status: on ? '1' : '0' }]);
  },
  'query/sim-session': (params, context) => {
    const request = single(params, context);
    if (isEnvelope(request)) return request;
    const { card } = request;
    const hash = context.state.hash(card, 'session');
    const online = context.state.status(card.index) === '00' && hash % 4 !== 0;
    const session = {
      status: online ? '01' : '00',
      apnName: 'CMIOT',
      ip: online ? `10.${(hash >> 16) & 255}.${(hash >> 8) & 255}.${hash & 255}` : '',
      rat: ['6', '8', '2'][hash % 3],
      createDate: online ? reportTime(context.clock.now() - (hash % 86_400) * 1000) : '',
    };
    return ok([{ simSessionList: [session] }]);
  },
  'query/sim-change-history': (params, context) => {
    const request = single(params, context);
    if (isEnvelope(request)) return request;
    const changeHistoryList = context.state.history(request.card.index).map((change) => ({
      descStatus: change.descStatus,
      targetStatus: change.targetStatus,
      changeDate: reportTime(change.changeDate),
    }));
    return ok([{ changeHistoryList }]);
  },
  'query/sim-mo-sms/batch': smsHandler('mo'),
  'query/sim-mt-sms/batch': smsHandler('mt'),
  'query/last-position-location': (params, context) => {
    const request = batch(params, context, 20);
    if (isEnvelope(request)) return request;
    return ok(
      request.entries.map(({ value, card }) => {
        if (!card) return { [request.kind]: value, ...UNKNOWN };
        const hash = context.state.hash(card, 'position');
        return {
          [request.kind]: value,
          status: '0',
          message: '正确',
          lastLat: (22.5 + (hash % 10_000) / 100_000).toFixed(6),
          lastLon: (113.9 + ((hash >> 8) % 10_000) / 100_000).toFixed(6),
          lastTime: reportTime(context.clock.now() - (hash % 86_400) * 1000),
        };
      }),
    );
  },
};
