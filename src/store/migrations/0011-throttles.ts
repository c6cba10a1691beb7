import { BIGINT, type StoreMigration } from './migration-helpers.js';

/**
 * Counters of refused attempts shared by every process on one database: failed logins per
 * account and per address (growing delays), refused supplier callbacks per source. One row per
 * scope and key, kept while it matters and pruned after. Repository:
 * src/store/repositories/throttles-repository.ts. Also an index to count and expire an account's
 * refused supplier notices (inbound-notices-repository.ts).
 */
export const throttlesSchema: StoreMigration = {
  name: '0011-throttles',
  async up(db) {
    await db.schema
      .createTable('throttles')
      // `login-account`, `login-address`, `callback-source`, …
      .addColumn('scope', 'text', (column) => column.notNull())
      .addColumn('key', 'text', (column) => column.notNull())
      // Refusals counted since `window_started_at`.
      .addColumn('failures', 'integer', (column) => column.notNull())
      .addColumn('window_started_at', BIGINT, (column) => column.notNull())
      // No attempt is heard before this instant (0: none blocked).
      .addColumn('blocked_until', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .addPrimaryKeyConstraint('throttles_pk', ['scope', 'key'])
      .execute();
    await db.schema.createIndex('throttles_updated').on('throttles').column('updated_at').execute();
  },
};
