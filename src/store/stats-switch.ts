import { type Kysely, sql } from 'kysely';

/**
 * SQLite: the one-row `stats_switch` (migrations 0022 and 0024). While `store_keeps` is set, the
 * row triggers of the usage tables, the cycle rows and the status updates step aside and the
 * store's write path keeps the figures itself. It is set inside the writer's transaction and
 * cleared before commit; SQLite has one writer at a time, so no other writer ever sees it set.
 */

/** Sets the switch; false when there is no switch row (a bench measuring writes without figures). */
// biome-ignore lint/suspicious/noExplicitAny: the kept-figure tables are read and written raw.
export async function storeKeepsFigures(transaction: Kysely<any>): Promise<boolean> {
  const switched = await sql`UPDATE stats_switch SET store_keeps = 1 WHERE id = 1`.execute(
    transaction,
  );
  return Number(switched.numAffectedRows ?? 0) > 0;
}

/** Clears the switch before the transaction commits. */
// biome-ignore lint/suspicious/noExplicitAny: see above.
export async function triggersKeepFigures(transaction: Kysely<any>): Promise<void> {
  await sql`UPDATE stats_switch SET store_keeps = 0 WHERE id = 1`.execute(transaction);
}
