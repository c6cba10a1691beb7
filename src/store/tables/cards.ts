import type { Generated } from 'kysely';

/** A SIM card of one account (migration 0001). */
export interface CardsTable {
  id: Generated<number>;
  account_id: string;
  supplier: string;
  /** Upper-case. Unique per account. */
  iccid: string | null;
  msisdn: string | null;
  imsi: string | null;
  imei: string | null;
  /** A domain `CardStatus`. */
  status: Generated<string>;
  status_raw: string | null;
  status_changed_at: number | null;
  identities_synced_at: number | null;
  /** When the status was last read or pushed, changed or not (migration 0013). */
  status_checked_at: number | null;
  /** When this month's usage was last read or pushed (migration 0013). */
  usage_checked_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface CardStatusHistoryTable {
  id: Generated<number>;
  card_id: number;
  at: number;
  status: string;
  status_raw: string | null;
  previous_status: string | null;
  /** What saw the change (`sync`, `job:pause`, …). */
  source: string;
}

/** An identifier a supplier reported changed (migration 0028). */
export interface CardIdentityHistoryTable {
  id: Generated<number>;
  card_id: number;
  at: number;
  /** `iccid`, `msisdn`, `imsi` or `imei`. */
  kind: string;
  value: string;
  previous: string;
  /** What reported it (`sync`, `device:12`, …). */
  source: string;
}

export type PartialDB = {
  cards: CardsTable;
  card_status_history: CardStatusHistoryTable;
  card_identity_history: CardIdentityHistoryTable;
};
