import { BIGINT, type StoreMigration } from './migration-helpers.js';

/**
 * `sync_fleet_listings`: where an account's fleet listing stands when it is spread over the
 * day's runs (a fleet too large to list in one run: 20,000 pages for 1,000,000 China Unicom
 * cards). Each run lists its share of pages from `cursor` (the supplier's own, opaque) and
 * leaves the next one there; `listed_at` is when the last pass reached the end.
 */
export const fleetListingsSchema: StoreMigration = {
  name: '0026-fleet-listings',
  async up(db) {
    await db.schema
      .createTable('sync_fleet_listings')
      .addColumn('account_id', 'text', (column) => column.primaryKey())
      .addColumn('cursor', 'text')
      .addColumn('pass_started_at', BIGINT, (column) => column.notNull())
      .addColumn('listed_at', BIGINT)
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();
  },
};
