import {
  addDays,
  type CardStatusValue,
  type Clock,
  cstDate,
  cstToday,
  kbToBytes,
  systemClock,
} from '../../domain/index.js';
import {
  type BatchResult,
  type Capability,
  type CardHistoryOptions,
  type CardLocation,
  type CardsOptions,
  type ChangeStatusOptions,
  chunk,
  type DailyUsageOptions,
  groupByIdentifier,
  type IdentifierField,
  type InboundSms,
  type ItemResult,
  type MonthlyUsageOptions,
  missingIdentifierItem,
  type ReadInboundSmsOptions,
  type ReadInboundSmsResult,
  type SupplierAdapterV1,
  type SupplierCard,
  type SupplierCardEvent,
  SupplierError,
  type SupplierLimits,
  type SupplierRuntime,
  type SupplierSession,
  type SupplierWarning,
  supplierTransport,
  type UsageValue,
} from '../spec/index.js';
import { OnelinkV5Client, type OnelinkV5ClientOptions } from './onelink-v5-client.js';
import { changeStatusInBatches } from './onelink-v5-lifecycle.js';
import {
  mapOnelinkV5Status,
  ONELINK_V5_BATCH_LIMITS,
  ONELINK_V5_DAILY_WINDOW_DAYS,
  type OnelinkV5IdKind,
  onelinkV5Error,
  parseCstTime,
} from './onelink-v5-protocol.js';
import {
  itemFailed,
  itemId,
  type OnelinkV5CardInfo,
  type OnelinkV5Ids,
  type OnelinkV5ItemOutcome,
  type OnelinkV5Position,
  type OnelinkV5UsageItem,
} from './onelink-v5-records.js';

/** Account settings of a OneLink v5 account. */
export interface OnelinkV5Settings {
  /** API root (default `https://api.iot.10086.cn/v5/ec`). */
  baseUrl?: string;
  appid: string;
  password: string;
  /** Minutes a card stays locked after a status change (default 3). */
  cooldownMinutes?: number;
}

export interface CreateOnelinkV5Options extends OnelinkV5Settings, SupplierRuntime {
  accountId?: string;
  /** Wait between `query/sim-batch-result` polls (default 5 s). */
  pollIntervalMs?: number;
  /** How long a batch change is followed before its cards fail (default 15 min). */
  settleTimeoutMs?: number;
  /** Calls in flight at once within one operation (default 4). */
  concurrency?: number;
  /** Extra client options (token margin, batch operType overrides). */
  client?: Partial<OnelinkV5ClientOptions>;
}

/** Inbound SMS options for OneLink v5, which reads MO texts per card (`cards`, required) from
 * the CST date of `since` (default: 7 days back) to today. */
export type OnelinkV5ReadInboundSmsOptions = ReadInboundSmsOptions;

const READ_PREFERENCE: IdentifierField[] = ['iccid', 'msisdn', 'imsi'];
const CHANGE_PREFERENCE: IdentifierField[] = ['msisdn', 'iccid', 'imsi'];
/** Per-card errors that belong to one card, not to the whole call. */
const CARD_LEVEL = new Set([
  'supplier_card_unknown',
  'invalid_argument',
  'conflict',
  'supplier_rejected',
]);

/** The OneLink v5 adapter: the supplier contract on top of `OnelinkV5Client`. */
export class OnelinkV5Adapter implements SupplierAdapterV1 {
  readonly specificationVersion = 'v1' as const;
  readonly supplier = 'onelink-v5';
  readonly accountId: string;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'identities',
    'status',
    'usage.daily',
    'usage.monthly',
    'lifecycle',
    'sms.inbound',
    'location',
  ]);
  readonly limits: SupplierLimits = {
    batchSize: {
      identities: ONELINK_V5_BATCH_LIMITS.simCardInfoBatch,
      // query/sim-card-info/batch carries no status: status is one card per call.
      status: 1,
      'usage.daily': ONELINK_V5_BATCH_LIMITS.simDataUsageDailyBatch,
      'usage.monthly': ONELINK_V5_BATCH_LIMITS.simDataUsageMonthlyBatch,
      lifecycle: ONELINK_V5_BATCH_LIMITS.changeSimStatusBatch,
      'sms.inbound': ONELINK_V5_BATCH_LIMITS.simMoSmsBatch,
      location: ONELINK_V5_BATCH_LIMITS.lastPositionLocation,
    },
    dailyUsageWindowDays: ONELINK_V5_DAILY_WINDOW_DAYS,
    lifecycleActions: ['pause', 'resume', 'activate'],
    inboundSmsByCard: true,
  };
  readonly client: OnelinkV5Client;
  #clock: Clock;
  #options: CreateOnelinkV5Options;

  constructor(options: CreateOnelinkV5Options) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.accountId = options.accountId ?? `onelink-v5:${options.appid}`;
    this.client = new OnelinkV5Client({
      ...options.client,
      baseUrl: options.baseUrl,
      appid: options.appid,
      password: options.password,
      cooldownMinutes: options.cooldownMinutes,
      fetch: supplierTransport(options),
      clock: this.#clock,
      accountId: this.accountId,
    });
    // PROTOCOL-NOTES.md, OneLink v5 `change/sim-status`: the same card is locked for minutes
    // after a change; the account's `cooldownMinutes` says how many.
    this.limits = { ...this.limits, lifecycleCooldownMs: this.client.cooldown.cooldownMs };
  }

  async doGetIdentities(options: CardsOptions): Promise<BatchResult<SupplierCard>> {
    return this.#batched<OnelinkV5CardInfo, SupplierCard>(
      options,
      READ_PREFERENCE,
      ONELINK_V5_BATCH_LIMITS.simCardInfoBatch,
      async (cards) => {
        const answer = await this.client.querySimCardInfoBatch({
          cards,
          abortSignal: options.abortSignal,
        });
        return {
          bodies: answer.bodies,
          items: answer.value,
          value: (item) => ({
            iccid: item.iccid?.toUpperCase() ?? null,
            msisdn: item.msisdn,
            imsi: item.imsi,
            imei: null,
          }),
        };
      },
    );
  }

  async doGetStatus(options: CardsOptions): Promise<BatchResult<CardStatusValue>> {
    return this.#perCard(options, async (card) => {
      const answer = await this.client.querySimStatus({ card, abortSignal: options.abortSignal });
      return { bodies: answer.bodies, value: mapOnelinkV5Status(answer.value.cardStatus) };
    });
  }

  /**
   * `query/sim-session` (one card a call; PROTOCOL-NOTES.md): the card's data session, online
   * when an APN reports `01`. The per-APN list is kept in `details`.
   */
  async doGetSession(options: CardsOptions): Promise<BatchResult<SupplierSession>> {
    return this.#perCard(options, async (card) => {
      const answer = await this.client.querySimSession({ card, abortSignal: options.abortSignal });
      const sessions = answer.value;
      const current = sessions.find((session) => session.status === '01') ?? sessions[0];
      return {
        bodies: answer.bodies,
        value: {
          online: current?.status ? current.status === '01' : null,
          ip: current?.ip || null,
          apn: current?.apnName ?? null,
          rat: current?.rat ?? null,
          startedAt: current?.createDate ? parseCstTime(current.createDate) : null,
          details: { sessions },
        },
      };
    });
  }

  /** `query/sim-change-history` (one card a call): the card's status changes, newest first. */
  async doGetCardHistory(options: CardHistoryOptions): Promise<BatchResult<SupplierCardEvent[]>> {
    return this.#perCard(options, async (card) => {
      const answer = await this.client.querySimChangeHistory({
        card,
        abortSignal: options.abortSignal,
      });
      const events = answer.value
        .map((change): SupplierCardEvent => {
          const at = change.changeDate ? parseCstTime(change.changeDate) : null;
          return {
            at,
            kind: 'status',
            status: change.targetStatus ? mapOnelinkV5Status(change.targetStatus) : null,
            description: `${change.descStatus ?? '?'} → ${change.targetStatus ?? '?'}`,
          };
        })
        .filter(
          (event) =>
            event.at === null ||
            ((options.from === undefined || event.at >= options.from) &&
              (options.to === undefined || event.at <= options.to)),
        )
        .sort((a, b) => (b.at ?? 0) - (a.at ?? 0));
      return { bodies: answer.bodies, value: events };
    });
  }

  /**
   * One call per card (by ICCID, MSISDN or IMSI): a card-level refusal fails that card alone,
   * anything else fails the batch.
   */
  async #perCard<Value>(
    options: CardsOptions,
    read: (card: {
      kind: OnelinkV5IdKind;
      value: string;
    }) => Promise<{ bodies: unknown[]; value: Value }>,
  ): Promise<BatchResult<Value>> {
    const { groups, missing } = groupByIdentifier(options.cards, READ_PREFERENCE);
    const items: ItemResult<Value>[] = missing.map((card) =>
      missingIdentifierItem(card, 'iccid, msisdn or imsi'),
    );
    const bodies: unknown[] = [];
    const targets = [...groups].flatMap(([kind, entries]) =>
      entries.map((entry) => ({ kind, ...entry })),
    );
    await this.#each(targets, async ({ kind, card, id }) => {
      try {
        const answer = await read({ kind, value: id });
        bodies.push(...answer.bodies);
        items.push({ key: card.key, ok: true, value: answer.value });
      } catch (error) {
        if (!SupplierError.isInstance(error) || !CARD_LEVEL.has(error.code)) throw error;
        items.push({ key: card.key, ok: false, error });
      }
    });
    return { items, warnings: [], response: { bodies } };
  }

  async doGetDailyUsage(options: DailyUsageOptions): Promise<BatchResult<UsageValue>> {
    return this.#batched<OnelinkV5UsageItem, UsageValue>(
      options,
      READ_PREFERENCE,
      ONELINK_V5_BATCH_LIMITS.simDataUsageDailyBatch,
      async (cards) => {
        const answer = await this.client.querySimDataUsageDailyBatch({
          cards,
          date: options.date,
          abortSignal: options.abortSignal,
        });
        return {
          bodies: answer.bodies,
          items: answer.value,
          value: (item) => ({ bytes: kbToBytes(item.dataAmount) }),
        };
      },
    );
  }

  async doGetMonthlyUsage(options: MonthlyUsageOptions): Promise<BatchResult<UsageValue>> {
    return this.#batched<OnelinkV5UsageItem, UsageValue>(
      options,
      READ_PREFERENCE,
      ONELINK_V5_BATCH_LIMITS.simDataUsageMonthlyBatch,
      async (cards) => {
        const answer = await this.client.querySimDataUsageMonthlyBatch({
          cards,
          month: options.month,
          abortSignal: options.abortSignal,
        });
        return {
          bodies: answer.bodies,
          items: answer.value,
          value: (item) => ({ bytes: kbToBytes(item.dataAmount) }),
        };
      },
    );
  }

  async doChangeStatus(options: ChangeStatusOptions): Promise<BatchResult<CardStatusValue>> {
    const { groups, missing } = groupByIdentifier(options.cards, CHANGE_PREFERENCE);
    const targets = [...groups].flatMap(([kind, entries]) =>
      entries.map(({ card, id }) => ({ card, kind, id })),
    );
    const result = await changeStatusInBatches(this.client, options.action, targets, {
      clock: this.#clock,
      pollIntervalMs: this.#options.pollIntervalMs ?? 5_000,
      settleTimeoutMs: this.#options.settleTimeoutMs ?? 15 * 60_000,
      abortSignal: options.abortSignal,
    });
    const items = [
      ...missing.map((card) =>
        missingIdentifierItem<CardStatusValue>(card, 'msisdn, iccid or imsi'),
      ),
      ...result.items,
    ];
    return { items, warnings: [], response: { bodies: result.bodies } };
  }

  async doReadInboundSms(options: OnelinkV5ReadInboundSmsOptions): Promise<ReadInboundSmsResult> {
    const warnings: SupplierWarning[] = [];
    if (!options.cards?.length) {
      warnings.push({
        type: 'partial-data',
        message:
          'onelink-v5 reads MO texts per card (query/sim-mo-sms/batch): pass the cards to read',
      });
      return { messages: [], warnings, response: { bodies: [] } };
    }
    const today = cstToday(this.#clock.now());
    const since = options.since === undefined ? addDays(today, -7) : cstDate(options.since);
    const messages: InboundSms[] = [];
    const bodies: unknown[] = [];
    const { groups, missing } = groupByIdentifier(options.cards, CHANGE_PREFERENCE);
    for (const card of missing) {
      warnings.push({
        type: 'partial-data',
        message: 'card has no msisdn, iccid or imsi',
        key: card.key,
      });
    }
    const parts = [...groups].flatMap(([kind, entries]) =>
      chunk(entries, ONELINK_V5_BATCH_LIMITS.simMoSmsBatch).map((part) => ({ kind, part })),
    );
    await this.#each(parts, async ({ kind, part }) => {
      const answer = await this.client.querySimMoSmsBatch({
        cards: { kind, values: part.map((entry) => entry.id) },
        startDate: since,
        endDate: today,
        abortSignal: options.abortSignal,
      });
      bodies.push(...answer.bodies);
      for (const record of answer.value) {
        if (record.content === null) continue;
        messages.push({
          // No id in the record: one built from what identifies the text, stable across reads.
          messageId:
            record.smsId ?? `${record.msisdn ?? record.iccid}|${record.sendTime}|${record.content}`,
          msisdn: record.msisdn,
          iccid: record.iccid?.toUpperCase() ?? null,
          text: record.content,
          receivedAt: parseCstTime(record.sendTime),
        });
      }
    });
    messages.sort((a, b) => (a.receivedAt ?? 0) - (b.receivedAt ?? 0));
    return {
      messages: options.limit ? messages.slice(0, options.limit) : messages,
      warnings,
      response: { bodies },
    };
  }

  async doGetLocation(options: CardsOptions): Promise<BatchResult<CardLocation>> {
    return this.#batched<OnelinkV5Position, CardLocation>(
      options,
      READ_PREFERENCE,
      ONELINK_V5_BATCH_LIMITS.lastPositionLocation,
      async (cards) => {
        const answer = await this.client.queryLastPositionLocation({
          cards,
          abortSignal: options.abortSignal,
        });
        return {
          bodies: answer.bodies,
          items: answer.value,
          value: (item) => ({
            latitude: toNumber(item.lastLat),
            longitude: toNumber(item.lastLon),
            description: null,
            at: parseCstTime(item.lastTime),
          }),
        };
      },
    );
  }

  /**
   * Groups cards by the identifier they carry, chunks each group to the endpoint's limit, calls
   * `run` per chunk, and matches the answer's items back to the cards; a card the answer leaves
   * out fails on its own.
   */
  async #batched<Item extends OnelinkV5Ids & Partial<OnelinkV5ItemOutcome>, Value>(
    options: CardsOptions,
    preference: IdentifierField[],
    size: number,
    run: (cards: { kind: OnelinkV5IdKind; values: string[] }) => Promise<{
      bodies: unknown[];
      items: Item[];
      value: (item: Item) => Value;
    }>,
  ): Promise<BatchResult<Value>> {
    const { groups, missing } = groupByIdentifier(options.cards, preference);
    const items: ItemResult<Value>[] = missing.map((card) =>
      missingIdentifierItem(card, preference.join(', ')),
    );
    const bodies: unknown[] = [];
    const warnings: SupplierWarning[] = [];
    const parts = [...groups].flatMap(([kind, entries]) =>
      chunk(entries, size).map((part) => ({ kind, part })),
    );
    await this.#each(parts, async ({ kind, part }) => {
      const answer = await run({ kind, values: part.map((entry) => entry.id) });
      bodies.push(...answer.bodies);
      const byId = new Map(answer.items.map((item) => [itemId(item, kind), item]));
      for (const { card, id } of part) {
        const item = byId.get(kind === 'iccid' ? id.toUpperCase() : id);
        if (!item) {
          const error = new SupplierError(
            'supplier_bad_response',
            `onelink-v5 left card ${card.key} out of its answer`,
            { retryable: true },
          );
          items.push({ key: card.key, ok: false, error });
        } else if (
          itemFailed({ itemStatus: item.itemStatus ?? null, itemMessage: item.itemMessage ?? null })
        ) {
          items.push({
            key: card.key,
            ok: false,
            error: onelinkV5Error(item.itemStatus!, item.itemMessage ?? null, this.accountId),
          });
        } else {
          items.push({ key: card.key, ok: true, value: answer.value(item) });
        }
      }
    });
    return { items, warnings, response: { bodies } };
  }

  /** Runs `task` over `list` with at most `concurrency` in flight; the first failure stops it. */
  async #each<T>(list: T[], task: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const item = list[next++]!;
        await task(item);
      }
    };
    const workers = Array.from(
      { length: Math.min(this.#options.concurrency ?? 4, list.length) },
      worker,
    );
    await Promise.all(workers);
  }
}

function toNumber(value: string | null): number | null {
  if (value === null) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/** Creates a OneLink v5 adapter (the factory the definition and tests use). */
export function createOnelinkV5(options: CreateOnelinkV5Options): OnelinkV5Adapter {
  return new OnelinkV5Adapter(options);
}
