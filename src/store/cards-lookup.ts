import { type Selectable, sql } from 'kysely';
import type { IdentifierKind } from '../domain/identifiers.js';
import { type CardImportRow, normalizeIdentifier } from './card-rows.js';
import type { StoreContext } from './store-context.js';
import type { CardsTable } from './store-schema.js';
import {
  chunks,
  isAnyOf,
  rowsPerStatement,
  type Transaction,
  valuesPerLookup,
} from './store-sql.js';

/** The four identifiers of a card, normalized; unknown is null. */
export type Identities = Record<IdentifierKind, string | null>;

export function identitiesOf(row: CardImportRow): Identities {
  return {
    iccid: normalizeIdentifier('iccid', row.iccid),
    msisdn: normalizeIdentifier('msisdn', row.msisdn),
    imsi: normalizeIdentifier('imsi', row.imsi),
    imei: normalizeIdentifier('imei', row.imei),
  };
}

export const present = (value: string | null): value is string => value !== null;

/**
 * Serializes writers of one account's inventory across processes: on PostgreSQL a
 * transaction-scoped advisory lock keyed by the account (SQLite's BEGIN IMMEDIATE already
 * admits one writer at a time).
 */
export async function lockAccountCards(
  transaction: Transaction,
  context: StoreContext,
  account: string,
): Promise<void> {
  if (context.dialect !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(hashtext(${`simdock.cards:${account}`}))`.execute(
    transaction,
  );
}

/**
 * The stored cards of `account` that may match `values` (identifier kind → values): all the
 * account's cards when it holds no more cards than there are values to look up (one scan beats
 * that many index probes, as on a first import), else the cards found by probing each
 * identifier index in bounded lookups. A card may come more than once.
 */
export async function* candidateCards(
  transaction: Transaction,
  context: StoreContext,
  account: string,
  values: Partial<Record<IdentifierKind, readonly string[]>>,
  options: { forUpdate?: boolean } = {},
): AsyncGenerator<Selectable<CardsTable>> {
  // Rows about to be rewritten from what is read here are locked on PostgreSQL (SQLite's
  // write transaction already excludes other writers).
  const lock = options.forUpdate === true && context.dialect === 'postgres';
  const lookups = Object.entries(values).map(
    ([kind, list]) => [kind as IdentifierKind, [...new Set(list)]] as const,
  );
  const probes = lookups.reduce((total, [, list]) => total + list.length, 0);
  if (probes === 0) return;
  const { count } = await transaction
    .selectFrom('cards')
    .select((select) => select.fn.countAll<number>().as('count'))
    .where('account_id', '=', account)
    .executeTakeFirstOrThrow();
  if (Number(count) <= probes) {
    yield* await transaction
      .selectFrom('cards')
      .selectAll()
      .where('account_id', '=', account)
      .$if(lock, (select) => select.forUpdate())
      .execute();
    return;
  }
  for (const [kind, list] of lookups) {
    for (const part of chunks(list, valuesPerLookup(context.dialect))) {
      yield* await transaction
        .selectFrom('cards')
        .selectAll()
        .where('account_id', '=', account)
        .where(isAnyOf(context.dialect, kind, part))
        .$if(lock, (select) => select.forUpdate())
        .execute();
    }
  }
}

/** Writes status history rows, chunked. */
export async function insertStatusHistory(
  transaction: Transaction,
  context: StoreContext,
  rows: {
    card_id: number;
    at: number;
    status: string;
    status_raw: string | null;
    previous_status: string | null;
    source: string;
  }[],
): Promise<void> {
  for (const part of chunks(rows, rowsPerStatement(context.dialect, 6))) {
    await transaction.insertInto('card_status_history').values(part).execute();
  }
}
