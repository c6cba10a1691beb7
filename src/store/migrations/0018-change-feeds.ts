import { BIGINT, type StoreMigration } from './migration-helpers.js';

/**
 * `sync_change_feeds`: where an account's supplier change feed (China Unicom's
 * `wsGetModifiedTerminals`) was last read in full. The next sync asks the feed for the cards
 * changed since then and refreshes only those; without a row it reads every card.
 */
export const changeFeedsSchema: StoreMigration = {
  name: '0018-change-feeds',
  async up(db) {
    await db.schema
      .createTable('sync_change_feeds')
      .addColumn('account_id', 'text', (column) => column.primaryKey())
      .addColumn('read_from', BIGINT, (column) => column.notNull())
      .addColumn('run_id', BIGINT)
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();
  },
};
