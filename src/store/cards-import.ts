import { SimdockError } from '../domain/errors.js';
import type { IdentifierKind } from '../domain/identifiers.js';
import type { CardStatusValue } from '../domain/status.js';
import { type CardImportRow, IDENTIFIER_KINDS } from './card-rows.js';

export type { CardImportRow } from './card-rows.js';

import {
  candidateCards,
  type Identities,
  identitiesOf,
  lockAccountCards,
  present,
} from './cards-lookup.js';
import { afterStatsWrites } from './fleet-stats-repository.js';
import type { StoreContext } from './store-context.js';
import { chunks, requireText, rowsPerStatement, writeTransaction } from './store-sql.js';

/** One card as a supplier lists it. */
export interface SupplierCardRow {
  iccid?: string | null;
  msisdn?: string | null;
  imsi?: string | null;
  imei?: string | null;
  /** The card's status, when the listing carries one. */
  status?: CardStatusValue | null;
}

/**
 * Adds cards to an account's inventory. A row that shares any identifier with a card of the
 * account (stored, or earlier in the same call) is counted as existing and not inserted again,
 * so importing a file twice inserts nothing the second time. One transaction, chunked
 * statements: 100,000 rows in one call are fine.
 */
export async function importCards(
  context: StoreContext,
  account: string,
  supplier: string,
  rows: readonly CardImportRow[],
): Promise<{ inserted: number; existing: number }> {
  requireText(account, 'account');
  requireText(supplier, 'supplier');
  const cards = rows.map((row, index) => {
    const identities = identitiesOf(row);
    if (!IDENTIFIER_KINDS.some((kind) => identities[kind] !== null)) {
      throw new SimdockError('invalid_argument', `import row ${index + 1} has no identifier`, {
        details: { row: index + 1 },
      });
    }
    return identities;
  });
  if (cards.length === 0) return { inserted: 0, existing: 0 };
  const now = context.clock.now();
  const result = await writeTransaction(context.db, context.dialect, async (transaction) => {
    await lockAccountCards(transaction, context, account);
    const known = Object.fromEntries(
      IDENTIFIER_KINDS.map((kind) => [kind, new Set<string>()]),
    ) as Record<IdentifierKind, Set<string>>;
    const values = Object.fromEntries(
      IDENTIFIER_KINDS.map((kind) => [kind, cards.map((card) => card[kind]).filter(present)]),
    );
    for await (const row of candidateCards(transaction, context, account, values)) {
      for (const kind of IDENTIFIER_KINDS) if (row[kind] !== null) known[kind].add(row[kind]);
    }
    const fresh: Identities[] = [];
    for (const card of cards) {
      const seen = IDENTIFIER_KINDS.some(
        (kind) => card[kind] !== null && known[kind].has(card[kind]),
      );
      if (seen) continue;
      fresh.push(card);
      for (const kind of IDENTIFIER_KINDS) if (card[kind] !== null) known[kind].add(card[kind]);
    }
    let inserted = 0;
    for (const part of chunks(fresh, rowsPerStatement(context.dialect, 9))) {
      const result = await transaction
        .insertInto('cards')
        .values(
          part.map((card) => ({
            account_id: account,
            supplier,
            ...card,
            status: 'unknown',
            created_at: now,
            updated_at: now,
          })),
        )
        // Another process importing the same ICCIDs at the same moment: theirs stand.
        .onConflict((conflict) => conflict.columns(['iccid', 'account_id']).doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return { inserted, existing: cards.length - inserted };
  });
  await afterStatsWrites(context, result.inserted);
  return result;
}
