import { chunk } from '../spec/index.js';
import type { QuectelCardListRow } from './quectel-card-list-file.js';
import {
  checkedPageSize,
  type QuectelBody,
  type QuectelCallOptions,
  type QuectelCardSelector,
  type QuectelCardsSelector,
  QuectelClientCore,
  type QuectelClientOptions,
  requireArgument,
} from './quectel-client-core.js';
import { QUECTEL_MAX_NUMBERS, QUECTEL_MAX_PAGE_SIZE } from './quectel-protocol.js';
import {
  alarmInfoSchema,
  billingGroupSchema,
  billingStatisticsSchema,
  cardSchema,
  dayFlowRowSchema,
  fileTaskSchema,
  flowPackageSchema,
  flowProductSchema,
  listField,
  locationSchema,
  monthFlowRowSchema,
  numberFlowRowSchema,
  orderDetailsSchema,
  pageSchema,
  parseList,
  parseWire,
  type QuectelCard,
  type QuectelFileTask,
  type QuectelPage,
  realtimeStatusSchema,
  renewalProductSchema,
  smsLogSchema,
  smsSentSchema,
  walletEntrySchema,
  wireBoolean,
  wireNumber,
  wireText,
  yearPackagesSchema,
} from './quectel-wire.js';

export type { QuectelCallOptions, QuectelCardSelector, QuectelCardsSelector, QuectelClientOptions };

/** Filters of `card.list` (§2.1.4); dates `yyyyMMdd`. */
export interface QuectelCardListFilters {
  billingid?: number;
  allotDateStart?: string;
  allotDateEnd?: string;
  activeDateStart?: string;
  activeDateEnd?: string;
  expireDateStart?: string;
  expireDateEnd?: string;
}

/** Alarm settings sent as the unsigned JSON `alarmParam` (§2.3.7). */
export interface QuectelAlarmParam {
  notifyemails?: string;
  alarmthreshold1?: string;
  alarmthreshold2?: string;
  alarmthreshold3?: string;
  alarmstatus?: 0 | 1;
  pauseflowthreshold?: number | string;
  pausestatus?: 0 | 1;
}

const selector = (card: QuectelCardSelector) => {
  requireArgument(
    Boolean(card.msisdn) !== Boolean(card.iccid),
    'give exactly one of msisdn, iccid',
  );
  return { msisdn: card.msisdn, iccid: card.iccid };
};

/** Chunks a batch selector into lists of at most 1000 numbers, one kind per call. */
function batches(cards: QuectelCardsSelector, size = QUECTEL_MAX_NUMBERS) {
  const kind = cards.iccids ? 'iccids' : 'msisdns';
  const numbers = (cards.iccids ?? cards.msisdns ?? []) as string[];
  requireArgument(numbers.length > 0, 'give at least one number');
  return chunk(numbers, size).map((part) => ({ kind, numbers: part }));
}

/**
 * A typed SDK of the Quectel connectivity API (quectel-connectivity-api-v3.15.md): one method per
 * non-obsolete method of chapter 2, wire names kept, flows in MB as the supplier sends them.
 * Batch methods chunk by 1000 and list methods can walk every page.
 */
export class QuectelClient extends QuectelClientCore {
  // §2.1 queries

  /** §2.1.1 billing groups (计费组列表). */
  async billingGroupList(options?: QuectelCallOptions) {
    const raw = await this.call('billingGroupList', {}, options);
    return { billingGroups: parseList(billingGroupSchema, listField(raw, 'billingGroups')), raw };
  }

  /** §2.1.2 statistics of one billing group. */
  async billingGroupStatistics(input: { id: number }, options?: QuectelCallOptions) {
    const raw = await this.call('billingGroupStatistics', { id: input.id }, options);
    return { data: parseWire(billingStatisticsSchema, raw.data ?? {}), raw };
  }

  /** §2.1.3 statistics of a billing group with its sub-groups in `rows`. */
  async billingGroupsStatistics(input: { id: number }, options?: QuectelCallOptions) {
    const raw = await this.call('billingGroupsStatistics', { id: input.id }, options);
    return { data: parseWire(billingStatisticsSchema, raw.data ?? {}), raw };
  }

  /** §2.1.4 one page of the fleet. */
  async cardList(
    input: QuectelCardListFilters & { pageNo?: number; pageSize?: number } = {},
    options?: QuectelCallOptions,
  ): Promise<{ page: QuectelPage; cards: QuectelCard[]; raw: QuectelBody }> {
    const { pageSize, ...rest } = input;
    const raw = await this.call(
      'cardList',
      { ...rest, pageSize: checkedPageSize(pageSize) },
      options,
    );
    return {
      page: parseWire(pageSchema, raw.page),
      cards: parseList(cardSchema, listField(raw, 'cards', 'Cards')),
      raw,
    };
  }

  /** §2.1.4 walked to the end, 1000 cards a page. */
  async *cardListAll(
    filters: QuectelCardListFilters = {},
    options?: QuectelCallOptions,
  ): AsyncGenerator<QuectelCard> {
    for (let pageNo = 1; ; pageNo += 1) {
      const result = await this.cardList(
        { ...filters, pageNo, pageSize: QUECTEL_MAX_PAGE_SIZE },
        options,
      );
      yield* result.cards;
      const { totalPage } = result.page;
      if (result.cards.length === 0 || (totalPage !== null && pageNo >= totalPage)) return;
      if (totalPage === null && result.cards.length < QUECTEL_MAX_PAGE_SIZE) return;
    }
  }

  /** §2.1.5 one card in detail. */
  async cardInfo(card: QuectelCardSelector, options?: QuectelCallOptions) {
    const raw = await this.call('cardInfo', selector(card), options);
    return { card: parseWire(cardSchema, raw), raw };
  }

  /** §2.1.6 many cards in detail, 1000 per call; answers `list` or `List`. */
  async cardsInfo(cards: QuectelCardsSelector, options?: QuectelCallOptions) {
    const found: QuectelCard[] = [];
    const raw: QuectelBody[] = [];
    for (const batch of batches(cards)) {
      const body = await this.call('cardsInfo', { [batch.kind]: batch.numbers.join(',') }, options);
      raw.push(body);
      found.push(...parseList(cardSchema, listField(body, 'list', 'List')));
    }
    return { cards: found, raw };
  }

  /** §2.1.7 one page of every card's flow in a month (MB). */
  async monthflowList(
    input: { month: string; pageNo?: number; pageSize?: number },
    options?: QuectelCallOptions,
  ) {
    const raw = await this.call(
      'monthflowList',
      {
        month: this.flowMonth(input.month),
        pageNo: input.pageNo,
        pageSize: checkedPageSize(input.pageSize),
      },
      options,
    );
    return {
      page: parseWire(pageSchema, raw.page),
      flows: parseList(monthFlowRowSchema, listField(raw, 'flows')),
      raw,
    };
  }

  /** §2.1.7 walked to the end, 1000 rows a page. */
  async *monthflowListAll(month: string, options?: QuectelCallOptions) {
    for (let pageNo = 1; ; pageNo += 1) {
      const result = await this.monthflowList(
        { month, pageNo, pageSize: QUECTEL_MAX_PAGE_SIZE },
        options,
      );
      yield* result.flows;
      const { totalPage } = result.page;
      if (result.flows.length === 0 || (totalPage !== null && pageNo >= totalPage)) return;
    }
  }

  /** §2.1.8 daily flow (MB) of one card in one month. */
  async dayflowList(card: QuectelCardSelector & { month: string }, options?: QuectelCallOptions) {
    const params = { ...selector(card), month: this.flowMonth(card.month) };
    const raw = await this.call('dayflowList', params, options);
    return { flows: parseList(dayFlowRowSchema, listField(raw, 'flows')), raw };
  }

  /** §2.1.9 one card's month flow (MB). */
  async cardMonthflow(card: QuectelCardSelector & { month: string }, options?: QuectelCallOptions) {
    const params = { ...selector(card), month: this.flowMonth(card.month) };
    const raw = await this.call('cardMonthflow', params, options);
    return {
      monthflow: parseWire(wireNumber, raw.monthflow),
      cycleflow: parseWire(wireNumber, raw.cycleflow),
      raw,
    };
  }

  /** §2.1.10 many cards' month flow (MB), 1000 per call; `number` echoes the kind asked by. */
  async cardsMonthflow(
    input: QuectelCardsSelector & { month: string },
    options?: QuectelCallOptions,
  ) {
    const month = this.flowMonth(input.month);
    const data = [];
    const raw: QuectelBody[] = [];
    for (const batch of batches(input)) {
      const body = await this.call(
        'cardsMonthflow',
        { month, [batch.kind]: batch.numbers.join(',') },
        options,
      );
      raw.push(body);
      data.push(...parseList(numberFlowRowSchema, listField(body, 'data', 'list', 'List')));
    }
    return { data, raw };
  }

  /** §2.1.11 one page of voice minutes per card in a month. */
  async voiceMonthflowList(
    input: { month: string; pageNo?: number; pageSize?: number },
    options?: QuectelCallOptions,
  ) {
    const raw = await this.call(
      'voiceMonthflowList',
      { month: input.month, pageNo: input.pageNo, pageSize: checkedPageSize(input.pageSize) },
      options,
    );
    return {
      page: parseWire(pageSchema, raw.page),
      flows: parseList(monthFlowRowSchema, listField(raw, 'flows')),
      raw,
    };
  }

  /** §2.1.12 daily voice minutes of one card in a month. */
  async voiceDayflowList(
    card: QuectelCardSelector & { month: string },
    options?: QuectelCallOptions,
  ) {
    const raw = await this.call(
      'voiceDayflowList',
      { ...selector(card), month: card.month },
      options,
    );
    return { flows: parseList(dayFlowRowSchema, listField(raw, 'flows')), raw };
  }

  /** §2.1.13 one card's alarm settings. */
  async cardAlarmGet(card: QuectelCardSelector, options?: QuectelCallOptions) {
    const raw = await this.call('cardAlarmGet', selector(card), options);
    return { alarmInfo: parseWire(alarmInfoSchema, raw.alarmInfo ?? {}), raw };
  }

  /** §2.1.14 a card's active flow packages. */
  async cardFlowpackages(card: QuectelCardSelector, options?: QuectelCallOptions) {
    const raw = await this.call('cardFlowpackages', selector(card), options);
    return { flowpackages: parseList(flowPackageSchema, listField(raw, 'flowpackages')), raw };
  }

  /** §2.1.15 a year card's packages: under `data` per the table, top level per the example. */
  async yearmonthDetail(card: QuectelCardSelector, options?: QuectelCallOptions) {
    const raw = await this.call('yearmonthDetail', selector(card), options);
    const source = typeof raw.data === 'object' && raw.data !== null ? raw.data : raw;
    return { data: parseWire(yearPackagesSchema, source), raw };
  }

  /** §2.1.16 real-name status: `rspdesc` true = registered. */
  async cardRealNameStatusQuery(card: QuectelCardSelector, options?: QuectelCallOptions) {
    const raw = await this.call('cardRealNameStatusQuery', selector(card), options);
    const data = (raw.data ?? {}) as Record<string, unknown>;
    return {
      rpscode: parseWire(wireText, data.rpscode),
      realNamed: parseWire(wireBoolean, data.rspdesc),
      raw,
    };
  }

  /** §2.1.17 the company and its sub-accounts. */
  async accountInfo(options?: QuectelCallOptions) {
    const raw = await this.call('accountInfo', {}, options);
    const data = (raw.data ?? {}) as Record<string, unknown>;
    const children = Array.isArray(data.children) ? data.children : [];
    return {
      companyid: parseWire(wireNumber, data.companyid),
      companyname: parseWire(wireText, data.companyname),
      children: children.map((child) => ({
        companyid: parseWire(wireNumber, (child as QuectelBody).companyid),
        companyname: parseWire(wireText, (child as QuectelBody).companyname),
      })),
      raw,
    };
  }

  // §2.2 card-list files

  /** §2.2.1 starts a card-list file task (3 a day, one at a time). */
  async fileCardGet(options?: QuectelCallOptions) {
    const raw = await this.call('fileCardGet', {}, options);
    return { taskId: parseWire(wireNumber, raw.taskId), raw };
  }

  /** §2.2.2 a task's status: "1" running, "2" generated. */
  async fileStatus(input: { taskId: number }, options?: QuectelCallOptions) {
    const raw = await this.call('fileStatus', { taskId: input.taskId }, options);
    const taskStatus = parseWire(wireText, raw.taskStatus);
    return { taskStatus, done: taskStatus === '2', raw };
  }

  /** §2.2.3 downloads a task's zip and streams the rows of `card_list.txt`. */
  fileDown(
    input: { taskId: number },
    options: QuectelCallOptions = {},
  ): Promise<AsyncGenerator<QuectelCardListRow>> {
    return this.download('fileDown', { taskId: input.taskId }, options);
  }

  /** §2.2.4 downloads the latest generated file. */
  fileLastDown(options: QuectelCallOptions = {}): Promise<AsyncGenerator<QuectelCardListRow>> {
    return this.download('fileLastDown', {}, options);
  }

  /** §2.2.5 the last 10 tasks; the success example is a bare array, the table an envelope. */
  async fileList(
    options?: QuectelCallOptions,
  ): Promise<{ tasks: QuectelFileTask[]; raw: unknown }> {
    const raw = await this.callRaw('fileList', {}, options);
    if (Array.isArray(raw)) return { tasks: parseList(fileTaskSchema, raw), raw };
    const body = this.checkEnvelope(raw);
    return {
      tasks: parseList(fileTaskSchema, listField(body, 'list', 'List', 'data', 'tasks')),
      raw,
    };
  }

  // §2.3 functions

  /** §2.3.1 realtime status. */
  async cardRealtimeStatus(card: QuectelCardSelector, options?: QuectelCallOptions) {
    const raw = await this.call('cardRealtimeStatus', selector(card), options);
    return { realTimeStatus: parseWire(realtimeStatusSchema, raw.realTimeStatus ?? {}), raw };
  }

  /** §2.3.2 coarse location from the base station. */
  async cardLocation(card: QuectelCardSelector, options?: QuectelCallOptions) {
    const raw = await this.call('cardLocation', selector(card), options);
    return { location: parseWire(locationSchema, raw), raw };
  }

  /** §2.3.3 one text to many cards (1000 numbers per call, a limit simdock sets itself). */
  async smsSend(
    input: QuectelCardsSelector & { content: string; smsId?: string },
    options?: QuectelCallOptions,
  ) {
    requireArgument(input.content !== '', 'content must not be empty');
    requireArgument((input.smsId ?? '').length <= 50, 'smsId is at most 50 characters');
    const successList = [];
    const errorList: string[] = [];
    const raw: QuectelBody[] = [];
    for (const batch of batches(input)) {
      // The table names the optional id `smsld`, a misprint of `smsId` (§2.3.3, revision 3.05).
      const body = await this.call(
        'smsSend',
        { content: input.content, [batch.kind]: batch.numbers.join(','), smsId: input.smsId },
        options,
      );
      raw.push(body);
      successList.push(...parseList(smsSentSchema, listField(body, 'successList')));
      errorList.push(...listField(body, 'errorList').map((entry) => String(entry)));
    }
    return { successList, errorList, raw };
  }

  /** §2.3.4 one page of the send log of a month; paging fields sit at the top level. */
  async smsSendlog(
    input: { dateStr: string; pageNo?: number; pageSize?: number },
    options?: QuectelCallOptions,
  ) {
    const raw = await this.call(
      'smsSendlog',
      { dateStr: input.dateStr, pageNo: input.pageNo, pageSize: checkedPageSize(input.pageSize) },
      options,
    );
    return {
      page: parseWire(pageSchema, typeof raw.page === 'object' ? raw.page : raw),
      infoList: parseList(smsLogSchema, listField(raw, 'infoList')),
      raw,
    };
  }

  /** §2.3.5 texts sent (mt) and received (mo) in a month. */
  async smsMonthcount(input: { dateStr: string }, options?: QuectelCallOptions) {
    const raw = await this.call('smsMonthcount', { dateStr: input.dateStr }, options);
    return { mt: parseWire(wireNumber, raw.mt), mo: parseWire(wireNumber, raw.mo), raw };
  }

  /**
   * §2.3.7 alarm settings for up to 1000 cards a call. `alarmParam` is sent unsigned. A partial
   * failure answers a non-zero code with the numbers that succeeded in `success`; that is
   * returned (`complete: false`), not thrown.
   */
  async cardAlarm(
    input: QuectelCardsSelector & { alarmParam: QuectelAlarmParam },
    options?: QuectelCallOptions,
  ) {
    const raw: QuectelBody[] = [];
    const success: string[] = [];
    let complete = true;
    for (const batch of batches(input)) {
      const body = await this.call(
        'cardAlarm',
        {
          [batch.kind === 'iccids' ? 'iccid' : 'msisdn']: batch.numbers.join(','),
          alarmParam: JSON.stringify(input.alarmParam),
        },
        options,
        (answer) => Array.isArray(answer.success),
      );
      raw.push(body);
      if (parseWire(wireNumber, body.resultCode) !== 0) {
        complete = false;
        success.push(...listField(body, 'success').map(String));
      } else success.push(...batch.numbers);
    }
    return { complete, success, raw };
  }

  /** §2.3.8 switches one card's alarm and pause thresholds on or off (sent unsigned). */
  async cardAlarmStatus(
    input: QuectelCardSelector & { alarmStatus?: 0 | 1; pauseStatus?: 0 | 1 },
    options?: QuectelCallOptions,
  ) {
    requireArgument(
      input.alarmStatus !== undefined || input.pauseStatus !== undefined,
      'give alarmStatus or pauseStatus',
    );
    const params = {
      ...selector(input),
      alarmStatus: input.alarmStatus,
      pauseStatus: input.pauseStatus,
    };
    return { raw: await this.call('cardAlarmStatus', params, options) };
  }

  /** §2.3.9 the real-name registration link (once a minute per card). */
  async cardRealName(card: QuectelCardSelector, options?: QuectelCallOptions) {
    const raw = await this.call('cardRealName', selector(card), options);
    const data = (raw.data ?? {}) as Record<string, unknown>;
    return { busiSeq: parseWire(wireText, data.busiSeq), url: parseWire(wireText, data.url), raw };
  }

  // §2.4 changes: one card per call, `{resultCode: 0}` on success

  /** §2.4.1 ends the test period. */
  async cardOvertest(card: QuectelCardSelector, options?: QuectelCallOptions) {
    return { raw: await this.call('cardOvertest', selector(card), options) };
  }
  /** §2.4.2 activates a silent (待激活) or test-period card. */
  async cardSilenceactive(card: QuectelCardSelector, options?: QuectelCallOptions) {
    return { raw: await this.call('cardSilenceactive', selector(card), options) };
  }
  /** §2.4.3 pauses a card in service. */
  async cardPause(card: QuectelCardSelector, options?: QuectelCallOptions) {
    return { raw: await this.call('cardPause', selector(card), options) };
  }
  /** §2.4.4 resumes a paused card. */
  async cardResume(card: QuectelCardSelector, options?: QuectelCallOptions) {
    return { raw: await this.call('cardResume', selector(card), options) };
  }
  /** §2.4.5 unbinds the IMEI (telecom cards; once per 30 minutes per card). */
  async cardImeiUnbind(card: QuectelCardSelector, options?: QuectelCallOptions) {
    return { raw: await this.call('cardImeiUnbind', selector(card), options) };
  }
  /** §2.4.6 turns data off. */
  async cardGprsClose(card: QuectelCardSelector, options?: QuectelCallOptions) {
    return { raw: await this.call('cardGprsClose', selector(card), options) };
  }
  /** §2.4.7 turns data on. */
  async cardGprsOpen(card: QuectelCardSelector, options?: QuectelCallOptions) {
    return { raw: await this.call('cardGprsOpen', selector(card), options) };
  }
  /** §2.4.8 resets a card: paused now, resumed 10 minutes later. */
  async cardReset(card: QuectelCardSelector, options?: QuectelCallOptions) {
    return { raw: await this.call('cardReset', selector(card), options) };
  }
  /** §2.4.9 turns voice off. */
  async cardVoiceClose(card: QuectelCardSelector, options?: QuectelCallOptions) {
    return { raw: await this.call('cardVoiceClose', selector(card), options) };
  }
  /** §2.4.10 turns voice on. */
  async cardVoiceOpen(card: QuectelCardSelector, options?: QuectelCallOptions) {
    return { raw: await this.call('cardVoiceOpen', selector(card), options) };
  }

  /** §2.4.11 adds voice whitelist numbers (at most 5 in total). */
  async cardVoiceAddwhitelist(
    input: QuectelCardSelector & { numbers: string[] },
    options?: QuectelCallOptions,
  ) {
    requireArgument(input.numbers.length >= 1 && input.numbers.length <= 5, 'give 1–5 numbers');
    const params = { ...selector(input), voiceWhiteList: input.numbers.join('_') };
    return { raw: await this.call('cardVoiceAddwhitelist', params, options) };
  }

  /** §2.4.12 deletes voice whitelist numbers (at most 2, once a calendar month). */
  async cardVoiceDelwhitelist(
    input: QuectelCardSelector & { numbers: string[] },
    options?: QuectelCallOptions,
  ) {
    requireArgument(input.numbers.length >= 1 && input.numbers.length <= 2, 'give 1–2 numbers');
    const params = { ...selector(input), voiceWhiteList: input.numbers.join('_') };
    return { raw: await this.call('cardVoiceDelwhitelist', params, options) };
  }

  // §2.5 value-added services

  /** §2.5.1 the flow-package products the company may buy. */
  async companyFlowpackage(options?: QuectelCallOptions) {
    const raw = await this.call('companyFlowpackage', {}, options);
    return { products: parseList(flowProductSchema, listField(raw, 'products')), raw };
  }

  /** §2.5.2 the renewal product of a card. */
  async cardSetmealProduct(card: QuectelCardSelector, options?: QuectelCallOptions) {
    const raw = await this.call('cardSetmealProduct', selector(card), options);
    return { product: parseWire(renewalProductSchema, raw.product ?? {}), raw };
  }

  /**
   * §2.5.3 buys a flow package. `preverify` only checks; `externalId` makes a retry return the
   * first order instead of placing a second one.
   */
  async cardRecharge(
    input: {
      iccid: string;
      productId: number | string;
      productName: string;
      remark?: string;
      externalId?: string;
      preverify?: boolean;
    },
    options?: QuectelCallOptions,
  ) {
    requireArgument((input.remark ?? '').length <= 200, 'remark is at most 200 characters');
    requireArgument((input.externalId ?? '').length <= 100, 'externalId is at most 100 characters');
    const raw = await this.call(
      'cardRecharge',
      { ...input, preverify: input.preverify === undefined ? undefined : input.preverify ? 1 : 0 },
      options,
    );
    return {
      orderNo: parseWire(wireText, raw.orderNo),
      message: parseWire(wireText, raw.errorMessage),
      raw,
    };
  }

  /** §2.5.4 renews a card's plan for `cycle` years, or `months` (1–12) when cycle is 1. */
  async cardRenewal(
    input: {
      iccid: string;
      cycle: number;
      months?: number;
      productId?: number | string;
      productName?: string;
      remark?: string;
      externalId?: string;
      preverify?: boolean;
    },
    options?: QuectelCallOptions,
  ) {
    requireArgument(
      Number.isInteger(input.cycle) && input.cycle >= 1,
      'cycle is a whole number ≥ 1',
    );
    if (input.months !== undefined) {
      requireArgument(input.cycle === 1, 'months applies only when cycle is 1');
      requireArgument(
        Number.isInteger(input.months) && input.months >= 1 && input.months <= 12,
        'months is 1–12',
      );
    }
    requireArgument((input.remark ?? '').length <= 200, 'remark is at most 200 characters');
    requireArgument((input.externalId ?? '').length <= 100, 'externalId is at most 100 characters');
    const raw = await this.call(
      'cardRenewal',
      { ...input, preverify: input.preverify === undefined ? undefined : input.preverify ? 1 : 0 },
      options,
    );
    return {
      orderNo: parseWire(wireText, raw.orderNo),
      message: parseWire(wireText, raw.errorMessage),
      raw,
    };
  }

  /** §2.5.5 a recharge or renewal order. */
  async orderDetails(input: { orderNo: string }, options?: QuectelCallOptions) {
    const raw = await this.call('orderDetails', { orderNo: input.orderNo }, options);
    return { details: parseWire(orderDetailsSchema, raw.details ?? {}), raw };
  }

  /** §2.5.7 the company wallet: balance (yuan) and movements. */
  async walletDetails(options?: QuectelCallOptions) {
    const raw = await this.call('walletDetails', {}, options);
    return {
      money: parseWire(wireNumber, raw.money),
      billingDetails: parseList(walletEntrySchema, listField(raw, 'billingDetails')),
      raw,
    };
  }
}

/** Creates a Quectel client: `createQuectel({ appKey, secret, fetch?, clock?, baseURL? })`. */
export function createQuectel(options: QuectelClientOptions): QuectelClient {
  return new QuectelClient(options);
}
