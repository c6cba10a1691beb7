import type * as access from './access.js';
import type * as accounts from './accounts.js';
import type * as agentApps from './agent-apps.js';
import type * as apiLimits from './api-limits.js';
import type * as audit from './audit.js';
import type * as bulk from './bulk.js';
import type * as cards from './cards.js';
import type * as devices from './devices.js';
import type * as events from './events.js';
import type * as exports from './exports.js';
import type * as jobs from './jobs.js';
import type * as lifecycle from './lifecycle.js';
import type * as notices from './notices.js';
import type * as notifications from './notifications.js';
import type * as plans from './plans.js';
import type * as pools from './pools.js';
import type * as rules from './rules.js';
import type * as sms from './sms.js';
import type * as stats from './stats.js';
import type * as sync from './sync.js';
import type * as throttles from './throttles.js';
import type * as usage from './usage.js';
import type * as webhooks from './webhooks.js';

/**
 * The database schema as Kysely sees it, the same on SQLite and PostgreSQL: every table of
 * `migrations/`, one file per area. Instants are epoch milliseconds in bigint columns, JSON is
 * text, booleans are integers 0/1, calendar dates are CST `YYYY-MM-DD` text and months `YYYY-MM`
 * text. A column with a default is `Generated`.
 */
export type Database = accounts.PartialDB &
  cards.PartialDB &
  usage.PartialDB &
  sync.PartialDB &
  audit.PartialDB &
  events.PartialDB &
  jobs.PartialDB &
  bulk.PartialDB &
  plans.PartialDB &
  pools.PartialDB &
  rules.PartialDB &
  access.PartialDB &
  sms.PartialDB &
  notices.PartialDB &
  devices.PartialDB &
  webhooks.PartialDB &
  agentApps.PartialDB &
  notifications.PartialDB &
  throttles.PartialDB &
  stats.PartialDB &
  lifecycle.PartialDB &
  exports.PartialDB &
  apiLimits.PartialDB;

export type {
  ApiKeysTable,
  AuditTenantsTable,
  CardTagsTable,
  CardTenantsTable,
  SessionsTable,
  TenantsTable,
  UsersTable,
} from './access.js';
export type { AccountsTable } from './accounts.js';
export type {
  AgentAppsTable,
  AgentOperationRecordsTable,
  AgentTraceIdsTable,
} from './agent-apps.js';
export type { AuditLogTable } from './audit.js';
export type {
  BulkJobItemsTable,
  BulkJobsTable,
} from './bulk.js';
export type {
  CardIdentityHistoryTable,
  CardStatusHistoryTable,
  CardsTable,
} from './cards.js';
export type {
  DeviceCommandsTable,
  DeviceSlotsTable,
  DevicesTable,
} from './devices.js';
export type { EventsTable } from './events.js';
export type { CardExportsTable } from './exports.js';
export type {
  JobSchedulesTable,
  JobsTable,
} from './jobs.js';
export type { CardLifecycleChangesTable } from './lifecycle.js';
export type { SupplierNoticesTable } from './notices.js';
export type {
  NotificationAttemptsTable,
  NotificationChannelsTable,
  NotificationCursorTable,
  NotificationItemsTable,
  NotificationMessagesTable,
} from './notifications.js';
export type {
  CardPlansTable,
  PlansTable,
} from './plans.js';
export type {
  PoolCardsTable,
  PoolsTable,
} from './pools.js';
export type {
  AlertsTable,
  RuleCardStateTable,
  RulePausesTable,
  RulesTable,
} from './rules.js';
export type { SmsMessagesTable } from './sms.js';
export type {
  CardCycleUsageTable,
  CardFactsTable,
  StatsAlertsTable,
  StatsCardsTable,
  StatsDailyTable,
  StatsExpiryTable,
  StatsUsageTable,
} from './stats.js';
export type {
  SyncBatchesTable,
  SyncPlansTable,
  SyncRunFailuresTable,
  SyncRunsTable,
  SyncSlicesTable,
} from './sync.js';
export type { ThrottlesTable } from './throttles.js';
export type {
  UsageDailyTable,
  UsageMonthlyTable,
} from './usage.js';
export type {
  WebhookAttemptsTable,
  WebhookCursorTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
} from './webhooks.js';
