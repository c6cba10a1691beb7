import { upgradeFleetStatsTriggers } from './0022-fleet-stats-statements.js';
import { createPlanCycleTriggers } from './0029-plan-cycle-usage.js';
import type { StoreMigration } from './migration-helpers.js';

/**
 * PostgreSQL: 0022's and 0029's trigger functions created again with two plan fixes.
 * - The usage tables' triggers find each written card's facts row by key (`factsOf`) instead of
 *   joining all of `card_facts`, which the planner hashed whole for every sync batch.
 * - 0029's `card_facts` trigger counts the cards moved to another cycle start day instead of
 *   asking whether one exists: for EXISTS the planner could compare every old row with every new
 *   one, minutes for a plan given to 100,000 cards at once.
 * SQLite: nothing (its store path reads the facts of a batch's cards by key already, and its
 * triggers are per row).
 */
export const statsTriggerLookupsSchema: StoreMigration = {
  name: '0030-stats-trigger-lookups',
  async up(db, dialect) {
    if (dialect !== 'postgres') return;
    await upgradeFleetStatsTriggers(db, dialect);
    await createPlanCycleTriggers(db, dialect);
  },
};
