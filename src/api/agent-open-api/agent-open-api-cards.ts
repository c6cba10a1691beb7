import { cstMonth } from '../../domain/index.js';
import type { ServiceContext } from '../../services/context.js';
import type { StoredCard } from '../../store/index.js';
import {
  AGENT_BATCH_LIMITS,
  AGENT_CODES,
  type AgentOperation,
  formatAgentTime,
} from '../../suppliers/agent/index.js';
import {
  type AgentScope,
  countScopedCards,
  findScopedCards,
  SIM_STATUS_OF,
} from './agent-open-api-scope.js';

/** What a handler answers: the envelope's `code`, `message` and `data`. */
export interface AgentAnswer {
  code: number;
  message?: string;
  data?: unknown;
}

export const ok = (data: unknown = true): AgentAnswer => ({ code: AGENT_CODES.success, data });
export const fail = (code: number, message: string): AgentAnswer => ({ code, message });

/** A card of a batch that could not be served, in the shape the client reads. */
export interface FailItem {
  iccid: string | null;
  simNo: string | null;
  code: number;
  message: string;
}

export interface AgentRequestContext {
  context: ServiceContext;
  scope: AgentScope;
  form: Record<string, string>;
  now: number;
}

type BatchOperation = keyof typeof AGENT_BATCH_LIMITS;

/**
 * Runs a batch over the cards named in `iccids` or `simNos`: refuses more than the operation's
 * batch size, answers `cardNotFound` for a card the scope does not hold, and hands each found
 * card to `serve`, which returns the list item or a failure.
 */
export async function scopedBatch(
  operation: BatchOperation,
  request: AgentRequestContext,
  serve: (card: StoredCard) => Promise<unknown | FailItem>,
): Promise<AgentAnswer> {
  const byIccid = request.form.iccids !== undefined;
  const values = (request.form.iccids ?? request.form.simNos ?? '').split(',');
  if (values.length > AGENT_BATCH_LIMITS[operation]) {
    return fail(AGENT_CODES.batchTooLarge, `最多${AGENT_BATCH_LIMITS[operation]}张`);
  }
  const field = byIccid ? 'iccid' : 'msisdn';
  const cards = await findScopedCards(request.context, request.scope, field, values);
  const list: unknown[] = [];
  const failList: FailItem[] = [];
  for (const value of values) {
    const named = byIccid ? { iccid: value, simNo: null } : { iccid: null, simNo: value };
    const card = cards.get(byIccid ? value.toUpperCase() : value);
    if (!card) {
      failList.push({ ...named, code: AGENT_CODES.cardNotFound, message: '卡号不存在' });
      continue;
    }
    const item = await serve(card);
    if (isFailItem(item)) failList.push({ ...named, code: item.code, message: item.message });
    else list.push(item);
  }
  return ok({ list, failList });
}

export function isFailItem(value: unknown): value is FailItem {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

export const itemFail = (code: number, message: string): FailItem => ({
  iccid: null,
  simNo: null,
  code,
  message,
});

/** Bytes a card used in a CST month: the monthly figure, else the sum of daily rows, else null. */
async function monthBytes(context: ServiceContext, cardId: number, month: string) {
  const monthly = await context.store.usage.monthly(cardId, { from: month, to: month });
  if (monthly[0]) return monthly[0].bytes;
  const daily = await context.store.usage.daily(cardId, { from: `${month}-01`, to: `${month}-31` });
  return daily.length === 0 ? null : daily.reduce((sum, row) => sum + row.bytes, 0);
}

/** A card in the document's card shape, from what simdock knows of it (unknown is null). */
async function wireSim(request: AgentRequestContext, card: StoredCard) {
  return {
    id: card.id,
    iccid: card.iccid,
    simNo: card.msisdn,
    dockNo: card.msisdn,
    imsi: card.imsi,
    imei: card.imei,
    simStatus: SIM_STATUS_OF[card.status],
    totalFlow: null,
    useFlow: await monthBytes(request.context, card.id, cstMonth(request.now)),
    lastSimStatusAt: card.statusChangedAt === null ? null : formatAgentTime(card.statusChangedAt),
    createdAt: formatAgentTime(card.createdAt),
    updatedAt: formatAgentTime(card.updatedAt),
  };
}

/** The read operations on cards, served from simdock's inventory. */
export const cardReadHandlers: Partial<
  Record<AgentOperation, (request: AgentRequestContext) => Promise<AgentAnswer>>
> = {
  batchQueryCardInfo: (request) =>
    scopedBatch('batchQueryCardInfo', request, (card) => wireSim(request, card)),

  batchQueryCardStatus: (request) =>
    scopedBatch('batchQueryCardStatus', request, async (card) => ({
      iccid: card.iccid,
      simNo: card.msisdn,
      simStatus: SIM_STATUS_OF[card.status],
      // simdock does not know the card's radio state from its inventory: unknown, not 0.
      onlineStatus: null,
      internetStatus: null,
      lastSimStatusAt: formatAgentTime(card.statusChangedAt ?? card.updatedAt),
    })),

  batchQueryCardRealtimeFlow: (request) =>
    scopedBatch('batchQueryCardRealtimeFlow', request, async (card) => {
      const used = await monthBytes(request.context, card.id, cstMonth(request.now));
      return {
        iccid: card.iccid,
        simNo: card.msisdn,
        totalFlow: null,
        useFlow: used,
        realUseFlow: used,
        dockUserFlow: null,
      };
    }),

  batchQueryCardMonthFlow: async (request) => {
    const wireMonth = request.form.month!;
    const month = `${wireMonth.slice(0, 4)}-${wireMonth.slice(4)}`;
    if (month > cstMonth(request.now)) {
      return fail(AGENT_CODES.invalidParameter, '月份不能大于当前月');
    }
    return scopedBatch('batchQueryCardMonthFlow', request, async (card) => ({
      iccid: card.iccid,
      simNo: card.msisdn,
      month: wireMonth,
      useFlow: await monthBytes(request.context, card.id, month),
    }));
  },

  queryAccountAssets: async (request) =>
    ok({
      // simdock keeps no balance for its downstream agents: unknown, never 0.
      balance: null,
      arrearsBalance: null,
      cardCount: await countScopedCards(request.context, request.scope),
      deviceCount: null,
    }),
};
