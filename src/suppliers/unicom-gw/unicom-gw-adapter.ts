import {
  BYTES_PER_MB,
  type CardStatusValue,
  type Clock,
  isRetryable,
  mbToBytes,
  systemClock,
} from '../../domain/index.js';
import {
  type BatchResult,
  type Capability,
  type CardHistoryOptions,
  type CardRef,
  type CardsOptions,
  type ChangeStatusOptions,
  chunk,
  type ItemResult,
  type ListCardsOptions,
  type ListCardsResult,
  type ListChangedCardsOptions,
  type ListChangedCardsResult,
  type MonthlyUsageOptions,
  missingIdentifierItem,
  type SetDataCapOptions,
  type SupplierAdapterV1,
  type SupplierCard,
  type SupplierCardEvent,
  type SupplierDataCap,
  SupplierError,
  type SupplierLimits,
  type SupplierRuntime,
  type SupplierSession,
  type SupplierWarning,
  supplierTransport,
  type UsageValue,
  withRetry,
} from '../spec/index.js';
import { UnicomGwClient, type UnicomGwTerminal } from './unicom-gw-client.js';
import {
  mapUnicomGwStatus,
  parseUnicomGwTime,
  UNICOM_GW_BILLING_CYCLE_START_DAY,
  UNICOM_GW_CHANGE_TYPES,
  UNICOM_GW_DEFAULT_RATE_LIMIT,
  UNICOM_GW_MODIFIED_PAGE_SIZE,
  UNICOM_GW_SIM_STATUS,
  type UnicomGwOverride,
  unicomGwBillingMonth,
  unicomGwResultError,
  wireBillingCycle,
} from './unicom-gw-protocol.js';

/** A China Unicom gateway account's settings (`simdock.yaml`). */
export interface UnicomGwSettings {
  /** Default `https://gwapi.10646.cn`. */
  baseUrl?: string;
  appId: string;
  appSecret: string;
  openId: string;
  /** Per-operation path overrides; every other path is `/api/<operation>/V1/1Main/vV1.1`. */
  paths?: Record<string, string>;
  /** ICCIDs per `wsGetTerminalDetails` call (1–50, default 50). */
  detailsBatch?: number;
  /** ICCIDs per `wsGetSessionInfo` call (default 50, a guess). */
  sessionBatch?: number;
  /** `asynchronous` sent with `wsEditTerminal` (default 1: the change is followed until it lands). */
  asynchronous?: '0' | '1';
  /** Between two reads while a change settles (default 5 s). */
  pollIntervalMs?: number;
  /** How long a change is followed before its card fails as not settled (default 10 min). */
  settleTimeoutMs?: number;
  /** Day of the month the billing cycle starts (default 27). */
  billingCycleStartDay?: number;
  /**
   * The usage limit (MB) of each rate plan, by `ratePlan` name: Unicom's carrier-side cap is the
   * rate plan's limit (changeType 7 only turns it on or off), so simdock needs it to report the
   * cap in bytes and to refuse a different amount.
   */
  ratePlanLimitsMb?: Record<string, number>;
  /** What cancelling the cap sends: PERMANENT_OVERRIDE (default) or TEMPORARY_OVERRIDE (this cycle). */
  capCancelOverride?: 'PERMANENT_OVERRIDE' | 'TEMPORARY_OVERRIDE';
  /** Days of audit trail read when no `from` is given (default 30, a guess). */
  auditDaysOfHistory?: number;
}

export interface CreateUnicomGwOptions extends UnicomGwSettings, SupplierRuntime {
  accountId?: string;
  /** Calls in flight at once within one operation (default 4). */
  concurrency?: number;
  /** Random source for `trans_id` (tests). */
  random?: () => number;
}

/** Per-card errors: they belong to one card, not to the whole call. */
const CARD_LEVEL = new Set([
  'supplier_card_unknown',
  'invalid_argument',
  'conflict',
  'supplier_rejected',
]);

/** The changeType 3 target of each lifecycle action (the notes: 2 已激活, 3 已停用). */
const LIFECYCLE_TARGETS = {
  pause: UNICOM_GW_SIM_STATUS.deactivated,
  resume: UNICOM_GW_SIM_STATUS.activated,
  activate: UNICOM_GW_SIM_STATUS.activated,
} as const;

type Target = { card: CardRef; iccid: string };
/** A card being followed; `refusal` when the gateway refused it and only a check is left. */
type Following = Target & { refusal?: SupplierError };

/** The China Unicom gateway adapter: the supplier contract on top of `UnicomGwClient`. */
export class UnicomGwAdapter implements SupplierAdapterV1 {
  readonly specificationVersion = 'v1' as const;
  readonly supplier = 'unicom-gw';
  readonly accountId: string;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'inventory',
    'identities',
    'status',
    'usage.monthly',
    'lifecycle',
  ]);
  readonly limits: SupplierLimits;
  readonly client: UnicomGwClient;
  #clock: Clock;
  #options: CreateUnicomGwOptions;
  #startDay: number;

  constructor(options: CreateUnicomGwOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#startDay = options.billingCycleStartDay ?? UNICOM_GW_BILLING_CYCLE_START_DAY;
    this.accountId = options.accountId ?? `unicom-gw:${options.appId}`;
    this.client = new UnicomGwClient({
      baseUrl: options.baseUrl,
      appId: options.appId,
      appSecret: options.appSecret,
      openId: options.openId,
      paths: options.paths,
      detailsBatch: options.detailsBatch,
      sessionBatch: options.sessionBatch,
      fetch: supplierTransport({
        ...options,
        rateLimit: options.rateLimit ?? UNICOM_GW_DEFAULT_RATE_LIMIT,
      }),
      clock: this.#clock,
      accountId: this.accountId,
      random: options.random,
    });
    const details = this.client.detailsBatch;
    this.limits = {
      batchSize: {
        identities: details,
        status: details,
        // The current cycle comes from wsGetTerminalDetails (50 a call); a closed cycle is read
        // per card (wsGetTerminalUsage), which the planner rarely asks for.
        'usage.monthly': details,
        // wsEditTerminal is one card per call; following the changes reads 50 cards a call.
        lifecycle: details,
      },
      pageSize: UNICOM_GW_MODIFIED_PAGE_SIZE,
      lifecycleActions: ['pause', 'resume', 'activate'],
      billingCycleStartDay: this.#startDay,
    };
  }

  async doListCards(options: ListCardsOptions): Promise<ListCardsResult> {
    return this.#modifiedPage(undefined, options.cursor, options.abortSignal);
  }

  async doListChangedCards(options: ListChangedCardsOptions): Promise<ListChangedCardsResult> {
    if (!Number.isFinite(options.since)) {
      throw new SupplierError('invalid_argument', 'since must be an instant (epoch ms)', {
        retryable: false,
      });
    }
    return this.#modifiedPage(options.since, options.cursor, options.abortSignal);
  }

  async doGetIdentities(options: CardsOptions): Promise<BatchResult<SupplierCard>> {
    return this.#details(options, (terminal) => ({
      iccid: terminal.iccid,
      msisdn: terminal.msisdn,
      imsi: terminal.imsi,
      imei: terminal.imei,
      status: mapUnicomGwStatus(terminal.simStatus),
      extra: terminal.raw,
    }));
  }

  async doGetStatus(options: CardsOptions): Promise<BatchResult<CardStatusValue>> {
    return this.#details(options, (terminal) => mapUnicomGwStatus(terminal.simStatus));
  }

  /**
   * Usage of one billing month (`month` names the cycle that ends on the 26th of that month:
   * 2024-12 is 27 Nov – 26 Dec). The current cycle is `monthToDateDataUsage` of
   * `wsGetTerminalDetails`; a closed cycle is `wsGetTerminalUsage`, one card per call.
   */
  async doGetMonthlyUsage(options: MonthlyUsageOptions): Promise<BatchResult<UsageValue>> {
    const current = unicomGwBillingMonth(this.#clock.now(), this.#startDay);
    if (options.month === current) {
      return this.#details(options, (terminal) => ({
        bytes: mbToBytes(terminal.monthToDateDataUsage),
      }));
    }
    if (!/^\d{4}-\d{2}$/.test(options.month) || options.month > current) {
      throw new SupplierError(
        'invalid_argument',
        `unicom-gw: billing month ${options.month} is not a past or current cycle (current: ${current})`,
        { retryable: false },
      );
    }
    const { targets, items } = this.#targets<UsageValue>(options.cards);
    const bodies: unknown[] = [];
    await this.#each(targets, async ({ card, iccid }) => {
      try {
        const answer = await this.client.getTerminalUsage(
          iccid,
          wireBillingCycle(options.month),
          options.abortSignal,
        );
        bodies.push(answer.body);
        items.push({
          key: card.key,
          ok: true,
          value: { bytes: mbToBytes(answer.value.dataUsage) },
        });
      } catch (error) {
        items.push({ key: card.key, ok: false, error: cardLevel(error) });
      }
    });
    return { items, warnings: [], response: { bodies } };
  }

  /**
   * Pause (已停用), resume and activate (已激活) through `wsEditTerminal` changeType 3, one card
   * per call, then follows the cards with `wsGetTerminalDetails` until each shows the target
   * status (the change is asynchronous) or the settle time runs out.
   */
  async doChangeStatus(options: ChangeStatusOptions): Promise<BatchResult<CardStatusValue>> {
    const target = LIFECYCLE_TARGETS[options.action as keyof typeof LIFECYCLE_TARGETS];
    if (!target) {
      throw new SupplierError(
        'unsupported',
        `unicom-gw does not offer the lifecycle action "${options.action}" (offers pause, resume, activate)`,
        { retryable: false, details: { action: options.action } },
      );
    }
    const result = await this.#editAndFollow(
      options,
      UNICOM_GW_CHANGE_TYPES.simStatus,
      () => target,
      (terminal) => terminal.simStatus === target,
      (terminal) => mapUnicomGwStatus(terminal.simStatus),
    );
    return result;
  }

  /**
   * The carrier-side cap is the rate plan's usage limit; changeType 7 turns its enforcement on
   * (`DEFAULT`) or off (`PERMANENT_OVERRIDE`, or `TEMPORARY_OVERRIDE` for this cycle). A cap
   * amount other than the card's plan limit (when `ratePlanLimitsMb` knows it) is refused per card.
   */
  async doSetDataCap(options: SetDataCapOptions): Promise<BatchResult<Record<string, never>>> {
    const { capBytes } = options;
    if (capBytes !== null && (!Number.isSafeInteger(capBytes) || capBytes <= 0)) {
      throw new SupplierError(
        'invalid_argument',
        'capBytes must be a positive whole number or null',
        {
          retryable: false,
        },
      );
    }
    const override: UnicomGwOverride =
      capBytes === null ? (this.#options.capCancelOverride ?? 'PERMANENT_OVERRIDE') : 'DEFAULT';
    const warnings: SupplierWarning[] = [];
    const refused: ItemResult<Record<string, never>>[] = [];
    let cards = options.cards;
    const bodies: unknown[] = [];
    if (capBytes !== null) {
      // Read each card's rate plan first: the amount is the plan's, not the caller's.
      const plans = await this.#details(options, (terminal) => terminal.ratePlan);
      bodies.push(...plans.response.bodies);
      const allowed = new Set<string>();
      for (const item of plans.items) {
        if (!item.ok) {
          refused.push(item);
          continue;
        }
        const limitMb = item.value ? this.#options.ratePlanLimitsMb?.[item.value] : undefined;
        if (limitMb === undefined) {
          warnings.push({
            type: 'document-quirk',
            key: item.key,
            message: `unicom-gw caps a card at its rate plan's usage limit (plan ${item.value ?? 'unknown'}, limit not in ratePlanLimitsMb); the requested amount is not sent`,
          });
        } else if (Math.round(limitMb * BYTES_PER_MB) !== capBytes) {
          refused.push({
            key: item.key,
            ok: false,
            error: new SupplierError(
              'invalid_argument',
              `unicom-gw caps a card at its rate plan's usage limit: plan ${item.value} allows ${limitMb} MB only (change the rate plan for another amount)`,
              { retryable: false, details: { ratePlan: item.value, limitMb } },
            ),
          });
          continue;
        }
        allowed.add(item.key);
      }
      cards = options.cards.filter((card) => allowed.has(card.key));
    }
    const result = await this.#editAndFollow(
      { ...options, cards },
      UNICOM_GW_CHANGE_TYPES.usageLimitOverride,
      () => override,
      (terminal) => (terminal.overageLimitOverride ?? 'DEFAULT') === override,
      () => ({}) as Record<string, never>,
    );
    return {
      items: [...refused, ...result.items],
      warnings: [...warnings, ...result.warnings],
      response: { bodies: [...bodies, ...result.response.bodies] },
    };
  }

  async doGetDataCap(options: CardsOptions): Promise<BatchResult<SupplierDataCap>> {
    const warnings: SupplierWarning[] = [];
    const result = await this.#details(options, (terminal, key) => {
      const override = terminal.overageLimitOverride ?? 'DEFAULT';
      const details = {
        overageLimitOverride: override,
        ratePlan: terminal.ratePlan,
        overageLimitReached: terminal.overageLimitReached,
      };
      if (override !== 'DEFAULT') return { capBytes: null, reached: false, details };
      const limitMb = terminal.ratePlan
        ? this.#options.ratePlanLimitsMb?.[terminal.ratePlan]
        : undefined;
      if (limitMb === undefined) {
        warnings.push({
          type: 'partial-data',
          key,
          message: `unicom-gw enforces plan ${terminal.ratePlan ?? 'unknown'}'s usage limit, whose size is not in ratePlanLimitsMb`,
        });
      }
      return {
        capBytes: limitMb === undefined ? null : Math.round(limitMb * BYTES_PER_MB),
        reached: terminal.overageLimitReached,
        details,
      };
    });
    return { ...result, warnings: [...result.warnings, ...warnings] };
  }

  async doGetSession(options: CardsOptions): Promise<BatchResult<SupplierSession>> {
    const { targets, items } = this.#targets<SupplierSession>(options.cards);
    const bodies: unknown[] = [];
    await this.#each(chunk(targets, this.client.sessionBatch), async (part) => {
      const answer = await this.client.getSessionInfo(
        part.map((target) => target.iccid),
        options.abortSignal,
      );
      bodies.push(answer.body);
      const byIccid = new Map(answer.value.map((session) => [session.iccid, session]));
      for (const { card, iccid } of part) {
        const session = byIccid.get(iccid);
        if (!session) {
          items.push({ key: card.key, ok: false, error: unknownCard(card, this.accountId) });
          continue;
        }
        const startedAt = parseUnicomGwTime(session.dateSessionStarted);
        const endedAt = parseUnicomGwTime(session.dateSessionEnded);
        items.push({
          key: card.key,
          ok: true,
          value: {
            online: startedAt === null ? false : endedAt === null,
            ip: session.ipAddress ?? session.ipv6Address,
            apn: session.apn,
            rat: session.rat,
            startedAt,
            details: session.raw,
          },
        });
      }
    });
    return { items, warnings: [], response: { bodies } };
  }

  async doGetCardHistory(options: CardHistoryOptions): Promise<BatchResult<SupplierCardEvent[]>> {
    const now = this.#clock.now();
    const days =
      options.from === undefined
        ? (this.#options.auditDaysOfHistory ?? 30)
        : Math.min(365, Math.max(1, Math.ceil((now - options.from) / 86_400_000)));
    const { targets, items } = this.#targets<SupplierCardEvent[]>(options.cards);
    const bodies: unknown[] = [];
    await this.#each(targets, async ({ card, iccid }) => {
      try {
        const events: SupplierCardEvent[] = [];
        for (let pageNumber = 1; ; pageNumber += 1) {
          const answer = await this.client.getTerminalAuditTrail(
            { iccid, daysOfHistory: days, pageNumber },
            options.abortSignal,
          );
          bodies.push(answer.body);
          for (const entry of answer.value.entries) {
            const at = parseUnicomGwTime(entry.effectiveDate);
            if (at !== null && options.from !== undefined && at < options.from) continue;
            if (at !== null && options.to !== undefined && at > options.to) continue;
            const isStatus = entry.field !== null && STATUS_FIELDS.has(entry.field);
            events.push({
              at,
              kind: isStatus ? 'status' : 'change',
              ...(isStatus ? { status: mapUnicomGwStatus(entry.value) } : {}),
              description:
                entry.field === null
                  ? null
                  : `${entry.field}: ${entry.priorValue ?? '—'} → ${entry.value ?? '—'}`,
              details: entry.raw,
            });
          }
          const pages = answer.value.totalPages ?? 1;
          if (pageNumber >= pages || answer.value.entries.length === 0) break;
        }
        events.sort((a, b) => (b.at ?? 0) - (a.at ?? 0));
        items.push({ key: card.key, ok: true, value: events });
      } catch (error) {
        items.push({ key: card.key, ok: false, error: cardLevel(error) });
      }
    });
    return { items, warnings: [], response: { bodies } };
  }

  /** One page of `wsGetModifiedTerminals`; the cursor is the next page number. */
  async #modifiedPage(
    since: number | undefined,
    cursor: string | undefined,
    abortSignal?: AbortSignal,
  ): Promise<ListCardsResult> {
    const pageNumber = cursor === undefined ? 1 : Number(cursor);
    if (!Number.isInteger(pageNumber) || pageNumber < 1) {
      throw new SupplierError('invalid_argument', `unicom-gw: bad cursor "${cursor}"`, {
        retryable: false,
      });
    }
    const answer = await this.client.getModifiedTerminals({ since, pageNumber }, abortSignal);
    const { iccids, totalPages } = answer.value;
    const more = totalPages === null ? iccids.length > 0 : pageNumber < totalPages;
    return {
      cards: iccids.map((iccid) => ({ iccid, msisdn: null, imsi: null, imei: null })),
      ...(more ? { nextCursor: String(pageNumber + 1) } : {}),
      warnings: [],
      response: { bodies: [answer.body] },
    };
  }

  /** Reads cards' details 50 a call and maps each terminal; a card left out is unknown. */
  async #details<Value>(
    options: CardsOptions,
    value: (terminal: UnicomGwTerminal, key: string) => Value,
  ): Promise<BatchResult<Value>> {
    const { targets, items } = this.#targets<Value>(options.cards);
    const bodies: unknown[] = [];
    await this.#each(chunk(targets, this.client.detailsBatch), async (part) => {
      const answer = await this.client.getTerminalDetails(
        part.map((target) => target.iccid),
        options.abortSignal,
      );
      bodies.push(answer.body);
      const byIccid = new Map(answer.value.map((terminal) => [terminal.iccid, terminal]));
      for (const { card, iccid } of part) {
        const terminal = byIccid.get(iccid);
        if (!terminal) {
          // **guess**: the gateway answers the terminals it finds and leaves the others out.
          items.push({ key: card.key, ok: false, error: unknownCard(card, this.accountId) });
        } else if (terminal.resultCode !== null && terminal.resultCode !== '0000') {
          items.push({
            key: card.key,
            ok: false,
            error: unicomGwResultError(terminal.resultCode, terminal.resultMsg, this.accountId),
          });
        } else {
          items.push({ key: card.key, ok: true, value: value(terminal, card.key) });
        }
      }
    });
    return { items, warnings: [], response: { bodies } };
  }

  /**
   * Sends one `wsEditTerminal` per card, then reads the accepted cards 50 a call until each
   * satisfies `settled` or the settle time runs out (a retryable `supplier_timeout` item).
   */
  async #editAndFollow<Value>(
    options: CardsOptions,
    changeType: string,
    targetValue: (card: CardRef) => string,
    settled: (terminal: UnicomGwTerminal) => boolean,
    value: (terminal: UnicomGwTerminal) => Value,
  ): Promise<BatchResult<Value>> {
    const { targets, items } = this.#targets<Value>(options.cards);
    const bodies: unknown[] = [];
    const accepted: Following[] = [];
    const asynchronous = this.#options.asynchronous ?? '1';
    await this.#each(targets, async (target) => {
      // Throttling or an outage on one edit is retried with backoff; a refusal after such a
      // failure may mean the first attempt went through, so that card is followed all the same.
      let transient = false;
      try {
        const answer = await withRetry(
          async () => {
            try {
              return await this.client.editTerminal(
                {
                  iccid: target.iccid,
                  changeType,
                  targetValue: targetValue(target.card),
                  asynchronous,
                },
                options.abortSignal,
              );
            } catch (error) {
              if (isRetryable(error)) transient = true;
              throw error;
            }
          },
          { clock: this.#clock, abortSignal: options.abortSignal },
        );
        bodies.push(answer.body);
        accepted.push(target);
      } catch (error) {
        if (SupplierError.isInstance(error) && error.code === 'conflict') {
          // Refused: the card may already be where it was asked to go (a repeated pause).
          accepted.push(transient ? target : { ...target, refusal: error });
        } else if (
          SupplierError.isInstance(error) &&
          error.retryable &&
          !options.abortSignal?.aborted
        ) {
          items.push({ key: target.card.key, ok: false, error });
        } else {
          items.push({ key: target.card.key, ok: false, error: cardLevel(error) });
        }
      }
    });
    const pollIntervalMs = this.#options.pollIntervalMs ?? 5_000;
    const deadline = this.#clock.now() + (this.#options.settleTimeoutMs ?? 10 * 60_000);
    let pending = accepted;
    for (let round = 0; pending.length > 0; round += 1) {
      const waiting = pending.some((target) => !target.refusal);
      if (waiting && (round > 0 || asynchronous === '1')) {
        if (this.#clock.now() >= deadline) break;
        await this.#clock.sleep(pollIntervalMs, options.abortSignal);
      }
      const still: Following[] = [];
      await this.#each(chunk(pending, this.client.detailsBatch), async (part) => {
        const answer = await withRetry(
          () =>
            this.client.getTerminalDetails(
              part.map((target) => target.iccid),
              options.abortSignal,
            ),
          { clock: this.#clock, abortSignal: options.abortSignal },
        );
        bodies.push(answer.body);
        const byIccid = new Map(answer.value.map((terminal) => [terminal.iccid, terminal]));
        for (const target of part) {
          const terminal = byIccid.get(target.iccid);
          if (!terminal) {
            items.push({
              key: target.card.key,
              ok: false,
              error: unknownCard(target.card, this.accountId),
            });
          } else if (settled(terminal)) {
            items.push({ key: target.card.key, ok: true, value: value(terminal) });
          } else if (target.refusal) {
            items.push({ key: target.card.key, ok: false, error: target.refusal });
          } else still.push(target);
        }
      });
      pending = still;
    }
    for (const target of pending) {
      items.push({
        key: target.card.key,
        ok: false,
        error: new SupplierError(
          'supplier_timeout',
          `unicom-gw accepted the change of card ${target.card.key} but it had not landed when simdock stopped following it`,
          { retryable: true, accountId: this.accountId, details: { iccid: target.iccid } },
        ),
      });
    }
    return { items, warnings: [], response: { bodies } };
  }

  /** The cards with an ICCID (the gateway knows cards by ICCID only); the others fail here. */
  #targets<Value>(cards: CardRef[]): { targets: Target[]; items: ItemResult<Value>[] } {
    const targets: Target[] = [];
    const items: ItemResult<Value>[] = [];
    for (const card of cards) {
      const iccid = card.iccid?.trim().toUpperCase();
      if (iccid) targets.push({ card, iccid });
      else items.push(missingIdentifierItem(card, 'iccid'));
    }
    return { targets, items };
  }

  /** Runs `task` over `list` with at most `concurrency` in flight; the first failure stops it. */
  async #each<T>(list: T[], task: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < list.length) await task(list[next++]!);
    };
    await Promise.all(
      Array.from({ length: Math.min(this.#options.concurrency ?? 4, list.length) }, worker),
    );
  }
}

/** Audit-trail fields that are the SIM status (**guess**: Jasper's field names, and Chinese). */
const STATUS_FIELDS = new Set(['simStatus', 'SIM卡状态', 'Status', 'status', 'SIM Status']);

function unknownCard(card: CardRef, accountId: string): SupplierError {
  return new SupplierError(
    'supplier_card_unknown',
    `unicom-gw does not know card ${card.key} (${card.iccid}) on this account`,
    { retryable: false, accountId },
  );
}

/** A per-card error stays with its card; anything else (auth, throttling, outage) is thrown. */
function cardLevel(error: unknown): SupplierError {
  if (SupplierError.isInstance(error) && CARD_LEVEL.has(error.code)) return error;
  throw error;
}

/** Creates a China Unicom gateway adapter (the factory the definition and tests use). */
export function createUnicomGw(options: CreateUnicomGwOptions): UnicomGwAdapter {
  return new UnicomGwAdapter(options);
}
