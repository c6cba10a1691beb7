import type { Generated } from 'kysely';

/** Who did what to which target, and how it ended (migration 0001). */
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

export type PartialDB = {
  audit_log: AuditLogTable;
};
