import { sql } from 'kysely';
import { SimdockError } from '../domain/errors.js';
import { type CardStatus, isCardStatus } from '../domain/status.js';
import { type StoredCard, toStoredCard } from './card-rows.js';
import { type CardImportRow, importCards, type SupplierCardRow } from './cards-import.js';
import { upsertFromSupplier } from './cards-supplier-upsert.js';
import {
  type CardIdentityUpdate,
  type CardStatusUpdate,
  updateIdentities,
  updateStatuses,
} from './cards-updates.js';
import type { StoreContext } from './store-context.js';
import { requirePositive } from './store-sql.js';

export type { StoredCard } from './card-rows.js';
export type { CardImportRow, SupplierCardRow } from './cards-import.js';
export type { CardIdentityUpdate, CardStatusUpdate } from './cards-updates.js';

/** One row of a card's status history. */
/** A status history row as stored: statuses as the row holds them (not checked). */
export interface RecordedStatusChange {
  id: number;
  cardId: number;
  at: number;
  status: string;
  statusRaw: string | null;
  previousStatus: string | null;
}

export interface CardStatusChange {
  id: number;
  cardId: number;
  /** Epoch milliseconds. */
  at: number;
  status: CardStatus;
  statusRaw: string | null;
  /** Null when the card had no stored status before. */
  previousStatus: CardStatus | null;
  /** What saw the change (`sync`, `job:pause`, …). */
  source: string;
}

/** Filters of `cards.list`. */
export interface CardListQuery {
  status?: CardStatus;
  account?: string;
  supplier?: string;
  /** A substring (a prefix too) of any identifier; ICCID letters match in any case. */
  search?: string;
  limit: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
}

/** The inventory: cards, their identities and statuses. */
export class CardsRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /** See `importCards` in cards-import.ts: idempotent, `{inserted, existing}`. */
  importCards(account: string, supplier: string, rows: readonly CardImportRow[]) {
    return importCards(this.#context, account, supplier, rows);
  }

  /**
   * See `upsertFromSupplier` in cards-supplier-upsert.ts: `{inserted, updated}`. Status changes are
   * recorded in the history with `options.source` (default `sync`).
   */
  upsertFromSupplier(
    account: string,
    supplier: string,
    cards: readonly SupplierCardRow[],
    options: { source?: string } = {},
  ) {
    return upsertFromSupplier(this.#context, account, supplier, cards, options.source ?? 'sync');
  }

  /** See `updateIdentities` in cards-updates.ts: the number of cards changed. */
  updateIdentities(updates: readonly CardIdentityUpdate[], source: string): Promise<number> {
    return updateIdentities(this.#context, updates, source);
  }

  /** See `updateStatuses` in cards-updates.ts: the number of cards changed. */
  updateStatuses(updates: readonly CardStatusUpdate[], source: string): Promise<number> {
    return updateStatuses(this.#context, updates, source);
  }

  /** The card, or null. */
  async get(id: number): Promise<StoredCard | null> {
    const row = await this.#context.db
      .selectFrom('cards')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toStoredCard(row) : null;
  }

  /**
   * The status changes a sync recorded for these cards since `since` (history rows with a `sync`
   * source and a known previous status), oldest first.
   */
  async syncStatusChanges(
    cardIds: readonly number[],
    since: number,
  ): Promise<RecordedStatusChange[]> {
    const changes: RecordedStatusChange[] = [];
    for (let start = 0; start < cardIds.length; start += 500) {
      const rows = await this.#context.db
        .selectFrom('card_status_history')
        .selectAll()
        .where('card_id', 'in', cardIds.slice(start, start + 500))
        .where('at', '>=', since)
        .where('source', 'like', 'sync%')
        .where('previous_status', 'is not', null)
        .orderBy('id')
        .execute();
      for (const row of rows) {
        changes.push({
          id: Number(row.id),
          cardId: Number(row.card_id),
          at: Number(row.at),
          status: row.status,
          statusRaw: row.status_raw,
          previousStatus: row.previous_status,
        });
      }
    }
    return changes;
  }

  /** The ids of an account's cards among `iccids` (upper-case), a few hundred per query. */
  async idsByIccid(account: string, iccids: readonly string[]): Promise<number[]> {
    const ids: number[] = [];
    for (let start = 0; start < iccids.length; start += 500) {
      const rows = await this.#context.db
        .selectFrom('cards')
        .select('id')
        .where('account_id', '=', account)
        .where('iccid', 'in', iccids.slice(start, start + 500))
        .execute();
      ids.push(...rows.map((row) => Number(row.id)));
    }
    return ids;
  }

  /**
   * The cards (of any account) whose ICCID is one of `iccids` (upper-case), by id: the same card
   * number held on two supplier accounts shows as two cards (a few hundred ICCIDs per query, on
   * the ICCID index).
   */
  async withIccids(
    iccids: readonly string[],
  ): Promise<{ id: number; account: string; iccid: string }[]> {
    const found: { id: number; account: string; iccid: string }[] = [];
    const unique = [...new Set(iccids)];
    for (let start = 0; start < unique.length; start += 500) {
      const rows = await this.#context.db
        .selectFrom('cards')
        .select(['id', 'account_id', 'iccid'])
        .where('iccid', 'in', unique.slice(start, start + 500))
        .orderBy('id')
        .execute();
      for (const row of rows) {
        if (row.iccid !== null) {
          found.push({ id: Number(row.id), account: row.account_id, iccid: row.iccid });
        }
      }
    }
    return found;
  }

  /** The cards of `ids` that exist, by id (a few hundred per query). */
  async getMany(ids: readonly number[]): Promise<Map<number, StoredCard>> {
    const cards = new Map<number, StoredCard>();
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += 500) {
      const rows = await this.#context.db
        .selectFrom('cards')
        .selectAll()
        .where('id', 'in', unique.slice(start, start + 500))
        .orderBy('id')
        .execute();
      for (const row of rows) cards.set(Number(row.id), toStoredCard(row));
    }
    return cards;
  }

  /**
   * Every card (of any account) carrying `value` as ICCID (compared upper-case), MSISDN, IMSI or
   * IMEI, by id.
   */
  async findByIdentifier(value: string): Promise<StoredCard[]> {
    const text = value.trim();
    if (text === '') return [];
    const rows = await this.#context.db
      .selectFrom('cards')
      .selectAll()
      .where((where) =>
        where.or([
          where('iccid', '=', text.toUpperCase()),
          where('msisdn', '=', text),
          where('imsi', '=', text),
          where('imei', '=', text),
        ]),
      )
      .orderBy('id')
      .execute();
    return rows.map(toStoredCard);
  }

  /** The account's cards with ids above `afterId`, by id: walk a fleet in pages. */
  async listForSync(
    account: string,
    options: { afterId?: number; limit: number },
  ): Promise<StoredCard[]> {
    const limit = requirePositive(options.limit, 'limit');
    const rows = await this.#context.db
      .selectFrom('cards')
      .selectAll()
      .where('account_id', '=', account)
      .where('id', '>', options.afterId ?? 0)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toStoredCard);
  }

  /** One page of cards by id; `nextCursor` is null on the last page. */
  async list(query: CardListQuery): Promise<{ cards: StoredCard[]; nextCursor: string | null }> {
    const limit = requirePositive(query.limit, 'limit');
    const afterId = parseCursor(query.cursor);
    if (query.status !== undefined && !isCardStatus(query.status)) {
      throw new SimdockError('invalid_argument', `unknown card status "${query.status}"`);
    }
    const search = query.search?.trim().toUpperCase() ?? '';
    let select = this.#context.db.selectFrom('cards').selectAll().where('id', '>', afterId);
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    if (query.account !== undefined) select = select.where('account_id', '=', query.account);
    if (query.supplier !== undefined) select = select.where('supplier', '=', query.supplier);
    if (search !== '') {
      // Identifiers are digits and upper-case A–F, so an upper-cased pattern matches alike on
      // SQLite (LIKE ignores ASCII case) and PostgreSQL (LIKE respects it).
      const pattern = `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
      select = select.where((where) =>
        where.or(
          (['iccid', 'msisdn', 'imsi', 'imei'] as const).map(
            (column) => sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`,
          ),
        ),
      );
    }
    const rows = await select
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit).map(toStoredCard);
    const last = page.at(-1);
    return { cards: page, nextCursor: rows.length > limit && last ? String(last.id) : null };
  }

  /** How many cards, optionally of one account, status and/or id range (both ends included). */
  async count(
    filter: { account?: string; status?: CardStatus; ids?: { first: number; last: number } } = {},
  ): Promise<number> {
    let select = this.#context.db
      .selectFrom('cards')
      .select((select) => select.fn.countAll<number>().as('count'));
    if (filter.account !== undefined) select = select.where('account_id', '=', filter.account);
    if (filter.ids !== undefined) {
      select = select.where('id', '>=', filter.ids.first).where('id', '<=', filter.ids.last);
    }
    if (filter.status !== undefined) select = select.where('status', '=', filter.status);
    const row = await select.executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** The card's status changes, oldest first. */
  async statusHistory(cardId: number): Promise<CardStatusChange[]> {
    const rows = await this.#context.db
      .selectFrom('card_status_history')
      .selectAll()
      .where('card_id', '=', cardId)
      .orderBy('at')
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      cardId: row.card_id,
      at: row.at,
      status: (isCardStatus(row.status) ? row.status : 'unknown') as CardStatus,
      statusRaw: row.status_raw,
      previousStatus:
        row.previous_status === null
          ? null
          : isCardStatus(row.previous_status)
            ? row.previous_status
            : 'unknown',
      source: row.source,
    }));
  }

  /** The ids of an account's cards, lowest first, at most `limit`. */
  async idsOfAccount(account: string, limit: number): Promise<number[]> {
    const rows = await this.#context.db
      .selectFrom('cards')
      .select('id')
      .where('account_id', '=', account)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => Number(row.id));
  }
}

function parseCursor(cursor: string | null | undefined): number {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  if (!/^\d{1,15}$/.test(cursor)) {
    throw new SimdockError('invalid_argument', `"${cursor}" is not a card list cursor`);
  }
  return Number(cursor);
}
