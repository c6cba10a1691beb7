import { BIGINT, type StoreMigration } from './migration-helpers.js';

/**
 * Sync checkpoints: a run is planned as slices of cards (each a unit of work a worker takes),
 * and every finished supplier batch is recorded, so a run resumed after a crash or shared by
 * several workers never fetches a finished batch again.
 */
export const syncSlicesSchema: StoreMigration = {
  name: '0009-sync-slices',
  async up(db) {
    await db.schema
      .createTable('sync_plans')
      .addColumn('run_id', BIGINT, (column) => column.primaryKey())
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('params', 'text', (column) => column.notNull())
      .addColumn('cards', BIGINT, (column) => column.notNull())
      .addColumn('calls', BIGINT, (column) => column.notNull())
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('finished_at', BIGINT)
      .execute();
    await db.schema
      .createTable('sync_slices')
      .addColumn('run_id', BIGINT, (column) => column.notNull())
      .addColumn('slice', 'integer', (column) => column.notNull())
      .addColumn('first_card_id', BIGINT, (column) => column.notNull())
      .addColumn('last_card_id', BIGINT, (column) => column.notNull())
      .addColumn('state', 'text', (column) => column.notNull())
      .addColumn('stopped_by', 'text')
      .addColumn('finished_at', BIGINT)
      .addPrimaryKeyConstraint('sync_slices_pk', ['run_id', 'slice'])
      .execute();
    await db.schema
      .createTable('sync_batches')
      .addColumn('run_id', BIGINT, (column) => column.notNull())
      .addColumn('batch_key', 'text', (column) => column.notNull())
      .addColumn('calls', 'integer', (column) => column.notNull())
      .addColumn('rows_written', 'integer', (column) => column.notNull())
      .addColumn('finished_at', BIGINT, (column) => column.notNull())
      .addPrimaryKeyConstraint('sync_batches_pk', ['run_id', 'batch_key'])
      .execute();
  },
};
