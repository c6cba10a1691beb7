/** Bytes a card used on one CST day (migration 0001). */
export interface UsageDailyTable {
  card_id: number;
  /** CST `YYYY-MM-DD`. */
  date: string;
  bytes: number;
  updated_at: number;
}

/** Bytes a card used in one billing month (migration 0001). */
export interface UsageMonthlyTable {
  card_id: number;
  /** CST `YYYY-MM`. */
  month: string;
  bytes: number;
  updated_at: number;
}

export type PartialDB = {
  usage_daily: UsageDailyTable;
  usage_monthly: UsageMonthlyTable;
};
