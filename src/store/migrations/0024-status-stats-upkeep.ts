import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../store-dialect.js';
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
  const off = '(SELECT store_keeps FROM stats_switch WHERE id = 1) = 0';
  for (const name of SWITCHED) {
    const row = (
      await sql<{ sql: string }>`SELECT sql FROM sqlite_master
        WHERE type = 'trigger' AND name = ${name}`.execute(db)
    ).rows[0];
    if (!row) continue;
    // `CREATE TRIGGER name AFTER UPDATE [OF cols] ON table FOR EACH ROW [WHEN cond] BEGIN …`
    const match = /^([\s\S]*?FOR EACH ROW)\s*(?:WHEN ([\s\S]*?))?\s*BEGIN([\s\S]*)$/i.exec(row.sql);
    if (!match) throw new Error(`trigger ${name} has an unexpected shape`);
    const [, head, when, rest] = match;
    if (when?.includes('stats_switch')) continue;
    const condition = when ? `(${when.trim()}) AND ${off}` : off;
    await sql.raw(`DROP TRIGGER ${name}`).execute(db);
    await sql.raw(`${head} WHEN ${condition} BEGIN${rest}`).execute(db);
  }
}
