import type { Selectable } from 'kysely';
import { type CardScope, cardVisible } from '../card-scope.js';
import type { RepositoryContext } from '../store-context.js';
import type { SmsMessagesTable } from '../store-schema.js';

/** Which way a text went: `in` was sent by a card, `out` was sent to a card. */
export type SmsDirection = 'in' | 'out';

export const SMS_STATUSES = ['queued', 'sent', 'delivered', 'failed', 'received'] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];

/** A stored text. Times are epoch milliseconds; unknown values are null. */
export interface StoredSms {
  id: number;
  account: string;
  cardId: number | null;
  direction: SmsDirection;
  supplierMessageId: string | null;
  idempotencyKey: string | null;
  msisdn: string | null;
  iccid: string | null;
  text: string;
  status: SmsStatus;
  supplierCode: string | null;
  error: string | null;
  actor: string | null;
  /** When the supplier received or delivered it, as the supplier said. */
  supplierAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A text received from a card, as `recordInbound` takes it. */
export interface InboundSmsInput {
  account: string;
  cardId: number | null;
  supplierMessageId: string;
  msisdn: string | null;
  iccid: string | null;
  text: string;
  supplierAt: number | null;
}

/** Texts to and from cards (`sms_messages`, migration 0007). */
export class SmsRepository {
  readonly #store: RepositoryContext;
  readonly #now: () => number;

  constructor(store: RepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  #db() {
    return this.#store.db;
  }

  /**
   * Stores texts received from cards; a supplier message id already stored for the account is
   * skipped. Returns the texts that were new (so each raises one event).
   */
  async recordInbound(messages: InboundSmsInput[]): Promise<StoredSms[]> {
    const inserted: StoredSms[] = [];
    for (const message of messages) {
      const now = this.#now();
      const row = await this.#db()
        .insertInto('sms_messages')
        .values({
          account_id: message.account,
          card_id: message.cardId,
          direction: 'in',
          supplier_message_id: message.supplierMessageId,
          idempotency_key: null,
          msisdn: message.msisdn,
          iccid: message.iccid,
          text: message.text,
          status: 'received',
          supplier_code: null,
          error: null,
          actor: null,
          supplier_at: message.supplierAt,
          created_at: now,
          updated_at: now,
        })
        .onConflict((conflict) =>
          conflict.columns(['account_id', 'direction', 'supplier_message_id']).doNothing(),
        )
        .returningAll()
        .executeTakeFirst();
      if (row) inserted.push(toStoredSms(row));
    }
    return inserted;
  }

  /** Stores a text about to be sent (`queued`), before any supplier call. */
  async queueOutbound(input: {
    account: string;
    cardId: number;
    msisdn: string | null;
    iccid: string | null;
    text: string;
    idempotencyKey: string;
    actor: string;
  }): Promise<StoredSms> {
    const now = this.#now();
    const row = await this.#db()
      .insertInto('sms_messages')
      .values({
        account_id: input.account,
        card_id: input.cardId,
        direction: 'out',
        supplier_message_id: null,
        idempotency_key: input.idempotencyKey,
        msisdn: input.msisdn,
        iccid: input.iccid,
        text: input.text,
        status: 'queued',
        supplier_code: null,
        error: null,
        actor: input.actor,
        supplier_at: null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toStoredSms(row);
  }

  /** The outbound text with this idempotency key, or null. */
  async byIdempotencyKey(account: string, key: string): Promise<StoredSms | null> {
    const row = await this.#db()
      .selectFrom('sms_messages')
      .selectAll()
      .where('account_id', '=', account)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    return row ? toStoredSms(row) : null;
  }

  /** Records the outcome of a send. */
  async markSent(
    id: number,
    outcome:
      | { status: 'sent'; supplierMessageId: string | null }
      | { status: 'failed'; supplierCode: string | null; error: string },
  ): Promise<StoredSms> {
    const values =
      outcome.status === 'sent'
        ? { status: 'sent', supplier_message_id: outcome.supplierMessageId, error: null }
        : { status: 'failed', supplier_code: outcome.supplierCode, error: outcome.error };
    const row = await this.#db()
      .updateTable('sms_messages')
      .set({ ...values, updated_at: this.#now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toStoredSms(row);
  }

  /**
   * Applies a delivery report to the outbound text with this supplier message id (and card,
   * when the supplier sends one text to several cards under one id). Returns the texts whose
   * status changed; a repeated report changes nothing.
   */
  async recordDelivery(input: {
    account: string;
    supplierMessageId: string;
    cardId?: number | null;
    delivered: boolean;
    supplierCode: string | null;
    supplierAt: number | null;
  }): Promise<StoredSms[]> {
    const status: SmsStatus = input.delivered ? 'delivered' : 'failed';
    let query = this.#db()
      .updateTable('sms_messages')
      .set({
        status,
        supplier_code: input.supplierCode,
        supplier_at: input.supplierAt,
        updated_at: this.#now(),
      })
      .where('account_id', '=', input.account)
      .where('direction', '=', 'out')
      .where('supplier_message_id', '=', input.supplierMessageId)
      .where('status', '!=', status);
    if (input.cardId !== undefined && input.cardId !== null) {
      query = query.where('card_id', '=', input.cardId);
    }
    const rows = await query.returningAll().execute();
    return rows.map(toStoredSms);
  }

  /** A card's texts both ways, oldest first (the last `limit`, default 100). */
  async thread(cardId: number, options: { limit?: number } = {}): Promise<StoredSms[]> {
    const rows = await this.#db()
      .selectFrom('sms_messages')
      .selectAll()
      .where('card_id', '=', cardId)
      .orderBy('id', 'desc')
      .limit(options.limit ?? 100)
      .execute();
    return rows.reverse().map(toStoredSms);
  }

  /** An account's texts, newest first. */
  async list(
    filter: { account?: string; direction?: SmsDirection; limit?: number } = {},
  ): Promise<StoredSms[]> {
    let query = this.#db().selectFrom('sms_messages').selectAll();
    if (filter.account !== undefined) query = query.where('account_id', '=', filter.account);
    if (filter.direction !== undefined) query = query.where('direction', '=', filter.direction);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 100)
      .execute();
    return rows.map(toStoredSms);
  }

  /**
   * Texts of the cards a scope may see (the root also sees texts naming no card), newest
   * first, at most `limit`, with ids below `before` when given.
   */
  async listScoped(
    scope: CardScope,
    filter: {
      direction?: SmsDirection;
      status?: SmsStatus;
      account?: string;
      before?: number;
      limit: number;
    },
  ): Promise<StoredSms[]> {
    let select = this.#db()
      .selectFrom('sms_messages')
      .selectAll('sms_messages')
      .where(cardVisible(scope, 'sms_messages.card_id'));
    if (filter.direction) select = select.where('direction', '=', filter.direction);
    if (filter.status) select = select.where('status', '=', filter.status);
    if (filter.account) select = select.where('account_id', '=', filter.account);
    if (filter.before !== undefined) select = select.where('sms_messages.id', '<', filter.before);
    const rows = await select.orderBy('sms_messages.id', 'desc').limit(filter.limit).execute();
    return rows.map(toStoredSms);
  }
}

function toStoredSms(row: Selectable<SmsMessagesTable>): StoredSms {
  const number = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: Number(row.id),
    account: row.account_id,
    cardId: number(row.card_id),
    direction: row.direction as SmsDirection,
    supplierMessageId: row.supplier_message_id,
    idempotencyKey: row.idempotency_key,
    msisdn: row.msisdn,
    iccid: row.iccid,
    text: row.text,
    status: row.status as SmsStatus,
    supplierCode: row.supplier_code,
    error: row.error,
    actor: row.actor,
    supplierAt: number(row.supplier_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
