import type { Generated } from 'kysely';
import type { Store } from '../../store/index.js';

/**
 * The tables of plans, pools, rules and alerts (migration 0005-rules-alerts-pools), typed here
 * rather than in the store schema so these services stay self-contained.
 */
export type RulesTables = {
  plans: {
    id: Generated<number>;
    name: string;
    quota_bytes: number | null;
    cycle_start_day: number;
    created_at: number;
  };
  card_plans: {
    card_id: number;
    plan_id: number | null;
    /** CST `YYYY-MM-DD`. */
    expires_on: string | null;
    updated_at: number;
  };
  pools: {
    id: Generated<number>;
    name: string;
    account_id: string | null;
    /** `simdock` for pools defined here, else the supplier type that holds the group. */
    source: string;
    external_id: string | null;
    shared: number;
    quota_bytes: number | null;
    supplier_used_bytes: number | null;
    cycle_start_day: number;
    created_at: number;
    updated_at: number;
  };
  pool_cards: { pool_id: number; card_id: number };
  rules: {
    id: Generated<number>;
    name: string | null;
    scope: string;
    target_id: string;
    kind: string;
    thresholds: string;
    actions: string;
    severity: string;
    enabled: number;
    created_by: string;
    created_at: number;
  };
  alerts: {
    id: Generated<number>;
    rule_id: number | null;
    card_id: number | null;
    pool_id: number | null;
    account_id: string | null;
    cycle: string;
    dedupe_key: string;
    source: string;
    kind: string;
    severity: string;
    message: string;
    data: string;
    created_at: number;
    acknowledged_at: number | null;
    acknowledged_by: string | null;
  };
  rule_card_state: { card_id: number; imei: string | null; observed_at: number };
  rule_pauses: {
    id: Generated<number>;
    rule_id: number;
    card_id: number;
    cycle: string;
    /** CST date from which the rule resumes the card (the next cycle); null: never. */
    resume_on: string | null;
    paused_at: number;
    resumed_at: number | null;
  };
};

/** The store's Kysely instance with these tables. */
export function rulesDb(store: Store) {
  return store.db.withTables<RulesTables>();
}

/** Splits ids into lists small enough for one `in (…)` on either dialect. */
export function idChunks<T>(items: readonly T[], size = 500): T[][] {
  const parts: T[][] = [];
  for (let index = 0; index < items.length; index += size) {
    parts.push(items.slice(index, index + size));
  }
  return parts;
}
