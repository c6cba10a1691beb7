import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import { createFleetStatsTriggers } from './0015-fleet-stats.js';
import { upgradeFleetStatsTriggers } from './0022-fleet-stats-statements.js';
import { switchStatusTriggers } from './0024-status-stats-upkeep.js';
import { createPlanCycleTriggers } from './0029-plan-cycle-usage.js';
import { applyStatsTriggerLookups } from './0030-stats-trigger-lookups.js';
import { createUsageOrderTriggers } from './0031-usage-order.js';
import { pgExecute, pgTransitionTables, type StoreMigration } from './migration-helpers.js';

/**
 * PostgreSQL: the kept figures follow plan and tenant assignments per statement, not per row.
 * Migration 0015 gave `card_plans` and `card_tenants` row triggers that update the card's
 * `card_facts` row, and each of those updates fired the facts' statement triggers (0022) for one
 * row: assigning 20,000 cards to a plan planned and ran the facts' statements 20,000 times. Now
 * one statement's rows update `card_facts` in one statement (from the transition tables, planned
 * per call through EXECUTE as in 0022), and its triggers count them all at once. Same figures:
 * a row inserted or updated sets the card's plan, quota and expiry (or tenant path); a row
 * deleted, or moved to another card, clears them; a write that changes nothing updates nothing.
 * SQLite keeps its row triggers (cheap there, and the store's own upkeep covers the hot paths).
 */
export const assignmentStatementTriggersSchema: StoreMigration = {
  name: '0027-assignment-statement-triggers',
  async up(db, dialect) {
    await applyAssignmentStatementTriggers(db, dialect);
  },
};

const planFacts = `UPDATE card_facts f SET plan_id = n.plan_id, expires_on = n.expires_on,
    quota_bytes = p.quota_bytes
  FROM n LEFT JOIN plans p ON p.id = n.plan_id
  WHERE f.card_id = n.card_id
    AND (f.plan_id, f.expires_on, f.quota_bytes) IS DISTINCT FROM (n.plan_id, n.expires_on, p.quota_bytes)`;
const clearPlans = (cards: string) => `UPDATE card_facts SET plan_id = NULL, quota_bytes = NULL,
    expires_on = NULL
  WHERE card_id IN (${cards})
    AND (plan_id IS NOT NULL OR quota_bytes IS NOT NULL OR expires_on IS NOT NULL)`;
const tenantFacts = `UPDATE card_facts f SET tenant_path = n.tenant_path FROM n
  WHERE f.card_id = n.card_id AND f.tenant_path <> n.tenant_path`;
const clearTenants = (cards: string) => `UPDATE card_facts SET tenant_path = ''
  WHERE card_id IN (${cards}) AND tenant_path <> ''`;
/** Cards an update moved a row away from (its key changed): what they had is cleared. */
const movedAway = 'SELECT card_id FROM o EXCEPT SELECT card_id FROM n';

const FUNCTIONS: { table: string; event: 'insert' | 'update' | 'delete'; steps: string[] }[] = [
  { table: 'card_plans', event: 'insert', steps: [planFacts] },
  { table: 'card_plans', event: 'update', steps: [clearPlans(movedAway), planFacts] },
  { table: 'card_plans', event: 'delete', steps: [clearPlans('SELECT card_id FROM o')] },
  { table: 'card_tenants', event: 'insert', steps: [tenantFacts] },
  { table: 'card_tenants', event: 'update', steps: [clearTenants(movedAway), tenantFacts] },
  { table: 'card_tenants', event: 'delete', steps: [clearTenants('SELECT card_id FROM o')] },
];

/**
 * Replaces the row triggers of `card_plans` and `card_tenants` with statement triggers on
 * PostgreSQL (also after a bench re-created 0015's triggers); nothing on SQLite.
 */
export async function applyAssignmentStatementTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const table of ['card_plans', 'card_tenants']) {
    await sql.raw(`DROP TRIGGER IF EXISTS stats_${table} ON ${table}`).execute(db);
    await sql.raw(`DROP FUNCTION IF EXISTS stats_${table}()`).execute(db);
  }
  for (const { table, event, steps } of FUNCTIONS) {
    const name = `stats_${table}_${event}`;
    const rows = event === 'delete' ? 'o' : 'n';
    const body = steps.map(pgExecute).join('\n');
    await sql
      .raw(
        `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
IF NOT EXISTS (SELECT 1 FROM ${rows}) THEN RETURN NULL; END IF;
${body}
RETURN NULL;
END
$body$`,
      )
      .execute(db);
    await sql.raw(`DROP TRIGGER IF EXISTS ${name} ON ${table}`).execute(db);
    await sql
      .raw(
        `CREATE TRIGGER ${name} AFTER ${event.toUpperCase()} ON ${table} REFERENCING ${pgTransitionTables(event)}
          FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`,
      )
      .execute(db);
  }
}

/**
 * Creates the fleet figures' triggers as the migrations leave them today (0015's, then 0022's,
 * 0024's, this one's, 0029's, 0030's and 0031's changes), for a bench that dropped them to fill a fleet fast.
 */
export async function createCurrentFleetStatsTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
): Promise<void> {
  await createFleetStatsTriggers(db, dialect);
  await upgradeFleetStatsTriggers(db, dialect);
  await switchStatusTriggers(db, dialect);
  await applyAssignmentStatementTriggers(db, dialect);
  await createPlanCycleTriggers(db, dialect);
  await applyStatsTriggerLookups(db, dialect);
  await createUsageOrderTriggers(db, dialect);
}
