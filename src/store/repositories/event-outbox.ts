import { randomUUID } from 'node:crypto';
import type { RepositoryContext } from '../store-context.js';

/** The event types simdock emits (CloudEvents `type`, prefixed `simdock.` on the wire). */
export const EVENT_TYPES = [
  'card.status_changed',
  'usage.threshold_crossed',
  'usage.anomaly',
  'sms.received',
  'sms.delivery',
  'job.completed',
  'sync.failed',
  'device.offline',
  'alert.raised',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface EventInput {
  type: EventType;
  /** What the event is about, e.g. the card's ICCID or a job id. */
  subject?: string | null;
  account?: string | null;
  cardId?: number | null;
  data: Record<string, unknown>;
  /** A stable id makes emitting idempotent (the same id is stored once). */
  eventId?: string;
}

export interface StoredEvent {
  id: number;
  eventId: string;
  type: EventType;
  source: string;
  subject: string | null;
  account: string | null;
  cardId: number | null;
  data: Record<string, unknown>;
  createdAt: number;
}

/** The outbox of events: written beside the change that caused them, delivered later. */
export class EventOutbox {
  readonly #store: RepositoryContext;
  readonly #now: () => number;

  constructor(store: RepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  #db() {
    return this.#store.db;
  }

  /** Stores events; an `eventId` already stored is skipped. Returns how many were new. */
  async emit(events: EventInput[]): Promise<number> {
    let inserted = 0;
    const now = this.#now();
    // 9 columns a row: 100 rows stay under every dialect's parameter limit.
    for (let start = 0; start < events.length; start += 100) {
      const rows = events.slice(start, start + 100).map((event) => ({
        event_id: event.eventId ?? randomUUID(),
        type: event.type,
        source: 'simdock',
        subject: event.subject ?? null,
        account_id: event.account ?? null,
        card_id: event.cardId ?? null,
        data: JSON.stringify(event.data),
        created_at: now,
      }));
      const result = await this.#db()
        .insertInto('events')
        .values(rows)
        .onConflict((conflict) => conflict.column('event_id').doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return inserted;
  }

  /**
   * Stores events as `emit` does (same table, same once-per-event-id rule) but 500 a statement
   * and created at `now`: one insert per event costs a commit each on PostgreSQL, which a
   * 10,000-card job cannot afford.
   */
  async emitMany(events: readonly EventInput[], now: number): Promise<void> {
    const rows = events.map((event) => ({
      event_id: event.eventId ?? randomUUID(),
      type: event.type,
      source: 'simdock',
      subject: event.subject ?? null,
      account_id: event.account ?? null,
      card_id: event.cardId ?? null,
      data: JSON.stringify(event.data),
      created_at: now,
    }));
    for (let start = 0; start < rows.length; start += 500) {
      await this.#db()
        .insertInto('events')
        .values(rows.slice(start, start + 500))
        .onConflict((conflict) => conflict.column('event_id').doNothing())
        .execute();
    }
  }

  /** Events after an id, oldest first (for delivery and for feeds). */
  async after(
    afterId: number,
    options: { limit?: number; type?: EventType; cardId?: number } = {},
  ) {
    let query = this.#db()
      .selectFrom('events')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(options.limit ?? 100);
    if (options.type) query = query.where('type', '=', options.type);
    if (options.cardId !== undefined) query = query.where('card_id', '=', options.cardId);
    const rows = await query.execute();
    return rows.map(
      (row): StoredEvent => ({
        id: Number(row.id),
        eventId: row.event_id,
        type: row.type as EventType,
        source: row.source,
        subject: row.subject,
        account: row.account_id,
        cardId: row.card_id === null ? null : Number(row.card_id),
        data: JSON.parse(row.data) as Record<string, unknown>,
        createdAt: Number(row.created_at),
      }),
    );
  }
}
