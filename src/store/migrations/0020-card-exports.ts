import { BIGINT, idColumn, type StoreMigration } from './migration-helpers.js';

/**
 * `card_exports`: card exports run as jobs. One row per export: the filters it was asked with,
 * the tenant scope it reads through, how far it got, and the file it wrote (in the data
 * directory's `exports/`) until that file expires.
 */
export const cardExportsSchema: StoreMigration = {
  name: '0020-card-exports',
  async up(db, dialect) {
    await db.schema
      .createTable('card_exports')
      .$call(idColumn(dialect))
      .addColumn('format', 'text', (column) => column.notNull())
      .addColumn('query', 'text', (column) => column.notNull())
      .addColumn('principal', 'text', (column) => column.notNull())
      .addColumn('tenant_id', 'text', (column) => column.notNull())
      .addColumn('created_by', 'text', (column) => column.notNull())
      .addColumn('state', 'text', (column) => column.notNull())
      .addColumn('total', BIGINT)
      .addColumn('total_exact', 'integer', (column) => column.notNull())
      .addColumn('rows_written', BIGINT, (column) => column.notNull())
      .addColumn('bytes', BIGINT, (column) => column.notNull())
      .addColumn('file_name', 'text', (column) => column.notNull())
      .addColumn('file_path', 'text')
      .addColumn('queue_job_id', 'text')
      .addColumn('error', 'text')
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('started_at', BIGINT)
      .addColumn('finished_at', BIGINT)
      .addColumn('expires_at', BIGINT)
      .execute();
    await db.schema
      .createIndex('card_exports_tenant')
      .on('card_exports')
      .columns(['tenant_id', 'id'])
      .execute();
    await db.schema
      .createIndex('card_exports_expiry')
      .on('card_exports')
      .columns(['state', 'expires_at'])
      .execute();
  },
};
