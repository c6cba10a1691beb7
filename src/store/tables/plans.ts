import type { Generated } from 'kysely';

/** A data plan: quota and billing cycle (migration 0005). */
export interface PlansTable {
  id: Generated<number>;
  name: string;
  quota_bytes: number | null;
  cycle_start_day: Generated<number>;
  created_at: number;
}

/** A card's plan and expiry (migration 0005). */
export interface CardPlansTable {
  card_id: number;
  plan_id: number | null;
  /** CST `YYYY-MM-DD`. */
  expires_on: string | null;
  updated_at: number;
}

export type PartialDB = {
  plans: PlansTable;
  card_plans: CardPlansTable;
};
