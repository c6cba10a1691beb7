/** One card's dimensions as the kept fleet figures count them (migration 0015). */
export interface CardFactsTable {
  card_id: number;
  /** The card's tenant path; `''`: unassigned. */
  tenant_path: string;
  account_id: string;
  supplier: string;
  status: string;
  plan_id: number | null;
  quota_bytes: number | null;
  /** CST `YYYY-MM-DD`. */
  expires_on: string | null;
}

/** One card's usage in one cycle (migration 0015; kept by triggers). */
export interface CardCycleUsageTable {
  card_id: number;
  /** The usage cycle: CST `YYYY-MM` today. */
  cycle: string;
  tenant_path: string;
  account_id: string;
  plan_id: number | null;
  quota_bytes: number | null;
  monthly_bytes: number | null;
  daily_bytes: number;
  daily_days: number;
  /** Generated: the cycle figure, else the sum of the synced days; null: unknown. */
  bytes: number | null;
  /** Generated: `bytes` per mille of `quota_bytes`, rounded down; null: no quota or usage. */
  used_permille: number | null;
}

/**
 * A cycle row as the card list orders and filters by it (migration 0031): a copy made by the fold
 * of `usage_order_pending`, carrying the usage and quota indexes. Rows with bytes only.
 */
export interface UsageOrderTable {
  card_id: number;
  cycle: string;
  tenant_path: string;
  plan_id: number | null;
  quota_bytes: number | null;
  bytes: number;
  used_permille: number | null;
}

/**
 * Writes of cycle rows since their `usage_order` copy was made, with the values written (all but
 * the key null: the row was deleted); migration 0031.
 */
export interface UsageOrderPendingTable {
  card_id: number;
  cycle: string;
  tenant_path: string | null;
  plan_id: number | null;
  quota_bytes: number | null;
  bytes: number | null;
  used_permille: number | null;
}

/** Signed delta rows of the kept cards figures (migration 0015). */
export interface StatsCardsTable {
  tenant_path: string;
  account_id: string;
  supplier: string;
  status: string;
  plan_id: number | null;
  cards: number;
}

/** Signed delta rows of the kept usage figures per cycle (migration 0015). */
export interface StatsUsageTable {
  tenant_path: string;
  account_id: string;
  plan_id: number | null;
  cycle: string;
  /** 0, 80 (at or over 80 % of the quota) or 100 (at or over it). */
  level: number;
  cards: number;
  bytes: number;
}

/** Signed delta rows of the kept usage per CST day (migration 0015). */
export interface StatsDailyTable {
  tenant_path: string;
  date: string;
  cards: number;
  bytes: number;
}

/** Signed delta rows of the kept plan expiries per day (migration 0015). */
export interface StatsExpiryTable {
  tenant_path: string;
  expires_on: string;
  cards: number;
}

/** Signed delta rows of the kept open alerts (migration 0015). */
export interface StatsAlertsTable {
  tenant_path: string;
  severity: string;
  alerts: number;
}

export type PartialDB = {
  card_facts: CardFactsTable;
  card_cycle_usage: CardCycleUsageTable;
  usage_order: UsageOrderTable;
  usage_order_pending: UsageOrderPendingTable;
  stats_cards: StatsCardsTable;
  stats_usage: StatsUsageTable;
  stats_daily: StatsDailyTable;
  stats_expiry: StatsExpiryTable;
  stats_alerts: StatsAlertsTable;
};
