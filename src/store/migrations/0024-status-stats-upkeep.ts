import type { Kysely } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import { addStatsSwitch } from './0022-fleet-stats-statements.js';
import type { StoreMigration } from './migration-helpers.js';

/**
 * SQLite: a status refresh keeps the fleet statistics itself (see `writeStatusesKeepingFigures`
 * in `status-stats-upkeep.ts`), as the usage write path has since migration 0022: one
 * `card_facts` update per new status and the cards cube's deltas summed per key, instead of the
 * row triggers of `cards` and `card_facts` running three statements per changed card. Those two
 * update triggers now step aside while the one-row `stats_switch` says so (the store sets it
 * inside its write transaction and clears it before commit; SQLite has one writer at a time).
 * Every other write of `cards` and `card_facts` (imports, moves, plan changes, bulk jobs) keeps
 * the triggers. PostgreSQL is unchanged (its statement triggers already work per statement).
 */
export const statusStatsUpkeepSchema: StoreMigration = {
  name: '0024-status-stats-upkeep',
  async up(db, dialect) {
    await switchStatusTriggers(db, dialect);
  },
};

/** The row triggers that step aside for the store's own status upkeep. */
const SWITCHED = ['stats_cards_update', 'stats_card_facts_update'];

/**
 * Adds the switch to the update triggers of `cards` and `card_facts` on SQLite (also after a bench
 * re-created them with migration 0015's code); nothing on PostgreSQL.
 */
export async function switchStatusTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
): Promise<void> {
  if (dialect !== 'sqlite') return;
  for (const name of SWITCHED) await addStatsSwitch(db, name);
}
