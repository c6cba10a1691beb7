import type { Generated } from 'kysely';

/** A supplier account: one set of credentials at one supplier (migration 0001). */
export interface AccountsTable {
  id: string;
  /** The supplier type (`onelink-v2`, `quectel`, …). */
  type: string;
  name: string | null;
  /** 1 or 0. */
  enabled: Generated<number>;
  /** JSON object of the non-secret settings. */
  settings: string;
  /** The secret fields as one AES-256-GCM blob (see secret-box.ts), never plaintext. */
  secrets: string;
  created_at: number;
  updated_at: number;
}

export type PartialDB = {
  accounts: AccountsTable;
};
