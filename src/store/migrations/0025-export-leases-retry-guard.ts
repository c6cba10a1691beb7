import { BIGINT, type StoreMigration } from './migration-helpers.js';

/**
 * `card_exports.lease_until`: the writer of a pending or running export renews it while it
 * works. An export still pending or running past its lease lost its writer (the process died):
 * its queue job takes it up again, or it is marked failed with the reason and its partial file
 * removed, instead of staying "running" forever.
 *
 * `bulk_jobs.retry_of`: the job a retry job was made from, unique, so a job is retried once
 * (two retries asked at the same moment make one job; the other is told which).
 */
export const exportLeasesRetryGuardSchema: StoreMigration = {
  name: '0025-export-leases-retry-guard',
  async up(db) {
    await db.schema.alterTable('card_exports').addColumn('lease_until', BIGINT).execute();
    await db.schema.alterTable('bulk_jobs').addColumn('retry_of', BIGINT).execute();
    await db.schema
      .createIndex('bulk_jobs_retry_of')
      .on('bulk_jobs')
      .column('retry_of')
      .unique()
      .execute();
  },
};
