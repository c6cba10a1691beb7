import {
  type Clock,
  type CstDate,
  type CstMonth,
  lastCompleteDays,
  lastMonths,
  systemClock,
} from '../../domain/index.js';
import { type FetchFunction, readJson, SupplierError } from '../spec/index.js';
import { OnelinkV5Cooldown } from './onelink-v5-cooldown.js';
import {
  batchParam,
  nextTransid,
  ONELINK_V5_BATCH_LIMITS,
  ONELINK_V5_BATCH_OPER_TYPES,
  ONELINK_V5_DAILY_WINDOW_DAYS,
  ONELINK_V5_DEFAULT_BASE_URL,
  ONELINK_V5_DEFAULT_COOLDOWN_MINUTES,
  ONELINK_V5_MONTHLY_WINDOW_MONTHS,
  ONELINK_V5_PATHS,
  ONELINK_V5_TOKEN_EXPIRED,
  type OnelinkV5BatchOperTypes,
  type OnelinkV5CardId,
  type OnelinkV5CardIds,
  type OnelinkV5Endpoint,
  onelinkV5Error,
  parseEnvelope,
  singleParam,
  text,
  wireDate,
  wireMonth,
} from './onelink-v5-protocol.js';
import * as records from './onelink-v5-records.js';
import { OnelinkV5TokenCache } from './onelink-v5-token.js';

export interface OnelinkV5ClientOptions {
  /** API root, `https://api.iot.10086.cn/v5/ec` by default; a bare origin gets `/v5/ec`. */
  baseUrl?: string;
  appid: string;
  password: string;
  /** The transport (the adapter passes `supplierTransport(runtime)`); global fetch otherwise. */
  fetch?: FetchFunction;
  clock?: Clock;
  /** Minutes a card stays locked after a status change (default 3). */
  cooldownMinutes?: number;
  /** Seconds before the token's stated expiry at which it is renewed (default 60). */
  tokenMarginSeconds?: number;
  /** Overrides the `operType` codes of the batch status change (see the protocol file). */
  batchOperTypes?: Partial<OnelinkV5BatchOperTypes>;
  /** Account id carried in errors. */
  accountId?: string;
}

/** What every client method returns: the typed value and the parsed bodies behind it. */
export interface OnelinkV5Answer<T> {
  value: T;
  /** One parsed body per call made (a token refresh adds the refused attempt). */
  bodies: unknown[];
}

interface CallOptions {
  abortSignal?: AbortSignal;
}

/**
 * A typed OneLink v5 client: one method per endpoint PROTOCOL-NOTES.md names, wire names kept,
 * batch limits and date windows checked before any call, the token managed (cached, refreshed
 * once on `12021`, never fetched twice at once) and the per-card cooldown after a status change
 * waited out on the clock.
 */
export class OnelinkV5Client {
  readonly baseUrl: string;
  readonly appid: string;
  readonly tokens: OnelinkV5TokenCache;
  readonly cooldown: OnelinkV5Cooldown;
  readonly batchOperTypes: OnelinkV5BatchOperTypes;
  #password: string;
  #fetch: FetchFunction;
  #clock: Clock;
  #accountId: string | undefined;

  constructor(options: OnelinkV5ClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl ?? ONELINK_V5_DEFAULT_BASE_URL);
    this.appid = options.appid;
    this.#password = options.password;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#clock = options.clock ?? systemClock;
    this.#accountId = options.accountId;
    this.batchOperTypes = { ...ONELINK_V5_BATCH_OPER_TYPES, ...options.batchOperTypes };
    this.tokens = new OnelinkV5TokenCache({
      clock: this.#clock,
      marginSeconds: options.tokenMarginSeconds,
      fetchToken: () => this.#fetchToken(),
    });
    this.cooldown = new OnelinkV5Cooldown({
      clock: this.#clock,
      cooldownMinutes: options.cooldownMinutes ?? ONELINK_V5_DEFAULT_COOLDOWN_MINUTES,
    });
  }

  /** `query/sim-basic-info`: the card's identifiers and its activation and opening dates. */
  async querySimBasicInfo(options: { card: OnelinkV5CardId } & CallOptions) {
    return this.#first('simBasicInfo', singleParam(options.card), options, records.readBasicInfo);
  }

  /** `query/sim-status`: one card's `cardStatus`. */
  async querySimStatus(options: { card: OnelinkV5CardId } & CallOptions) {
    return this.#first('simStatus', singleParam(options.card), options, records.readSimStatus);
  }

  /** `query/sim-card-info/batch` (≤ 100 cards): the other identifiers of each card. */
  async querySimCardInfoBatch(options: { cards: OnelinkV5CardIds } & CallOptions) {
    const answer = await this.#batch('simCardInfoBatch', options.cards, {}, options);
    return { ...answer, value: answer.value.map(records.readCardInfo) };
  }

  /** `query/sim-data-usage`: month-to-date usage of one card, KB. */
  async querySimDataUsage(options: { card: OnelinkV5CardId } & CallOptions) {
    return this.#first('simDataUsage', singleParam(options.card), options, records.readDataUsage);
  }

  /** `query/sim-data-usage-daily/batch` (≤ 100 cards; one day in the last 7, up to yesterday). */
  async querySimDataUsageDailyBatch(
    options: { cards: OnelinkV5CardIds; date: CstDate } & CallOptions,
  ) {
    const window = lastCompleteDays(ONELINK_V5_DAILY_WINDOW_DAYS, this.#clock.now());
    if (!window.includes(options.date)) {
      throw invalid(
        `daily usage is offered for ${window[0]}…${window.at(-1)}, not ${options.date}`,
      );
    }
    const answer = await this.#batch(
      'simDataUsageDailyBatch',
      options.cards,
      { queryDate: wireDate(options.date) },
      options,
    );
    return { ...answer, value: records.readUsageItems(answer.value) };
  }

  /** `query/sim-data-usage-monthly/batch` (≤ 100 cards; one of the last 6 months). */
  async querySimDataUsageMonthlyBatch(
    options: { cards: OnelinkV5CardIds; month: CstMonth } & CallOptions,
  ) {
    const window = lastMonths(ONELINK_V5_MONTHLY_WINDOW_MONTHS, this.#clock.now());
    if (!window.includes(options.month)) {
      throw invalid(
        `monthly usage is offered for ${window[0]}…${window.at(-1)}, not ${options.month}`,
      );
    }
    const answer = await this.#batch(
      'simDataUsageMonthlyBatch',
      options.cards,
      { queryDate: wireMonth(options.month) },
      options,
    );
    return { ...answer, value: records.readUsageItems(answer.value) };
  }

  /**
   * `change/sim-status`: one card, `operType` 0 停机, 1 复机, 2 库存→已激活, 6 待激活→已激活.
   * Waits out the card's cooldown first.
   */
  async changeSimStatus(options: { card: OnelinkV5CardId; operType: string } & CallOptions) {
    await this.cooldown.waitFor([options.card.value], options.abortSignal);
    const answer = await this.#call(
      'changeSimStatus',
      { ...singleParam(options.card), operType: options.operType },
      options,
    );
    this.cooldown.mark([options.card.value]);
    return answer;
  }

  /**
   * `change/sim-status/batch` (≤ 100 cards): submits an asynchronous change and returns its
   * `jobId`; follow it with `querySimBatchResult`. Waits out every card's cooldown first, because
   * one locked card makes the supplier refuse the whole batch.
   */
  async changeSimStatusBatch(
    options: { cards: OnelinkV5CardIds; operType: string; reason?: string } & CallOptions,
  ): Promise<OnelinkV5Answer<records.OnelinkV5BatchJob>> {
    await this.cooldown.waitFor(options.cards.values, options.abortSignal);
    const extra: Record<string, string> = { operType: options.operType };
    if (options.reason) extra.reason = options.reason;
    const answer = await this.#batch('changeSimStatusBatch', options.cards, extra, options);
    const jobId = answer.value[0] ? text(answer.value[0], 'jobId') : null;
    if (!jobId) {
      throw new SupplierError(
        'supplier_bad_response',
        'onelink-v5 accepted a batch without jobId',
        {
          accountId: this.#accountId,
          details: { body: answer.bodies.at(-1) },
        },
      );
    }
    this.cooldown.mark(options.cards.values);
    return { value: { jobId }, bodies: answer.bodies };
  }

  /** `query/sim-batch-result`: the state of a batch job and its per-card outcomes. */
  async querySimBatchResult(options: { jobId: string } & CallOptions) {
    return this.#first(
      'simBatchResult',
      { jobId: options.jobId },
      options,
      records.readBatchResult,
    );
  }

  /** `query/sim-imei`: the IMEI of the device the card is in. */
  async querySimImei(options: { card: OnelinkV5CardId } & CallOptions) {
    return this.#first('simImei', singleParam(options.card), options, records.readImei);
  }

  /** `query/on-off-status`: whether the device is switched on (`1`) or off (`0`). */
  async queryOnOffStatus(options: { card: OnelinkV5CardId } & CallOptions) {
    return this.#first('onOffStatus', singleParam(options.card), options, records.readOnOffStatus);
  }

  /** `query/sim-session`: the card's data sessions per APN. */
  async querySimSession(options: { card: OnelinkV5CardId } & CallOptions) {
    const answer = await this.#call('simSession', singleParam(options.card), options);
    return { ...answer, value: records.readSessions(answer.value) };
  }

  /** `query/sim-change-history`: the card's status changes. */
  async querySimChangeHistory(options: { card: OnelinkV5CardId } & CallOptions) {
    const answer = await this.#call('simChangeHistory', singleParam(options.card), options);
    return { ...answer, value: records.readChangeHistory(answer.value) };
  }

  /** `query/sim-mt-sms/batch` (≤ 20 cards): texts sent to the cards between two dates. */
  async querySimMtSmsBatch(options: SmsBatchOptions) {
    return this.#sms('simMtSmsBatch', options);
  }

  /** `query/sim-mo-sms/batch` (≤ 20 cards): texts the cards sent between two dates. */
  async querySimMoSmsBatch(options: SmsBatchOptions) {
    return this.#sms('simMoSmsBatch', options);
  }

  /** `query/last-position-location` (≤ 20 cards): where each card was last online. */
  async queryLastPositionLocation(options: { cards: OnelinkV5CardIds } & CallOptions) {
    const answer = await this.#batch('lastPositionLocation', options.cards, {}, options);
    return { ...answer, value: records.readPositions(answer.value) };
  }

  /** `get/token` as such (the methods above fetch and cache it themselves). */
  async getToken(): Promise<string> {
    return this.tokens.get();
  }

  async #sms(endpoint: 'simMtSmsBatch' | 'simMoSmsBatch', options: SmsBatchOptions) {
    if (options.startDate > options.endDate) throw invalid('startDate is after endDate');
    const answer = await this.#batch(
      endpoint,
      options.cards,
      { startDate: wireDate(options.startDate), endDate: wireDate(options.endDate) },
      options,
    );
    return { ...answer, value: records.readSmsRecords(answer.value) };
  }

  async #first<T>(
    endpoint: OnelinkV5Endpoint,
    params: Record<string, string>,
    options: CallOptions,
    read: (item: Record<string, unknown>) => T,
  ): Promise<OnelinkV5Answer<T>> {
    const answer = await this.#call(endpoint, params, options);
    return { value: read(answer.value[0] ?? {}), bodies: answer.bodies };
  }

  async #batch(
    endpoint: keyof typeof ONELINK_V5_BATCH_LIMITS,
    cards: OnelinkV5CardIds,
    extra: Record<string, string>,
    options: CallOptions,
  ): Promise<OnelinkV5Answer<Record<string, unknown>[]>> {
    const limit = ONELINK_V5_BATCH_LIMITS[endpoint];
    if (cards.values.length === 0) throw invalid(`${endpoint} needs at least one card`);
    if (cards.values.length > limit) {
      throw invalid(`${endpoint} takes at most ${limit} cards, got ${cards.values.length}`);
    }
    return this.#call(endpoint, { ...batchParam(cards), ...extra }, options);
  }

  /** One business call: token, transid, and one retry with a new token on `12021`. */
  async #call(
    endpoint: OnelinkV5Endpoint,
    params: Record<string, string>,
    options: CallOptions,
  ): Promise<OnelinkV5Answer<Record<string, unknown>[]>> {
    const bodies: unknown[] = [];
    for (let attempt = 1; ; attempt += 1) {
      options.abortSignal?.throwIfAborted();
      const token = await abortable(this.tokens.get(), options.abortSignal);
      const { envelope, body } = await this.#request(
        ONELINK_V5_PATHS[endpoint],
        { transid: nextTransid(this.appid, this.#clock.now()), token, ...params },
        options.abortSignal,
      );
      bodies.push(body);
      if (envelope.status === '0') return { value: envelope.result, bodies };
      // PROTOCOL-NOTES.md, OneLink v5: 12021 TOKEN不存在或已过期 → fetch a new token once.
      if (envelope.status === ONELINK_V5_TOKEN_EXPIRED && attempt === 1) {
        this.tokens.invalidate(token);
        continue;
      }
      throw onelinkV5Error(envelope.status, envelope.message, this.#accountId);
    }
  }

  async #fetchToken(): Promise<{ token: string; ttlSeconds: number }> {
    const { envelope, body } = await this.#request(ONELINK_V5_PATHS.token, {
      appid: this.appid,
      password: this.#password,
      transid: nextTransid(this.appid, this.#clock.now()),
    });
    if (envelope.status !== '0') {
      throw onelinkV5Error(envelope.status, envelope.message, this.#accountId);
    }
    const item = envelope.result[0] ?? {};
    const token = text(item, 'token');
    const ttl = Number(text(item, 'ttl'));
    if (!token) {
      throw new SupplierError('supplier_bad_response', 'onelink-v5 get/token gave no token', {
        accountId: this.#accountId,
        details: { body: { ...(body as object), result: '[withheld]' } },
      });
    }
    // An unreadable ttl is treated as a short one (60 s) rather than as forever.
    return { token, ttlSeconds: Number.isFinite(ttl) && ttl > 0 ? ttl : 60 };
  }

  async #request(path: string, params: Record<string, string>, abortSignal?: AbortSignal) {
    const url = new URL(`${this.baseUrl}/${path}`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    const response = await this.#fetch(url, { method: 'GET', signal: abortSignal });
    const body = await readJson(response);
    return { envelope: parseEnvelope(body), body };
  }
}

export type SmsBatchOptions = {
  cards: OnelinkV5CardIds;
  /** CST dates, both included. */
  startDate: CstDate;
  endDate: CstDate;
} & CallOptions;

/** `https://api.iot.10086.cn` → `https://api.iot.10086.cn/v5/ec`; trailing slashes dropped. */
export function normalizeBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path === '' ? '/v5/ec' : path;
  return url.toString().replace(/\/+$/, '');
}

function invalid(message: string): SupplierError {
  return new SupplierError('invalid_argument', `onelink-v5: ${message}`, { retryable: false });
}

/** Waits for a shared promise, but lets this caller give up on its own signal. */
function abortable<T>(promise: Promise<T>, abortSignal?: AbortSignal): Promise<T> {
  if (!abortSignal) return promise;
  abortSignal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortSignal.reason);
    abortSignal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        abortSignal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        abortSignal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
