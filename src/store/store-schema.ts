import type { Generated } from 'kysely';

/**
 * The database schema as Kysely sees it, the same on SQLite and PostgreSQL. Instants are epoch
 * milliseconds in bigint columns, JSON is text, booleans are integers 0/1, calendar dates are CST
 * `YYYY-MM-DD` text and months `YYYY-MM` text. Migrations in `migrations/` create exactly this.
 */
export interface Database {
  accounts: AccountsTable;
  cards: CardsTable;
  card_status_history: CardStatusHistoryTable;
  usage_daily: UsageDailyTable;
  usage_monthly: UsageMonthlyTable;
  sync_runs: SyncRunsTable;
  sync_run_failures: SyncRunFailuresTable;
  audit_log: AuditLogTable;
}

/** A supplier account: one set of credentials at one supplier. */
export interface AccountsTable {
  id: string;
  /** The supplier type (`onelink-v2`, `quectel`, …). */
  type: string;
  name: string | null;
  /** 1 or 0. */
  enabled: number;
  /** JSON object of the non-secret settings. */
  settings: string;
  /** The secret fields as one AES-256-GCM blob (see secret-box.ts), never plaintext. */
  secrets: string;
  created_at: number;
  updated_at: number;
}

export interface CardsTable {
  id: Generated<number>;
  account_id: string;
  supplier: string;
  /** Upper-case. Unique per account. */
  iccid: string | null;
  msisdn: string | null;
  imsi: string | null;
  imei: string | null;
  /** A domain `CardStatus`. */
  status: string;
  status_raw: string | null;
  status_changed_at: number | null;
  identities_synced_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface CardStatusHistoryTable {
  id: Generated<number>;
  card_id: number;
  at: number;
  status: string;
  status_raw: string | null;
  previous_status: string | null;
  /** What saw the change (`sync`, `job:pause`, …). */
  source: string;
}

export interface UsageDailyTable {
  card_id: number;
  /** CST `YYYY-MM-DD`. */
  date: string;
  bytes: number;
  updated_at: number;
}

export interface UsageMonthlyTable {
  card_id: number;
  /** CST `YYYY-MM`. */
  month: string;
  bytes: number;
  updated_at: number;
}

export interface SyncRunsTable {
  id: Generated<number>;
  account_id: string;
  kind: string;
  /** `running`, then `succeeded`, `partial` or `failed`. */
  status: string;
  started_at: number;
  finished_at: number | null;
  cards: number | null;
  synced: number | null;
  failed: number | null;
  calls: number | null;
  rows_written: number | null;
  /** JSON object reason → count. */
  failures_by_reason: string | null;
  duration_ms: number | null;
}

export interface SyncRunFailuresTable {
  id: Generated<number>;
  run_id: number;
  card_id: number | null;
  code: string;
  message: string;
  at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  account_id: string | null;
  /** `succeeded`, `failed` or `skipped`. */
  outcome: string;
  /** JSON object or null. */
  details: string | null;
}
