import { SimdockError } from '../domain/errors.js';
import type { IdentifierKind } from '../domain/identifiers.js';
import { isCardStatus } from '../domain/status.js';
import { IDENTIFIER_KINDS } from './card-rows.js';
import { type CardColumnValues, updateCardColumns } from './cards-bulk.js';
import type { SupplierCardRow } from './cards-import.js';
import {
  candidateCards,
  type Identities,
  identitiesOf,
  insertStatusHistory,
  lockAccountCards,
  present,
} from './cards-lookup.js';
import { afterStatsWrites } from './fleet-stats-repository.js';
import type { StoreContext } from './store-context.js';
import { chunks, requireText, rowsPerStatement, writeTransaction } from './store-sql.js';

interface WorkingCard extends Identities {
  id: number | null;
  status: string;
  statusRaw: string | null;
  statusChangedAt: number | null;
  changed: boolean;
  previousStatus: string | null;
  statusChanged: boolean;
}

/**
 * Records the cards a supplier lists for an account: each is matched to a stored card by ICCID,
 * else MSISDN, else IMSI (a weaker match whose ICCID contradicts the listing's is not the same
 * card); a match gets its missing identifiers filled and its status updated (with a history row
 * when it really changed), anything else is inserted. Cards that do not change are not written,
 * so a repeated listing returns `{inserted: 0, updated: 0}`.
 */
export async function upsertFromSupplier(
  context: StoreContext,
  account: string,
  supplier: string,
  listed: readonly SupplierCardRow[],
  source: string,
): Promise<{ inserted: number; updated: number }> {
  requireText(account, 'account');
  requireText(supplier, 'supplier');
  const rows = listed.map((row, index) => {
    const identities = identitiesOf(row);
    if (identities.iccid === null && identities.msisdn === null && identities.imsi === null) {
      throw new SimdockError(
        'invalid_argument',
        `supplier card ${index + 1} has no ICCID, MSISDN or IMSI to match it by`,
        { details: { row: index + 1 } },
      );
    }
    if (row.status && !isCardStatus(row.status.status)) {
      throw new SimdockError('invalid_argument', `unknown card status "${row.status.status}"`);
    }
    return { identities, status: row.status ?? null };
  });
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const now = context.clock.now();
  const result = await writeTransaction(context.db, context.dialect, async (transaction) => {
    await lockAccountCards(transaction, context, account);
    const stored = new Map<number, WorkingCard>();
    const values = Object.fromEntries(
      (['iccid', 'msisdn', 'imsi'] as const).map((kind) => [
        kind,
        rows.map((row) => row.identities[kind]).filter(present),
      ]),
    );
    for await (const row of candidateCards(transaction, context, account, values, {
      forUpdate: true,
    })) {
      if (!stored.has(row.id)) {
        stored.set(row.id, {
          id: row.id,
          iccid: row.iccid,
          msisdn: row.msisdn,
          imsi: row.imsi,
          imei: row.imei,
          status: row.status,
          statusRaw: row.status_raw,
          statusChangedAt: row.status_changed_at,
          changed: false,
          previousStatus: null,
          statusChanged: false,
        });
      }
    }
    const index = new CardIndex();
    for (const card of [...stored.values()].sort((a, b) => a.id! - b.id!)) index.add(card);
    const fresh: WorkingCard[] = [];
    for (const row of rows) {
      const card = index.match(row.identities);
      if (!card) {
        const created: WorkingCard = {
          id: null,
          ...row.identities,
          status: row.status?.status ?? 'unknown',
          statusRaw: row.status?.raw ?? null,
          statusChangedAt: null,
          changed: true,
          previousStatus: null,
          statusChanged: false,
        };
        fresh.push(created);
        index.add(created);
        continue;
      }
      for (const kind of IDENTIFIER_KINDS) {
        const value = row.identities[kind];
        if (card[kind] !== null || value === null) continue;
        // An ICCID already held by another card of the account stays with that card.
        if (kind === 'iccid' && index.holder('iccid', value)) continue;
        card[kind] = value;
        card.changed = true;
        index.add(card);
      }
      if (row.status && (row.status.status !== card.status || row.status.raw !== card.statusRaw)) {
        if (card.id !== null && !card.statusChanged) {
          card.previousStatus = card.status;
          card.statusChanged = true;
        }
        card.status = row.status.status;
        card.statusRaw = row.status.raw;
        if (card.id !== null) card.statusChangedAt = now;
        card.changed = true;
      }
    }
    const updated = [...stored.values()].filter((card) => card.changed);
    await updateCardColumns(
      transaction,
      context.dialect,
      [
        'iccid',
        'msisdn',
        'imsi',
        'imei',
        'status',
        'status_raw',
        'status_changed_at',
        'updated_at',
        'identities_synced_at',
      ],
      updated.map(
        (card): CardColumnValues => ({
          id: card.id!,
          iccid: card.iccid,
          msisdn: card.msisdn,
          imsi: card.imsi,
          imei: card.imei,
          status: card.status,
          status_raw: card.statusRaw,
          status_changed_at: card.statusChangedAt,
          updated_at: now,
          identities_synced_at: now,
        }),
      ),
    );
    const history = updated
      .filter((card) => card.statusChanged)
      .map((card) => ({
        card_id: card.id!,
        at: now,
        status: card.status,
        status_raw: card.statusRaw,
        previous_status: card.previousStatus,
        source,
      }));
    await insertStatusHistory(transaction, context, history);
    for (const part of chunks(fresh, rowsPerStatement(context.dialect, 11))) {
      await transaction
        .insertInto('cards')
        .values(
          part.map((card) => ({
            account_id: account,
            supplier,
            iccid: card.iccid,
            msisdn: card.msisdn,
            imsi: card.imsi,
            imei: card.imei,
            status: card.status,
            status_raw: card.statusRaw,
            identities_synced_at: now,
            created_at: now,
            updated_at: now,
          })),
        )
        .execute();
    }
    return { inserted: fresh.length, updated: updated.length };
  });
  await afterStatsWrites(context, result.inserted + result.updated);
  return result;
}

/** Cards of one account by identifier, the first (lowest id) holder winning. */
class CardIndex {
  readonly #byKind = new Map<IdentifierKind, Map<string, WorkingCard>>(
    IDENTIFIER_KINDS.map((kind) => [kind, new Map()]),
  );

  add(card: WorkingCard): void {
    for (const kind of IDENTIFIER_KINDS) {
      const value = card[kind];
      const map = this.#byKind.get(kind)!;
      if (value !== null && !map.has(value)) map.set(value, card);
    }
  }

  holder(kind: IdentifierKind, value: string): WorkingCard | undefined {
    return this.#byKind.get(kind)!.get(value);
  }

  /** By ICCID, else MSISDN, else IMSI; a weaker match must not contradict the ICCID. */
  match(identities: Identities): WorkingCard | undefined {
    for (const kind of ['iccid', 'msisdn', 'imsi'] as const) {
      const value = identities[kind];
      if (value === null) continue;
      const card = this.holder(kind, value);
      if (!card) continue;
      if (kind !== 'iccid' && identities.iccid !== null && card.iccid !== null) continue;
      return card;
    }
    return undefined;
  }
}
