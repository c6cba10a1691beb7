import type { Generated } from 'kysely';

/** A pool of shared quota (migration 0005). */
export interface PoolsTable {
  id: Generated<number>;
  name: string;
  account_id: string | null;
  /** `simdock` for pools defined here, else the supplier type that holds the group. */
  source: string;
  external_id: string | null;
  shared: Generated<number>;
  quota_bytes: number | null;
  supplier_used_bytes: number | null;
  cycle_start_day: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface PoolCardsTable {
  pool_id: number;
  card_id: number;
}

export type PartialDB = {
  pools: PoolsTable;
  pool_cards: PoolCardsTable;
};
