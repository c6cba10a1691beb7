import { sql } from 'kysely';
import type { StoreMigration } from './migration-helpers.js';

/**
 * How a `sync` job finds a run without reading every plan ever made (one a run: an hourly
 * schedule makes 8,760 a year for each account).
 *
 * - `planned_by`: the job that planned a run (`job:<id>`; null for a run planned outside the
 *   queue). A `sync` job that dies after planning its run is retried as the same job: it takes up
 *   the run it planned instead of planning another, even when that run has finished meanwhile
 *   (its slices went on in other workers), so a crash never makes a second run of supplier calls.
 * - The account's unfinished runs (what a new run resumes or takes the place of), indexed while
 *   unfinished only.
 */
export const syncPlanLookupsSchema: StoreMigration = {
  name: '0032-sync-plan-lookups',
  async up(db) {
    await db.schema.alterTable('sync_plans').addColumn('planned_by', 'text').execute();
    await db.schema
      .createIndex('sync_plans_planned_by')
      .on('sync_plans')
      .column('planned_by')
      .where('planned_by', 'is not', null)
      .execute();
    await db.schema
      .createIndex('sync_plans_unfinished')
      .on('sync_plans')
      .columns(['account_id', 'run_id'])
      .where(sql.ref('finished_at'), 'is', null)
      .execute();
  },
};
