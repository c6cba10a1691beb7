import type { StoreMigration } from './migration-helpers.js';

/**
 * The job that planned a run (`job:<id>`; null for a run planned outside the queue). A `sync`
 * job that dies after planning its run is retried as the same job: it takes up the run it
 * planned instead of planning another, even when that run has finished meanwhile (its slices
 * went on in other workers), so a crash never makes a second run of supplier calls.
 */
export const syncPlansPlannedBySchema: StoreMigration = {
  name: '0032-sync-plans-planned-by',
  async up(db) {
    await db.schema.alterTable('sync_plans').addColumn('planned_by', 'text').execute();
    await db.schema
      .createIndex('sync_plans_planned_by')
      .on('sync_plans')
      .column('planned_by')
      .where('planned_by', 'is not', null)
      .execute();
  },
};
