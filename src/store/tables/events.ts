import type { Generated } from 'kysely';

/** The event outbox: CloudEvents kept for webhooks and the console (migration 0002). */
export interface EventsTable {
  id: Generated<number>;
  /** Unique: emitting the same id twice stores it once. */
  event_id: string;
  type: string;
  source: string;
  subject: string | null;
  account_id: string | null;
  card_id: number | null;
  /** JSON object. */
  data: string;
  created_at: number;
}

export type PartialDB = {
  events: EventsTable;
};
