import { BIGINT, type StoreMigration } from './migration-helpers.js';

/**
 * `card_exports.lease_until`: the writer of a pending or running export renews it while it
 * works. An export still pending or running past its lease lost its writer (the process died):
 * its queue job takes it up again, or it is marked failed with the reason and its partial file
 * removed, instead of staying "running" forever.
 */
export const cardExportLeasesSchema: StoreMigration = {
  name: '0025-card-export-leases',
  async up(db) {
    await db.schema.alterTable('card_exports').addColumn('lease_until', BIGINT).execute();
  },
};
