import type { Generated } from 'kysely';

/** A notice a supplier pushed to simdock (unique per account and dedupe key) (migration 0007). */
export interface SupplierNoticesTable {
  id: Generated<number>;
  account_id: string;
  kind: string;
  dedupe_key: string;
  /** JSON. */
  payload: string;
  received_at: number;
  verified: number;
  rejected_reason: string | null;
  repeats: Generated<number>;
}

export type PartialDB = {
  supplier_notices: SupplierNoticesTable;
};
