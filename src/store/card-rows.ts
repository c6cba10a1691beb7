import type { Selectable } from 'kysely';
import type { IdentifierKind } from '../domain/identifiers.js';
import { type CardStatus, isCardStatus } from '../domain/status.js';
import type { CardsTable } from './store-schema.js';

/** One row of an inventory import: any identifiers the operator has. */
export interface CardImportRow {
  iccid?: string | null;
  msisdn?: string | null;
  imsi?: string | null;
  imei?: string | null;
}

/** A card as stored. Times are epoch milliseconds; unknown values are null. */
export interface StoredCard {
  id: number;
  /** The supplier account id. */
  account: string;
  /** The supplier type of that account. */
  supplier: string;
  iccid: string | null;
  msisdn: string | null;
  imsi: string | null;
  imei: string | null;
  status: CardStatus;
  statusRaw: string | null;
  /** When simdock saw the status change last (null: never seen to change). */
  statusChangedAt: number | null;
  /** When identities were last fetched from the supplier. */
  identitiesSyncedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** The four identifier columns, in the order cards are matched by. */
export const IDENTIFIER_KINDS: readonly IdentifierKind[] = ['iccid', 'msisdn', 'imsi', 'imei'];

/**
 * Stored form of an identifier: trimmed, ICCID upper-cased (China Mobile ICCIDs carry letters
 * A–F); empty is null.
 */
export function normalizeIdentifier(kind: IdentifierKind, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  if (text === '') return null;
  return kind === 'iccid' ? text.toUpperCase() : text;
}

export function toStoredCard(row: Selectable<CardsTable>): StoredCard {
  return {
    id: row.id,
    account: row.account_id,
    supplier: row.supplier,
    iccid: row.iccid,
    msisdn: row.msisdn,
    imsi: row.imsi,
    imei: row.imei,
    status: isCardStatus(row.status) ? row.status : 'unknown',
    statusRaw: row.status_raw,
    statusChangedAt: row.status_changed_at,
    identitiesSyncedAt: row.identities_synced_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
