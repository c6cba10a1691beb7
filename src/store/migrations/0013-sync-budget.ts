import { BIGINT, type StoreMigration } from './migration-helpers.js';

/**
 * Incremental usage, a shared call budget and per-card freshness:
 *
 * - `sync_usage_checks`: a usage period (a CST day of daily usage, a CST month of monthly usage)
 *   an account's sync read in full once the period was final (past the supplier's revision
 *   window). Later runs only fill the cards that still miss a figure for it.
 * - `account_rate_limits`: one token bucket per account, shared by every process and host through
 *   the database, with the factor throttling answers shrink it by and until when.
 * - `cards.status_checked_at` / `cards.usage_checked_at`: when a card's status and its month's
 *   usage were last read (or pushed), whether they changed or not; staleness is measured from them.
 */
export const syncBudgetSchema: StoreMigration = {
  name: '0013-sync-budget',
  async up(db) {
    await db.schema
      .createTable('sync_usage_checks')
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('need', 'text', (column) => column.notNull())
      .addColumn('period', 'text', (column) => column.notNull())
      .addColumn('checked_at', BIGINT, (column) => column.notNull())
      .addColumn('run_id', BIGINT)
      .addPrimaryKeyConstraint('sync_usage_checks_pk', ['account_id', 'need', 'period'])
      .execute();
    await db.schema
      .createTable('account_rate_limits')
      .addColumn('account_id', 'text', (column) => column.primaryKey())
      .addColumn('tokens', 'double precision', (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .addColumn('factor', 'double precision', (column) => column.notNull().defaultTo(1))
      .addColumn('throttled_until', BIGINT, (column) => column.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('cards').addColumn('status_checked_at', BIGINT).execute();
    await db.schema.alterTable('cards').addColumn('usage_checked_at', BIGINT).execute();
  },
};
