import type { Generated } from 'kysely';

/** A text to or from a card (migration 0007). */
export interface SmsMessagesTable {
  id: Generated<number>;
  account_id: string;
  card_id: number | null;
  /** `in` (sent by the card) or `out` (sent to the card). */
  direction: string;
  supplier_message_id: string | null;
  idempotency_key: string | null;
  /** The other end as the supplier named it, when no card matched. */
  msisdn: string | null;
  iccid: string | null;
  text: string;
  /** `queued`, `sent`, `delivered`, `failed` or `received`. */
  status: string;
  supplier_code: string | null;
  error: string | null;
  actor: string | null;
  supplier_at: number | null;
  created_at: number;
  updated_at: number;
}

export type PartialDB = {
  sms_messages: SmsMessagesTable;
};
