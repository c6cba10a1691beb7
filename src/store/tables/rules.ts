import type { Generated } from 'kysely';

/** A rule: thresholds on a scope and the actions they trigger (migration 0005). */
export interface RulesTable {
  id: Generated<number>;
  name: string | null;
  scope: string;
  target_id: string;
  kind: string;
  /** JSON. */
  thresholds: string;
  /** JSON. */
  actions: string;
  severity: string;
  enabled: Generated<number>;
  created_by: string;
  created_at: number;
}

/** An alert: one per rule, subject and cycle (`dedupe_key` is unique) (migration 0005). */
export interface AlertsTable {
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
  /** JSON. */
  data: string;
  created_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
}

/** The IMEI each card was last seen with (migration 0005). */
export interface RuleCardStateTable {
  card_id: number;
  imei: string | null;
  observed_at: number;
}

/** A pause a rule made, so the rule can resume it at the next cycle (migration 0005). */
export interface RulePausesTable {
  id: Generated<number>;
  rule_id: number;
  card_id: number;
  cycle: string;
  /** CST date from which the rule resumes the card (the next cycle); null: never. */
  resume_on: string | null;
  paused_at: number;
  resumed_at: number | null;
}

export type PartialDB = {
  rules: RulesTable;
  alerts: AlertsTable;
  rule_card_state: RuleCardStateTable;
  rule_pauses: RulePausesTable;
};
