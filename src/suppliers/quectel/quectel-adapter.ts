import {
  BYTES_PER_MB,
  type CardStatusValue,
  type Clock,
  compactDate,
  mbToBytes,
  SimdockError,
  systemClock,
} from '../../domain/index.js';
import {
  type BatchResult,
  type Capability,
  type CardLocation,
  type CardsOptions,
  type ChangeStatusOptions,
  type DailyUsageOptions,
  type ItemResult,
  LIFECYCLE_ACTIONS,
  type ListCardsOptions,
  type ListCardsResult,
  type MonthlyUsageOptions,
  type SendSmsOptions,
  type SetDataCapOptions,
  type SupplierAdapterV1,
  type SupplierCard,
  type SupplierDataCap,
  type SupplierLimits,
  type SupplierRuntime,
  type SupplierWarning,
  supplierTransport,
  type UsageValue,
} from '../spec/index.js';
import {
  byKind,
  cardKey,
  indexCards,
  type PreparedCard,
  perCard,
  prepareCards,
  quectelStatus,
  TARGET_STATUS,
  unknownCardItem,
} from './quectel-adapter-support.js';
import { createQuectel, type QuectelClient } from './quectel-client.js';
import {
  alarmParamWithCap,
  capMegabytes,
  capSwitchedOn,
  dataCapOf,
  QUECTEL_CAP_EFFECT,
} from './quectel-data-cap.js';
import { QuectelExtras } from './quectel-extras.js';
import type { QuectelCard } from './quectel-wire.js';

/** The account settings of a Quectel account (`simdock.yaml`: `{id, type: quectel, …}`). */
export interface QuectelSettings {
  baseUrl: string;
  appKey: string;
  secret: string;
}

/** Single-card calls run this many at a time per operation. */
const CARD_CONCURRENCY = 4;

/** The card as the contract describes it: identities, status with its raw value, wire extras. */
export function supplierCardOf(card: QuectelCard): SupplierCard {
  const { msisdn, iccid, imsi, imei, status, ...extra } = card;
  return {
    iccid,
    msisdn,
    imsi,
    imei,
    status: quectelStatus(status),
    extra: { ...extra, monthflowBytes: mbToBytes(card.monthflow), flowBytes: mbToBytes(card.flow) },
  };
}

/**
 * The Quectel connectivity supplier (quectel-connectivity-api-v3.15.md) behind the simdock
 * contract. Everything else the document offers is on `quectel` (the full client) and on the
 * typed extras (`pools`, `recharge`, `renew`, `followOrder`, `wallet`, …).
 */
export class QuectelAdapter extends QuectelExtras implements SupplierAdapterV1 {
  readonly specificationVersion = 'v1' as const;
  readonly supplier = 'quectel';
  readonly accountId: string;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'inventory',
    'identities',
    'status',
    'usage.daily',
    'usage.monthly',
    'lifecycle',
    'sms.send',
    'location',
  ]);
  readonly limits: SupplierLimits = {
    batchSize: {
      identities: 1000,
      status: 1000,
      'usage.monthly': 1000,
      'usage.daily': 1,
      lifecycle: 1,
      'sms.send': 1000,
      location: 1,
    },
    pageSize: 1000,
    // Flows are kept for the last 12 months including the current one (§1.8 (1)).
    dailyUsageWindowDays: 334,
    lifecycleActions: LIFECYCLE_ACTIONS,
  };

  constructor(accountId: string, quectel: QuectelClient, clock: Clock) {
    super(quectel, clock);
    this.accountId = accountId;
  }

  /** §2.1.4: one page of 1000 cards; the cursor is the next page number. */
  async doListCards(options: ListCardsOptions): Promise<ListCardsResult> {
    const pageNo = options.cursor ? Number(options.cursor) : 1;
    if (!Number.isInteger(pageNo) || pageNo < 1) {
      throw new SimdockError('invalid_argument', `bad cursor "${options.cursor}"`);
    }
    const result = await this.quectel.cardList(
      { pageNo, pageSize: 1000 },
      { abortSignal: options.abortSignal },
    );
    const { totalPage } = result.page;
    const more = totalPage !== null ? pageNo < totalPage : result.cards.length === 1000;
    return {
      cards: result.cards.map(supplierCardOf),
      ...(more && result.cards.length > 0 ? { nextCursor: String(pageNo + 1) } : {}),
      warnings: [],
      response: { bodies: [result.raw] },
    };
  }

  async #cardsInfo(options: CardsOptions) {
    const { prepared, imsiOnly, rejected } = prepareCards(options.cards, { allowImsi: true });
    const bodies: unknown[] = [];
    const warnings: SupplierWarning[] = [];
    const found = new Map<string, QuectelCard>();
    const byImsi = new Map<string, QuectelCard>();
    if (imsiOnly.length > 0) {
      // No method looks a card up by IMSI (§2.1.5, §2.1.6 take msisdn or iccid): walk the fleet
      // list (§2.1.4) until every asked IMSI is seen. Costs up to one call per 1000 cards.
      const wanted = new Set(imsiOnly.map((item) => item.imsi));
      let pageNo = 1;
      for (; wanted.size > 0; pageNo += 1) {
        const page = await this.quectel.cardList(
          { pageNo, pageSize: 1000 },
          { abortSignal: options.abortSignal },
        );
        bodies.push(page.raw);
        for (const card of page.cards) {
          if (card.imsi && wanted.delete(card.imsi)) byImsi.set(card.imsi, card);
        }
        const last = page.page.totalPage ?? pageNo;
        if (page.cards.length === 0 || pageNo >= last) break;
      }
      warnings.push({
        type: 'other',
        message: `quectel has no IMSI lookup: ${imsiOnly.length} card(s) looked up by listing ${pageNo} page(s) of the fleet`,
      });
    }
    for (const [kind, items] of byKind(prepared)) {
      const numbers = items.map((item) => item.id);
      const result = await this.quectel.cardsInfo(
        kind === 'iccid' ? { iccids: numbers } : { msisdns: numbers },
        { abortSignal: options.abortSignal },
      );
      bodies.push(...result.raw);
      for (const [key, card] of indexCards(result.cards)) found.set(key, card);
    }
    const pick = <T>(map: (card: QuectelCard) => T): ItemResult<T>[] => [
      ...rejected,
      ...prepared.map((item): ItemResult<T> => {
        const card = found.get(cardKey(item));
        return card ? { key: item.card.key, ok: true, value: map(card) } : unknownCardItem(item);
      }),
      ...imsiOnly.map((item): ItemResult<T> => {
        const card = byImsi.get(item.imsi);
        if (card) return { key: item.card.key, ok: true, value: map(card) };
        return unknownCardItem({ card: item.card, kind: 'imsi', id: item.imsi });
      }),
    ];
    return { pick, bodies, warnings };
  }

  /** §2.1.6: 1000 cards a call. */
  async doGetIdentities(options: CardsOptions): Promise<BatchResult<SupplierCard>> {
    const { pick, bodies, warnings } = await this.#cardsInfo(options);
    return { items: pick(supplierCardOf), warnings, response: { bodies } };
  }

  /** §2.1.6: 1000 cards a call, statuses normalized with the raw kept. */
  async doGetStatus(options: CardsOptions): Promise<BatchResult<CardStatusValue>> {
    const { pick, bodies } = await this.#cardsInfo(options);
    return {
      items: pick((card) => quectelStatus(card.status)),
      warnings: [],
      response: { bodies },
    };
  }

  /** §2.1.10: 1000 cards a call; MB with decimals → bytes. */
  async doGetMonthlyUsage(options: MonthlyUsageOptions): Promise<BatchResult<UsageValue>> {
    const { prepared, rejected } = prepareCards(options.cards);
    const bodies: unknown[] = [];
    const flows = new Map<string, number | null>();
    for (const [kind, items] of byKind(prepared)) {
      const numbers = items.map((item) => item.id);
      const result = await this.quectel.cardsMonthflow(
        {
          ...(kind === 'iccid' ? { iccids: numbers } : { msisdns: numbers }),
          month: options.month,
        },
        { abortSignal: options.abortSignal },
      );
      bodies.push(...result.raw);
      for (const row of result.data) {
        if (row.number)
          flows.set(
            `${kind}:${kind === 'iccid' ? row.number.toUpperCase() : row.number}`,
            row.monthflow,
          );
      }
    }
    const items = prepared.map((item): ItemResult<UsageValue> => {
      const key = cardKey(item);
      if (!flows.has(key)) return unknownCardItem(item);
      return { key: item.card.key, ok: true, value: { bytes: mbToBytes(flows.get(key)) } };
    });
    return { items: [...rejected, ...items], warnings: [], response: { bodies } };
  }

  /** §2.1.8: one card per call (the month's days), the asked day picked; absent = unknown. */
  async doGetDailyUsage(options: DailyUsageOptions): Promise<BatchResult<UsageValue>> {
    const { prepared, rejected } = prepareCards(options.cards);
    const bodies: unknown[] = [];
    const wanted = compactDate(options.date);
    const items = await perCard(prepared, CARD_CONCURRENCY, async (item) => {
      const result = await this.quectel.dayflowList(
        { ...this.selector(item), month: wanted.slice(0, 6) },
        { abortSignal: options.abortSignal },
      );
      bodies.push(result.raw);
      const day = result.flows.find((row) => row.date === wanted);
      return { bytes: day ? mbToBytes(day.flow) : null };
    });
    return { items: [...rejected, ...items], warnings: [], response: { bodies } };
  }

  /**
   * §2.4.1–§2.4.4, §2.4.8: one card per call, then one batch read (§2.1.6) gives each card's
   * status after the change. A card the supplier refuses because it is already where the action
   * leads counts as done, so a retried job never changes a card twice.
   */
  async doChangeStatus(options: ChangeStatusOptions): Promise<BatchResult<CardStatusValue>> {
    const method = {
      pause: 'cardPause',
      resume: 'cardResume',
      activate: 'cardSilenceactive',
      'end-test': 'cardOvertest',
      reset: 'cardReset',
    } as const satisfies Record<(typeof LIFECYCLE_ACTIONS)[number], keyof QuectelClient>;
    const name = method[options.action];
    if (!name)
      throw new SimdockError('invalid_argument', `unknown lifecycle action ${options.action}`);
    const { prepared, rejected } = prepareCards(options.cards);
    const bodies: unknown[] = [];
    const warnings: SupplierWarning[] = [];
    const changes = await perCard(prepared, CARD_CONCURRENCY, async (item) => {
      const result = await this.quectel[name](this.selector(item), {
        abortSignal: options.abortSignal,
      });
      bodies.push(result.raw);
    });
    const readBack = await this.#cardsInfo({
      cards: prepared.map((item) => item.card),
      abortSignal: options.abortSignal,
    });
    bodies.push(...readBack.bodies);
    const statuses = new Map(
      readBack.pick((card) => quectelStatus(card.status)).map((result) => [result.key, result]),
    );
    const items = changes.map((change): ItemResult<CardStatusValue> => {
      const after = statuses.get(change.key);
      if (change.ok)
        return after?.ok
          ? after
          : { key: change.key, ok: true, value: { status: 'unknown', raw: null } };
      if (
        after?.ok &&
        change.error.code === 'supplier_rejected' &&
        TARGET_STATUS[options.action]?.includes(after.value.status)
      ) {
        warnings.push({
          type: 'other',
          key: change.key,
          message: `already ${after.value.raw}: ${change.error.supplierMessage}`,
        });
        return after;
      }
      return change;
    });
    return { items: [...rejected, ...items], warnings, response: { bodies } };
  }

  /** §2.3.3: one text to up to 1000 cards a call; delivery reports arrive as callbacks. */
  async doSendSms(options: SendSmsOptions): Promise<BatchResult<{ messageId: string | null }>> {
    const { prepared, rejected } = prepareCards(options.cards);
    const bodies: unknown[] = [];
    const sent = new Map<string, string | null>();
    const failed = new Set<string>();
    for (const [kind, items] of byKind(prepared)) {
      const numbers = items.map((item) => item.id);
      const result = await this.quectel.smsSend(
        {
          ...(kind === 'iccid' ? { iccids: numbers } : { msisdns: numbers }),
          content: options.text,
        },
        { abortSignal: options.abortSignal },
      );
      bodies.push(...result.raw);
      for (const entry of result.successList) {
        if (entry.iccid) sent.set(`iccid:${entry.iccid.toUpperCase()}`, entry.sms_id);
        if (entry.msisdn) sent.set(`msisdn:${entry.msisdn}`, entry.sms_id);
      }
      for (const number of result.errorList)
        failed.add(`${kind}:${kind === 'iccid' ? number.toUpperCase() : number}`);
    }
    const items = prepared.map((item): ItemResult<{ messageId: string | null }> => {
      const key = cardKey(item);
      if (sent.has(key))
        return { key: item.card.key, ok: true, value: { messageId: sent.get(key) ?? null } };
      if (failed.has(key)) {
        return {
          key: item.card.key,
          ok: false,
          error: this.rejected(`quectel could not send to ${item.id}`),
        };
      }
      return unknownCardItem(item);
    });
    return { items: [...rejected, ...items], warnings: [], response: { bodies } };
  }

  /** §2.3.2: one card per call; telecom cards report a result code, mobile cards an address. */
  async doGetLocation(options: CardsOptions): Promise<BatchResult<CardLocation>> {
    const { prepared, rejected } = prepareCards(options.cards);
    const bodies: unknown[] = [];
    const items = await perCard(prepared, CARD_CONCURRENCY, async (item) => {
      const result = await this.quectel.cardLocation(this.selector(item), {
        abortSignal: options.abortSignal,
      });
      bodies.push(result.raw);
      return this.locationOf(result.location);
    });
    return { items: [...rejected, ...items], warnings: [], response: { bodies } };
  }

  /**
   * Carrier-side data cap: the stop threshold of 流量管理设置 (quectel-connectivity-api-v3.15.md
   * §2.3.7 `pauseflowthreshold`, MB, with `pausestatus` 1). Unlike a data-only cap, the document
   * says "达到阈值将进行停机": once the card's flow reaches it, Quectel stops the WHOLE card (停机,
   * reason 超出阈值停机: data, voice and SMS), not only its data; every read-back says so in
   * `details`. Lowering the cap below what the card has used stops it. Cancelling or raising the
   * cap does not bring back a card already stopped by it (the document names no way back).
   *
   * One card at a time, two calls each: the card's settings are read first (§2.1.13) because a
   * §2.3.7 write replaces the whole record, so its warning e-mails and thresholds are sent back
   * unchanged. A cancel switches the stop off with §2.3.8 (`pauseStatus` 0) and keeps the
   * value; a card whose stop is already off needs no second call. Caps go in whole MB, rounded up.
   */
  async doSetDataCap(options: SetDataCapOptions): Promise<BatchResult<Record<string, never>>> {
    const megabytes = capMegabytes(options.capBytes);
    const { prepared, rejected } = prepareCards(options.cards);
    const bodies: unknown[] = [];
    const call = { abortSignal: options.abortSignal };
    const items = await perCard(
      prepared,
      CARD_CONCURRENCY,
      async (item): Promise<Record<string, never>> => {
        const current = await this.quectel.cardAlarmGet(this.selector(item), call);
        bodies.push(current.raw);
        if (megabytes === null) {
          if (!capSwitchedOn(current.alarmInfo)) return {};
          const off = await this.quectel.cardAlarmStatus(
            { ...this.selector(item), pauseStatus: 0 },
            call,
          );
          bodies.push(off.raw);
          return {};
        }
        const set = await this.quectel.cardAlarm(
          {
            ...(item.kind === 'iccid' ? { iccids: [item.id] } : { msisdns: [item.id] }),
            alarmParam: alarmParamWithCap(current.alarmInfo, megabytes),
          },
          call,
        );
        bodies.push(...set.raw);
        if (!set.complete) {
          const message = set.raw.map((body) => body.errorMessage).find(Boolean);
          throw this.rejected(`quectel did not set the threshold: ${message ?? 'no reason given'}`);
        }
        return {};
      },
    );
    const warnings: SupplierWarning[] = [];
    if (options.capBytes !== null && options.capBytes % BYTES_PER_MB !== 0) {
      warnings.push({
        type: 'document-quirk',
        message: `quectel takes pauseflowthreshold in whole MB: ${options.capBytes} bytes sent as ${megabytes} MB`,
      });
    }
    if (options.capBytes !== null && items.some((item) => item.ok)) {
      warnings.push({ type: 'other', message: QUECTEL_CAP_EFFECT });
    }
    return { items: [...rejected, ...items], warnings, response: { bodies } };
  }

  /**
   * Each card's stop threshold (§2.1.13, one card a call) and whether it has stopped the card:
   * one batch read (§2.1.6) gives the status and its reason 超出阈值停机 (§1.7).
   */
  async doGetDataCap(options: CardsOptions): Promise<BatchResult<SupplierDataCap>> {
    const { prepared, rejected } = prepareCards(options.cards);
    const bodies: unknown[] = [];
    const call = { abortSignal: options.abortSignal };
    const settings = await perCard(prepared, CARD_CONCURRENCY, async (item) => {
      const answer = await this.quectel.cardAlarmGet(this.selector(item), call);
      bodies.push(answer.raw);
      return answer.alarmInfo;
    });
    const known = prepared.filter((_, position) => settings[position]?.ok);
    const records = new Map<string, QuectelCard>();
    const warnings: SupplierWarning[] = [];
    if (known.length > 0) {
      try {
        const read = await this.#cardsInfo({
          cards: known.map((item) => item.card),
          abortSignal: options.abortSignal,
        });
        bodies.push(...read.bodies);
        for (const result of read.pick((card) => card)) {
          if (result.ok) records.set(result.key, result.value);
        }
      } catch (error) {
        if (
          options.abortSignal?.aborted ||
          !SimdockError.isInstance(error) ||
          error.code === 'supplier_auth_failed'
        )
          throw error;
        warnings.push({
          type: 'partial-data',
          message: `quectel card status not read (${error.message}): whether the cap was reached is unknown`,
        });
      }
    }
    const items = settings.map((result): ItemResult<SupplierDataCap> => {
      if (!result.ok) return result;
      return {
        key: result.key,
        ok: true,
        value: dataCapOf(result.value, records.get(result.key) ?? null),
      };
    });
    return { items: [...rejected, ...items], warnings, response: { bodies } };
  }

  selector(item: PreparedCard) {
    return item.kind === 'iccid' ? { iccid: item.id } : { msisdn: item.id };
  }
}

/** Creates the adapter for one account; the runtime's transport carries the signing. */
export function createQuectelAdapter(
  accountId: string,
  settings: QuectelSettings,
  runtime: SupplierRuntime = {},
): QuectelAdapter {
  const clock = runtime.clock ?? systemClock;
  const quectel = createQuectel({
    baseURL: settings.baseUrl,
    appKey: settings.appKey,
    secret: settings.secret,
    fetch: supplierTransport(runtime),
    clock,
    accountId,
  });
  return new QuectelAdapter(accountId, quectel, clock);
}
