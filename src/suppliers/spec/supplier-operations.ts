import type { CardStatusValue, CstDate, CstMonth } from '../../domain/index.js';
import type { SupplierError } from './supplier-error.js';

/**
 * What a supplier adapter can do. The sync planner and the lifecycle jobs ask for a capability
 * before calling the matching `do…` operation; an adapter implements the operation exactly when
 * it declares the capability (the conformance suite checks both ways).
 */
export const CAPABILITIES = [
  /** `doListCards`: the supplier can list the account's fleet (no import needed). */
  'inventory',
  /** `doGetIdentities`: ICCID ↔ MSISDN ↔ IMSI (and IMEI where known). */
  'identities',
  /** `doGetStatus`: the card's lifecycle status. */
  'status',
  /** `doGetDailyUsage`: bytes used on one CST day. */
  'usage.daily',
  /** `doGetMonthlyUsage`: bytes used in one CST month (month to date for the current one). */
  'usage.monthly',
  /** `doChangeStatus`: pause, resume, activate… */
  'lifecycle',
  /** `doSendSms`. */
  'sms.send',
  /** `doReadInboundSms`: pull the texts cards sent (where the supplier offers a pull). */
  'sms.inbound',
  /** `doGetLocation`: the card's last known position. */
  'location',
] as const;

export type Capability = (typeof CAPABILITIES)[number];

/**
 * A card as the caller knows it: at least one identifier. The adapter picks the identifier its
 * supplier wants; `key` is echoed back in results so callers can match them to their rows.
 */
export interface CardRef {
  /** The caller's key for this card (simdock uses its card id). */
  key: string;
  iccid?: string | null;
  msisdn?: string | null;
  imsi?: string | null;
}

/** Something the adapter wants the caller to know that is not an error. */
export interface SupplierWarning {
  type: 'unsupported-option' | 'partial-data' | 'document-quirk' | 'other';
  message: string;
  /** The card concerned, when one is. */
  key?: string;
}

/** The raw exchanges behind a result, for debugging and audit. */
export interface SupplierResponseInfo {
  /** One entry per supplier call made, in order: the parsed body (or text when not JSON). */
  bodies: unknown[];
}

/** Options every operation takes. */
export interface CallOptions {
  abortSignal?: AbortSignal;
}

/** What happened to one card in a batch operation: a value, or the reason there is none. */
export type ItemResult<T> =
  | { key: string; ok: true; value: T }
  | { key: string; ok: false; error: SupplierError };

export interface BatchResult<T> {
  items: ItemResult<T>[];
  warnings: SupplierWarning[];
  response: SupplierResponseInfo;
}

/** Identities and descriptive data a supplier holds for a card. Unknown is null, never 0. */
export interface SupplierCard {
  iccid: string | null;
  msisdn: string | null;
  imsi: string | null;
  imei: string | null;
  /** Present when the same call also returned the status. */
  status?: CardStatusValue;
  /** Anything else the supplier said about the card, with wire names. */
  extra?: Record<string, unknown>;
}

export interface ListCardsOptions extends CallOptions {
  /** Opaque cursor from the previous page; absent for the first page. */
  cursor?: string;
}

export interface ListCardsResult {
  cards: SupplierCard[];
  /** Absent on the last page. */
  nextCursor?: string;
  warnings: SupplierWarning[];
  response: SupplierResponseInfo;
}

export interface CardsOptions extends CallOptions {
  cards: CardRef[];
}

export interface DailyUsageOptions extends CardsOptions {
  /** The CST date. */
  date: CstDate;
}

export interface MonthlyUsageOptions extends CardsOptions {
  /** The CST month. */
  month: CstMonth;
}

/** A usage figure in whole bytes; null when the supplier does not know. */
export interface UsageValue {
  bytes: number | null;
}

export const LIFECYCLE_ACTIONS = ['pause', 'resume', 'activate', 'end-test', 'reset'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

export interface ChangeStatusOptions extends CardsOptions {
  action: LifecycleAction;
}

export interface SendSmsOptions extends CardsOptions {
  text: string;
  /**
   * Per-card idempotency keys (card key → key): a retried send reuses the key, so suppliers
   * that deduplicate (M2M `sendkey`) never deliver the same text twice.
   */
  idempotencyKeys?: Record<string, string>;
}

export interface InboundSms {
  /** The supplier's id for the message, used to store it once. */
  messageId: string;
  /** The sending card, by whichever identifiers the supplier gave. */
  msisdn: string | null;
  iccid: string | null;
  text: string;
  /** Epoch ms when the supplier received it; null when not given. */
  receivedAt: number | null;
}

export interface ReadInboundSmsOptions extends CallOptions {
  /** Upper bound on messages to read in this call. */
  limit?: number;
  /** The cards to read for, where the supplier keeps texts per card (OneLink v5). */
  cards?: CardRef[];
  /** Only texts received at or after this instant (epoch ms), where the supplier filters. */
  since?: number;
  /**
   * Stores what was read before anything else happens. Suppliers that hand each text out once
   * (M2M) call it before returning; if it throws, the texts travel in the error's details.
   */
  persist?: (messages: InboundSms[]) => Promise<void>;
}

export interface ReadInboundSmsResult {
  messages: InboundSms[];
  warnings: SupplierWarning[];
  response: SupplierResponseInfo;
}

export interface CardLocation {
  latitude: number | null;
  longitude: number | null;
  /** Cell or area description the supplier gave, verbatim. */
  description: string | null;
  /** Epoch ms of the fix; null when not given. */
  at: number | null;
}

/** Batch sizes and call limits the planner needs to budget calls. */
export interface SupplierLimits {
  /** Cards per call for each batch capability ("1" = one card per call). */
  batchSize: Partial<Record<Capability, number>>;
  /** Cards per page when listing the fleet. */
  pageSize?: number;
  /** How far back daily usage can be asked for, in complete days. */
  dailyUsageWindowDays?: number;
  /**
   * Days after a usage period ends during which the supplier may still revise its figures
   * (default 2). A day or month older than that is final: once read in full, sync does not ask
   * for it again. An account's `revisionDays` overrides it.
   */
  revisionWindowDays?: number;

  /** The lifecycle actions `doChangeStatus` accepts. */
  lifecycleActions?: readonly LifecycleAction[];
  /**
   * How long the supplier refuses another lifecycle change of a card after one it accepted
   * (OneLink v5's per-card lock after `change/sim-status`), in ms. Absent: no cooldown. simdock
   * measures it from the last change it made (stored, so it holds across jobs and processes)
   * and never sends an action inside it: a bulk job waits, a rule is refused with `cooldown`.
   */
  lifecycleCooldownMs?: number;
  /**
   * `doReadInboundSms` keeps texts per card and must be given the cards to read for (OneLink
   * v5's `query/sim-mo-sms/batch`); otherwise it reads the account's texts without cards.
   */
  inboundSmsByCard?: boolean;
  /**
   * The day of the month the supplier's billing cycle starts (China Unicom: 27, so a cycle runs
   * from the 27th to the 26th, China Standard Time). Absent or 1: the calendar month. A card's
   * "month" of usage, quota and pool figures is its supplier's cycle.
   */
  billingCycleStartDay?: number;
}
