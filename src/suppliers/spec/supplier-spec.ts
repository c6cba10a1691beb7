import type { ZodType } from 'zod';
import type { CardStatusValue, Clock } from '../../domain/index.js';
import type { CredentialField } from './credentials.js';
import type { CallCounter, SupplierCallObserver } from './fetch-decorators.js';
import type { SupplierExtrasV1 } from './supplier-extras.js';
import type { SupplierNoticeHandler } from './supplier-notices.js';
import type {
  BatchResult,
  Capability,
  CardLocation,
  CardsOptions,
  ChangeStatusOptions,
  DailyUsageOptions,
  ListCardsOptions,
  ListCardsResult,
  MonthlyUsageOptions,
  ReadInboundSmsOptions,
  ReadInboundSmsResult,
  SendSmsOptions,
  SupplierCard,
  SupplierLimits,
  UsageValue,
} from './supplier-operations.js';
import type { SupplierSimulatorFactory } from './supplier-simulation.js';
import type { CallLimiter } from './token-bucket.js';

export * from './supplier-operations.js';

/**
 * Version 1 of the supplier contract. Every operation takes one options object and returns one
 * result object with `warnings` and the raw `response`; failures of the whole call are thrown
 * as `SupplierError`, failures of single cards come back as items with `ok: false`.
 */
export interface SupplierAdapterV1 extends SupplierExtrasV1 {
  readonly specificationVersion: 'v1';
  /** The supplier type, e.g. `onelink-v2`. */
  readonly supplier: string;
  /** The account this instance talks for. */
  readonly accountId: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly limits: SupplierLimits;

  /** Lists the account's fleet one page at a time. Capability `inventory`. */
  doListCards?(options: ListCardsOptions): Promise<ListCardsResult>;
  /** Resolves the other identifiers of each card. Capability `identities`. */
  doGetIdentities?(options: CardsOptions): Promise<BatchResult<SupplierCard>>;
  /** Reads each card's status. Capability `status`. */
  doGetStatus?(options: CardsOptions): Promise<BatchResult<CardStatusValue>>;
  /** Reads each card's usage on one CST day. Capability `usage.daily`. */
  doGetDailyUsage?(options: DailyUsageOptions): Promise<BatchResult<UsageValue>>;
  /** Reads each card's usage in one CST month. Capability `usage.monthly`. */
  doGetMonthlyUsage?(options: MonthlyUsageOptions): Promise<BatchResult<UsageValue>>;
  /** Pauses, resumes or activates cards; the result is the status after the change. */
  doChangeStatus?(options: ChangeStatusOptions): Promise<BatchResult<CardStatusValue>>;
  /** Sends one text to each card; the value is the supplier's message id. */
  doSendSms?(options: SendSmsOptions): Promise<BatchResult<{ messageId: string | null }>>;
  /** Reads texts sent by cards; each message is handed out once by suppliers that pull. */
  doReadInboundSms?(options: ReadInboundSmsOptions): Promise<ReadInboundSmsResult>;
  /** Reads each card's last known position. Capability `location`. */
  doGetLocation?(options: CardsOptions): Promise<BatchResult<CardLocation>>;
}

/** The operation that serves each capability. */
export const OPERATION_OF = {
  inventory: 'doListCards',
  identities: 'doGetIdentities',
  status: 'doGetStatus',
  'usage.daily': 'doGetDailyUsage',
  'usage.monthly': 'doGetMonthlyUsage',
  lifecycle: 'doChangeStatus',
  'sms.send': 'doSendSms',
  'sms.inbound': 'doReadInboundSms',
  location: 'doGetLocation',
} as const satisfies Record<Capability, keyof SupplierAdapterV1>;

/** What every adapter factory receives besides its own account settings. */
export interface SupplierRuntime {
  /** The transport; tests pass a simulator's `app.fetch`. */
  fetch?: typeof fetch;
  clock?: Clock;
  /** Calls per second allowed for this account (a token bucket); 0 or absent = unlimited. */
  rateLimit?: number;
  /**
   * The account's limiter, where it is shared beyond this adapter (simdock's services share it
   * through the database); it replaces the per-adapter bucket `rateLimit` would build.
   */
  rateLimiter?: CallLimiter;
  /** Per-call timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Counts every call this account makes. */
  callCounter?: CallCounter;
  /** Hears every call's outcome and duration and every rate-limit wait (metrics and logs). */
  observer?: SupplierCallObserver;
}

/** A supplier type: how to describe, validate and instantiate its accounts. */
export interface SupplierDefinition<Settings = Record<string, unknown>> {
  /** The `type` in configuration, e.g. `onelink-v2`. */
  type: string;
  /** A human name. */
  name: string;
  /** The account settings, described as data so the CLI and the console can render forms. */
  credentialFields: CredentialField[];
  /** The account settings' schema (zod); `parseSettings` applies it. */
  settingsSchema: ZodType;
  /** Validates raw settings (already with `${ENV}` expanded); throws a config error. */
  parseSettings(raw: Record<string, unknown>): Settings;
  /** The adapter factory: one adapter per account. */
  create(accountId: string, settings: Settings, runtime: SupplierRuntime): SupplierAdapterV1;
  /** The built-in simulator (tests, benchmarks, `simdock demo`) and the demo account on it. */
  simulator: SupplierSimulatorFactory;
  /** How the supplier's pushes are verified and parsed; absent when it pushes nothing. */
  notices?: SupplierNoticeHandler;
  /**
   * Calls per second an account of this type is held to when its configuration names no
   * `rateLimit` (0 or absent: unlimited). simdock's services build the account's shared limiter
   * from it, so the default is shared by every process like a configured limit.
   */
  defaultRateLimit?: number;
}
