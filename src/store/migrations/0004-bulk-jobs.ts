import { BIGINT, idColumn, type StoreMigration } from './migration-helpers.js';

/**
 * Bulk card jobs (pause, resume, activate, end test, reset, SMS, orders for many cards) and one
 * row per card of each job, so a retried or resumed job knows what it already sent.
 */
export const bulkJobsSchema: StoreMigration = {
  name: '0004-bulk-jobs',
  async up(db, dialect) {
    await db.schema
      .createTable('bulk_jobs')
      .$call(idColumn(dialect))
      .addColumn('action', 'text', (column) => column.notNull())
      .addColumn('params', 'text', (column) => column.notNull())
      .addColumn('selection', 'text', (column) => column.notNull())
      .addColumn('created_by', 'text', (column) => column.notNull())
      .addColumn('state', 'text', (column) => column.notNull())
      .addColumn('total', 'integer', (column) => column.notNull())
      .addColumn('done', 'integer', (column) => column.notNull())
      .addColumn('skipped', 'integer', (column) => column.notNull())
      .addColumn('failed', 'integer', (column) => column.notNull())
      .addColumn('runs', 'integer', (column) => column.notNull())
      .addColumn('queue_job_id', 'text')
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('started_at', BIGINT)
      .addColumn('finished_at', BIGINT)
      .execute();
    await db.schema
      .createTable('bulk_job_items')
      .$call(idColumn(dialect))
      .addColumn('job_id', BIGINT, (column) =>
        column.notNull().references('bulk_jobs.id').onDelete('cascade'),
      )
      .addColumn('card_id', BIGINT, (column) => column.notNull())
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('state', 'text', (column) => column.notNull())
      .addColumn('code', 'text')
      .addColumn('supplier_code', 'text')
      .addColumn('message', 'text')
      .addColumn('supplier_ref', 'text')
      .addColumn('idempotency_key', 'text', (column) => column.notNull())
      .addColumn('attempts', 'integer', (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .addUniqueConstraint('bulk_job_items_job_card', ['job_id', 'card_id'])
      .execute();
    await db.schema
      .createIndex('bulk_job_items_job_state')
      .on('bulk_job_items')
      .columns(['job_id', 'state', 'account_id', 'id'])
      .execute();
  },
};
