import type { Generated } from 'kysely';

/** One sync of one account (migration 0001). */
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

/** The plan of a sliced run (migration 0009). */
export interface SyncPlansTable {
  run_id: number;
  account_id: string;
  /** JSON of the run's parameters. */
  params: string;
  cards: number;
  calls: number;
  created_at: number;
  finished_at: number | null;
  /** The job that planned the run, `job:<id>` (migration 0032); null outside the queue. */
  planned_by: string | null;
}

/** One range of cards of a planned run, a unit of work a worker takes (migration 0009). */
export interface SyncSlicesTable {
  run_id: number;
  slice: number;
  first_card_id: number;
  last_card_id: number;
  /** `pending` or `done`. */
  state: string;
  stopped_by: string | null;
  finished_at: number | null;
}

/** A supplier batch a run finished, never fetched again by that run (migration 0009). */
export interface SyncBatchesTable {
  run_id: number;
  batch_key: string;
  calls: number;
  rows_written: number;
  finished_at: number;
}

/** A usage period an account read in full once it was final (migration 0013). */
export interface SyncUsageChecksTable {
  account_id: string;
  /** `usage.daily` or `usage.monthly`. */
  need: string;
  /** CST `YYYY-MM-DD` or `YYYY-MM`. */
  period: string;
  checked_at: number;
  run_id: number | null;
}

/** An account's shared token bucket (migration 0013). */
export interface AccountRateLimitsTable {
  account_id: string;
  tokens: number;
  updated_at: number;
  /** The share of the configured rate in force (1, or less while throttled). */
  factor: Generated<number>;
  /** Until when `factor` holds; after it the full rate is back. */
  throttled_until: Generated<number>;
}

/** Where an account's supplier change feed was last read in full (migration 0018). */
export interface SyncChangeFeedsTable {
  account_id: string;
  /** Epoch ms: the next read asks for the changes since this instant. */
  read_from: number;
  run_id: number | null;
  updated_at: number;
}

/** Where an account's fleet listing spread over the day's runs stands (migration 0026). */
export interface SyncFleetListingsTable {
  account_id: string;
  /** The supplier's cursor the next run lists from; null: from the first page. */
  cursor: string | null;
  /** When the pass under way began. */
  pass_started_at: number;
  /** When a pass last reached the end of the fleet, or null. */
  listed_at: number | null;
  updated_at: number;
}

export type PartialDB = {
  sync_change_feeds: SyncChangeFeedsTable;
  sync_fleet_listings: SyncFleetListingsTable;
  sync_usage_checks: SyncUsageChecksTable;
  account_rate_limits: AccountRateLimitsTable;
  sync_runs: SyncRunsTable;
  sync_run_failures: SyncRunFailuresTable;
  sync_plans: SyncPlansTable;
  sync_slices: SyncSlicesTable;
  sync_batches: SyncBatchesTable;
};
