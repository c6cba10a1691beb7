import type { Kysely } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import { upgradeFleetStatsTriggers } from './0022-fleet-stats-statements.js';
import { createPlanCycleTriggers } from './0029-plan-cycle-usage.js';
import { factsOf, type StoreMigration } from './migration-helpers.js';

/**
 * PostgreSQL: 0022's and 0029's trigger functions created again with two plan fixes (their
 * shipped code stays as it was; this passes the variant).
 * - The usage tables' triggers find each written card's facts row by key (`factsOf`) instead of
 *   joining all of `card_facts`, which the planner hashed whole for every sync batch.
 * - 0029's `card_facts` trigger counts the cards moved to another cycle start day instead of
 *   asking whether one exists (`PlanCycleCode.countMoved`): minutes for a plan given to 100,000
 *   cards at once where the planner bet on EXISTS finding one early.
 * SQLite: nothing (its store path reads the facts of a batch's cards by key already, and its
 * triggers are per row).
 */
export const statsTriggerLookupsSchema: StoreMigration = {
  name: '0030-stats-trigger-lookups',
  async up(db, dialect) {
    await applyStatsTriggerLookups(db, dialect);
  },
};

/** This migration's trigger code (also after a bench has created the triggers again). */
export async function applyStatsTriggerLookups(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
): Promise<void> {
  if (dialect !== 'postgres') return;
  await upgradeFleetStatsTriggers(db, dialect, factsOf);
  await createPlanCycleTriggers(db, dialect, { facts: factsOf, countMoved: true });
}
