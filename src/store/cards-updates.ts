import type { Insertable, Selectable } from 'kysely';
import { SimdockError } from '../domain/errors.js';
import { type CardStatus, isCardStatus } from '../domain/status.js';
import { IDENTIFIER_KINDS, normalizeIdentifier } from './card-rows.js';
import { type CardColumnValues, updateCardColumns } from './cards-bulk.js';
import { insertStatusHistory } from './cards-lookup.js';
import { afterStatsWrites } from './fleet-stats-repository.js';
import { writeStatusesKeepingFigures } from './status-stats-upkeep.js';
import type { StoreContext } from './store-context.js';
import type { CardIdentityHistoryTable, CardsTable } from './store-schema.js';
import {
  chunks,
  isAnyOf,
  requirePositive,
  requireText,
  rowsPerStatement,
  type Transaction,
  valuesPerLookup,
  writeTransaction,
} from './store-sql.js';

/** New identities of one card, as a supplier reported them. Null or absent: not reported. */
export interface CardIdentityUpdate {
  id: number;
  iccid?: string | null;
  msisdn?: string | null;
  imsi?: string | null;
  imei?: string | null;
}

/** The status of one card, as a supplier reported it. */
export interface CardStatusUpdate {
  id: number;
  status: CardStatus;
  statusRaw: string | null;
}

async function cardsById(
  transaction: Transaction,
  context: StoreContext,
  ids: readonly number[],
): Promise<Map<number, Selectable<CardsTable>>> {
  const cards = new Map<number, Selectable<CardsTable>>();
  for (const part of chunks([...new Set(ids)], valuesPerLookup(context.dialect))) {
    const rows = await transaction
      .selectFrom('cards')
      .selectAll()
      .where(isAnyOf(context.dialect, 'id', part))
      .orderBy('id')
      // Read to be rewritten: lock the rows on PostgreSQL (SQLite admits one writer anyway).
      .$if(context.dialect === 'postgres', (select) => select.forUpdate())
      .execute();
    for (const row of rows) cards.set(row.id, row);
  }
  return cards;
}

/**
 * Applies the identities a supplier reported: every non-null value replaces the stored one
 * (except an ICCID another card of the account already holds, which stays with that card).
 * A value that replaces another (a new IMEI: the card moved to another device) gets a
 * `card_identity_history` row naming `source`; one learned for the first time does not.
 * Every listed card gets `identitiesSyncedAt`; unknown ids are ignored.
 * Returns how many cards had an identifier changed.
 */
export async function updateIdentities(
  context: StoreContext,
  updates: readonly CardIdentityUpdate[],
  source: string,
): Promise<number> {
  requireText(source, 'identity source');
  for (const update of updates) requirePositive(update.id, 'card id');
  if (updates.length === 0) return 0;
  const now = context.clock.now();
  return writeTransaction(context.db, context.dialect, async (transaction) => {
    const cards = await cardsById(
      transaction,
      context,
      updates.map((update) => update.id),
    );
    // Who holds each incoming ICCID already, per account.
    const iccidHolders = new Map<string, number>();
    const incoming = updates
      .map((update) => normalizeIdentifier('iccid', update.iccid))
      .filter((value): value is string => value !== null);
    for (const part of chunks([...new Set(incoming)], valuesPerLookup(context.dialect))) {
      const rows = await transaction
        .selectFrom('cards')
        .select(['id', 'account_id', 'iccid'])
        .where(isAnyOf(context.dialect, 'iccid', part))
        .execute();
      for (const row of rows) iccidHolders.set(`${row.account_id}\u0000${row.iccid}`, row.id);
    }
    const changed = new Set<number>();
    const replaced: Insertable<CardIdentityHistoryTable>[] = [];
    const touched = new Map<number, Selectable<CardsTable>>();
    for (const update of updates) {
      const card = cards.get(update.id);
      if (!card) continue;
      touched.set(card.id, card);
      for (const kind of IDENTIFIER_KINDS) {
        const value = normalizeIdentifier(kind, update[kind]);
        if (value === null || value === card[kind]) continue;
        if (kind === 'iccid') {
          const holder = iccidHolders.get(`${card.account_id}\u0000${value}`);
          if (holder !== undefined && holder !== card.id) continue;
          if (card.iccid !== null) iccidHolders.delete(`${card.account_id}\u0000${card.iccid}`);
          iccidHolders.set(`${card.account_id}\u0000${value}`, card.id);
        }
        const previous = card[kind];
        if (previous !== null) {
          replaced.push({ card_id: card.id, at: now, kind, value, previous, source });
        }
        card[kind] = value;
        changed.add(card.id);
      }
    }
    await updateCardColumns(
      transaction,
      context.dialect,
      ['iccid', 'msisdn', 'imsi', 'imei', 'identities_synced_at', 'updated_at'],
      [...touched.values()].map(
        (card): CardColumnValues => ({
          id: card.id,
          iccid: card.iccid,
          msisdn: card.msisdn,
          imsi: card.imsi,
          imei: card.imei,
          identities_synced_at: now,
          updated_at: changed.has(card.id) ? now : card.updated_at,
        }),
      ),
    );
    for (const part of chunks(replaced, rowsPerStatement(context.dialect, 6))) {
      await transaction.insertInto('card_identity_history').values(part).execute();
    }
    return changed.size;
  });
}

/**
 * Applies the statuses a supplier reported. A card whose status or raw status differs gets the
 * new one, `statusChangedAt` and a `card_status_history` row naming `source`; unchanged cards
 * are not written. Unknown ids are ignored. Returns how many cards changed.
 */
export async function updateStatuses(
  context: StoreContext,
  updates: readonly CardStatusUpdate[],
  source: string,
): Promise<number> {
  requireText(source, 'status source');
  for (const update of updates) {
    requirePositive(update.id, 'card id');
    if (!isCardStatus(update.status)) {
      throw new SimdockError('invalid_argument', `unknown card status "${update.status}"`, {
        details: { id: update.id, status: update.status },
      });
    }
  }
  if (updates.length === 0) return 0;
  const now = context.clock.now();
  const changedCards = await writeTransaction(context.db, context.dialect, async (transaction) => {
    const cards = await cardsById(
      transaction,
      context,
      updates.map((update) => update.id),
    );
    const changed = new Map<number, Selectable<CardsTable>>();
    const history: Parameters<typeof insertStatusHistory>[2] = [];
    for (const update of updates) {
      const card = cards.get(update.id);
      const raw = update.statusRaw ?? null;
      if (!card || (card.status === update.status && card.status_raw === raw)) continue;
      history.push({
        card_id: card.id,
        at: now,
        status: update.status,
        status_raw: raw,
        previous_status: card.status,
        source,
      });
      card.status = update.status;
      card.status_raw = raw;
      changed.set(card.id, card);
    }
    const write = async () => {
      await updateCardColumns(
        transaction,
        context.dialect,
        ['status', 'status_raw', 'status_changed_at', 'updated_at'],
        [...changed.values()].map((card) => ({
          id: card.id,
          status: card.status,
          status_raw: card.status_raw,
          status_changed_at: now,
          updated_at: now,
        })),
      );
    };
    // SQLite: the batch keeps the fleet figures itself (migration 0024); PostgreSQL's statement
    // triggers do it per statement.
    if (context.dialect === 'sqlite') {
      await writeStatusesKeepingFigures(
        transaction,
        [...changed.values()].map((card) => ({ id: card.id, status: card.status })),
        write,
      );
    } else {
      await write();
    }
    await insertStatusHistory(transaction, context, history);
    // Every card answered is fresh now, changed or not (staleness is measured from this).
    for (const part of chunks(
      updates.map((update) => update.id),
      500,
    )) {
      await transaction
        .updateTable('cards')
        .set({ status_checked_at: now })
        .where('id', 'in', part)
        .execute();
    }
    return changed.size;
  });
  await afterStatsWrites(context, changedCards);
  return changedCards;
}
