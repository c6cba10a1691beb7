import { upgradeFleetStatsTriggers } from './0022-fleet-stats-statements.js';
import { createPlanCycleTriggers } from './0029-plan-cycle-usage.js';
import type { StoreMigration } from './migration-helpers.js';

/**
 * PostgreSQL: the usage tables' trigger functions (0022's and 0029's) find each written card's
 * facts row by key (`factsOf`) instead of joining all of `card_facts`, which the planner hashed
 * whole for every sync batch; the functions are created again with that code. SQLite: nothing
 * (its store path reads the facts of a batch's cards by key already).
 */
export const statsTriggerLookupsSchema: StoreMigration = {
  name: '0030-stats-trigger-lookups',
  async up(db, dialect) {
    if (dialect !== 'postgres') return;
    await upgradeFleetStatsTriggers(db, dialect);
    await createPlanCycleTriggers(db, dialect);
  },
};
