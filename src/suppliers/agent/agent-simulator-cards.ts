import { randomBytes } from 'node:crypto';
import { cstMonth } from '../../domain/index.js';
import type { FaultInjector } from '../spec/simulator-kit.js';
import { formatAgentTime } from './agent-device-mapping.js';
import type { AgentOperation } from './agent-paths.js';
import { AGENT_BATCH_LIMITS, AGENT_CODES, AGENT_SIM_STATUS } from './agent-protocol.js';
import type { AgentSimulatorFleet, SimulatedCard } from './agent-simulator-fleet.js';

/** What a simulator handler answers: the envelope's `code`, `message` and `data`. */
export interface SimulatorAnswer {
  code: number;
  message?: string;
  data?: unknown;
}

/** What a handler sees of one request. */
export interface SimulatorRequest {
  fleet: AgentSimulatorFleet;
  form: Record<string, string>;
  now: number;
  faults: FaultInjector;
  /** The simulator's origin, for links it hands out. */
  origin: string;
  settings: {
    settleDelayMs: number;
    speedCooldownMs: number;
    statusCallsPerCardPerMinute: number;
    statusCalls: Map<string, number[]>;
    speedChangedAt: Map<string, number>;
  };
}

export const ok = (data: unknown = true): SimulatorAnswer => ({ code: AGENT_CODES.success, data });
export const fail = (code: number, message: string): SimulatorAnswer => ({ code, message });

interface FailItem {
  iccid: string | null;
  simNo: string | null;
  code: number;
  message: string;
}

/**
 * Runs a batch: resolves each named card, lets the fault injector fail some on their own, and
 * hands the rest to `serve`, which returns the item or a failure.
 */
function batch(
  operation: keyof typeof AGENT_BATCH_LIMITS,
  request: SimulatorRequest,
  serve: (card: SimulatedCard) => unknown | FailItem,
  extra: Record<string, unknown> = {},
): SimulatorAnswer {
  const byIccid = request.form.iccids !== undefined;
  const values = (request.form.iccids ?? request.form.simNos ?? '').split(',');
  if (values.length > AGENT_BATCH_LIMITS[operation]) {
    return fail(AGENT_CODES.batchTooLarge, `最多${AGENT_BATCH_LIMITS[operation]}张`);
  }
  const list: unknown[] = [];
  const failList: FailItem[] = [];
  for (const value of values) {
    const named = byIccid ? { iccid: value, simNo: null } : { iccid: null, simNo: value };
    const card = request.fleet.card(byIccid ? { iccid: value } : { simNo: value });
    if (!card) failList.push({ ...named, code: AGENT_CODES.cardNotFound, message: '卡号不存在' });
    else if (request.faults.failItem()) {
      failList.push({ ...named, code: AGENT_CODES.systemError, message: '系统繁忙' });
    } else {
      const item = serve(card);
      if (isFailItem(item)) failList.push({ ...named, code: item.code, message: item.message });
      else list.push(item);
    }
  }
  return ok({ ...extra, list, failList });
}

function isFailItem(value: unknown): value is FailItem {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

const itemFail = (code: number, message: string): FailItem => ({
  iccid: null,
  simNo: null,
  code,
  message,
});

function single(request: SimulatorRequest): SimulatedCard | undefined {
  return request.fleet.card({ iccid: request.form.iccid, simNo: request.form.simNo });
}

function speedChange(
  request: SimulatorRequest,
  type: 'limitSpeed' | 'unlimitSpeed',
): SimulatorAnswer {
  const card = single(request);
  if (!card) return fail(AGENT_CODES.cardNotFound, '卡号不存在');
  const last = request.settings.speedChangedAt.get(card.iccid);
  if (last !== undefined && request.now - last < request.settings.speedCooldownMs) {
    return fail(AGENT_CODES.coolingDown, '操作过于频繁,请稍后再试');
  }
  request.settings.speedChangedAt.set(card.iccid, request.now);
  request.fleet.mutable(card).speedCode = type === 'limitSpeed' ? request.form.speedCode! : '';
  request.fleet.addRecord('', card, type, request.now);
  return ok();
}

/** The card operations of the simulated platform. */
export const cardHandlers: Partial<
  Record<AgentOperation, (request: SimulatorRequest) => SimulatorAnswer>
> = {
  batchQueryCardInfo: (request) =>
    batch('batchQueryCardInfo', request, (card) => request.fleet.wireSim(card, request.now)),

  batchSubscribeCardInfo: (request) =>
    batch('batchSubscribeCardInfo', request, (card) => {
      request.fleet.mutable(card).subscribeUrl = request.form.notifyUrl ?? '';
      return { iccid: card.iccid, simNo: card.simNo };
    }),

  batchQueryCardStatus: (request) =>
    batch('batchQueryCardStatus', request, (card) => {
      const since = request.now - 60_000;
      const calls = (request.settings.statusCalls.get(card.iccid) ?? []).filter((at) => at > since);
      if (calls.length >= request.settings.statusCallsPerCardPerMinute) {
        return itemFail(AGENT_CODES.tooFrequent, '每张卡每分钟最多查询3次');
      }
      request.settings.statusCalls.set(card.iccid, [...calls, request.now]);
      // Online and internet status come from the card's template (wireSim keeps them as they
      // are); reading them there spares working out the month's usage for a status call.
      return {
        iccid: card.iccid,
        simNo: card.simNo,
        simStatus: card.simStatus,
        onlineStatus: card.template.onlineStatus,
        internetStatus: card.template.internetStatus,
        lastSimStatusAt: formatAgentTime(request.now),
      };
    }),

  batchQueryCardRealtimeFlow: (request) =>
    batch('batchQueryCardRealtimeFlow', request, (card) => {
      const wire = request.fleet.wireSim(card, request.now);
      return {
        iccid: card.iccid,
        simNo: card.simNo,
        totalFlow: wire.totalFlow,
        useFlow: wire.useFlow,
        realUseFlow: wire.realUseFlow,
        dockUserFlow: wire.dockUserFlow,
      };
    }),

  batchQueryCardMonthFlow: (request) => {
    const wireMonth = request.form.month!;
    const month = `${wireMonth.slice(0, 4)}-${wireMonth.slice(4)}`;
    if (month > cstMonth(request.now))
      return fail(AGENT_CODES.invalidParameter, '月份不能大于当前月');
    return batch('batchQueryCardMonthFlow', request, (card) => ({
      iccid: card.iccid,
      simNo: card.simNo,
      month: wireMonth,
      useFlow: request.fleet.usedBytes(card, month, request.now),
    }));
  },

  batchStopCard: (request) => batchChange('stop', request),
  batchRestoreCard: (request) => batchChange('restore', request),

  bindCardImei: (request) => {
    const card = single(request);
    if (!card) return fail(AGENT_CODES.cardNotFound, '卡号不存在');
    request.fleet.mutable(card).imei = request.form.imei!;
    return ok();
  },

  limitCardSpeed: (request) => speedChange(request, 'limitSpeed'),
  unlimitCardSpeed: (request) => speedChange(request, 'unlimitSpeed'),

  orderPackage: (request) => {
    const { form, fleet } = request;
    const target = form.deviceNo ?? form.iccid ?? form.simNo!;
    if (form.deviceNo ? !fleet.devices.has(form.deviceNo) : !single(request)) {
      return form.deviceNo
        ? fail(AGENT_CODES.deviceNotFound, '设备不存在')
        : fail(AGENT_CODES.cardNotFound, '卡号不存在');
    }
    const price = SIMULATED_PACKAGES[form.packageId!];
    if (price === undefined) return fail(AGENT_CODES.invalidParameter, '套餐不存在');
    if (fleet.orders.has(form.outOrderNo!)) return fail(AGENT_CODES.duplicateOrder, '订单号重复');
    if (fleet.balance < price) return fail(AGENT_CODES.balanceInsufficient, '账户余额不足');
    fleet.balance -= price;
    const orderNo = `O${request.now}${fleet.orders.size + 1}`;
    fleet.orders.set(form.outOrderNo!, { orderNo, target, packageId: form.packageId! });
    return ok({ orderNo, outOrderNo: form.outOrderNo, status: 1 });
  },

  getRealNameUrl: (request) => {
    const card = single(request);
    if (!card) return fail(AGENT_CODES.cardNotFound, '卡号不存在');
    const token = randomBytes(8).toString('hex');
    return ok({ url: `${request.origin}/realname/${card.iccid}?token=${token}` });
  },

  clearRealName: (request) => {
    const card = single(request);
    if (!card) return fail(AGENT_CODES.cardNotFound, '卡号不存在');
    const kept = request.fleet.mutable(card);
    kept.authStatus = 1;
    kept.cleanAuthAt = formatAgentTime(request.now);
    request.fleet.addRecord('', card, 'clearRealName', request.now);
    return ok();
  },

  queryCardOperationRecords: (request) => {
    const { form } = request;
    const card = form.iccid || form.simNo ? single(request) : undefined;
    if ((form.iccid || form.simNo) && !card) return fail(AGENT_CODES.cardNotFound, '卡号不存在');
    if (form.batchNo && !request.fleet.hasBatch(form.batchNo)) {
      return fail(AGENT_CODES.batchNotFound, '批次不存在');
    }
    const matching = request.fleet.recordsOf({ batchNo: form.batchNo, iccid: card?.iccid });
    const page = Number(form.page ?? 1);
    const pageSize = Number(form.pageSize ?? 20);
    const list = matching
      .slice((page - 1) * pageSize, page * pageSize)
      .map(({ settlesAt: _settlesAt, ...record }) => record);
    return ok({ total: matching.length, list });
  },

  queryAccountAssets: (request) =>
    ok({
      balance: request.fleet.balance,
      arrearsBalance: 0,
      cardCount: request.fleet.cards.size + 2,
      deviceCount: request.fleet.devices.size,
    }),
};

/** Packages the simulated platform sells, by id, with their price. */
export const SIMULATED_PACKAGES: Record<string, number> = { P1G: 10, P10G: 50, P100G: 300 };

function batchChange(type: 'stop' | 'restore', request: SimulatorRequest): SimulatorAnswer {
  const accepted: SimulatedCard[] = [];
  const answer = batch(type === 'stop' ? 'batchStopCard' : 'batchRestoreCard', request, (card) => {
    const wanted = type === 'stop' ? AGENT_SIM_STATUS.active : AGENT_SIM_STATUS.stopped;
    if (request.fleet.pending(card)) return itemFail(AGENT_CODES.cardStateForbids, '卡正在处理中');
    if (card.simStatus !== wanted)
      return itemFail(AGENT_CODES.cardStateForbids, '卡状态不允许操作');
    accepted.push(card);
    return { iccid: card.iccid, simNo: card.simNo };
  });
  if (answer.code !== AGENT_CODES.success) return answer;
  const batchNo = request.fleet.startBatch(
    type,
    accepted,
    request.now,
    request.settings.settleDelayMs,
  );
  return ok({ batchNo, ...(answer.data as object) });
}
