import { BIGINT, idColumn, type StoreMigration } from './migration-helpers.js';

/** Supplier accounts, cards and their status history, usage, sync runs and the audit log. */
export const initialSchema: StoreMigration = {
  name: '0001-initial-schema',
  async up(db, dialect) {
    await db.schema
      .createTable('accounts')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('name', 'text')
      .addColumn('enabled', 'integer', (column) => column.notNull().defaultTo(1))
      .addColumn('settings', 'text', (column) => column.notNull())
      .addColumn('secrets', 'text', (column) => column.notNull())
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('cards')
      .$call(idColumn(dialect))
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('supplier', 'text', (column) => column.notNull())
      .addColumn('iccid', 'text')
      .addColumn('msisdn', 'text')
      .addColumn('imsi', 'text')
      .addColumn('imei', 'text')
      .addColumn('status', 'text', (column) => column.notNull().defaultTo('unknown'))
      .addColumn('status_raw', 'text')
      .addColumn('status_changed_at', BIGINT)
      .addColumn('identities_synced_at', BIGINT)
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();
    // Identifier first, account second: one index serves the per-account match of an import or a
    // sync and the lookup of a bare identifier across accounts. An ICCID names one card per
    // account; the other identifiers may repeat (numbers get recycled, suppliers err).
    await db.schema
      .createIndex('cards_iccid_account')
      .unique()
      .on('cards')
      .columns(['iccid', 'account_id'])
      .execute();
    for (const identifier of ['msisdn', 'imsi', 'imei']) {
      await db.schema
        .createIndex(`cards_${identifier}_account`)
        .on('cards')
        .columns([identifier, 'account_id'])
        .execute();
    }
    await db.schema
      .createIndex('cards_account_id')
      .on('cards')
      .columns(['account_id', 'id'])
      .execute();
    await db.schema.createIndex('cards_status_id').on('cards').columns(['status', 'id']).execute();

    await db.schema
      .createTable('card_status_history')
      .$call(idColumn(dialect))
      .addColumn('card_id', BIGINT, (column) =>
        column.notNull().references('cards.id').onDelete('cascade'),
      )
      .addColumn('at', BIGINT, (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('status_raw', 'text')
      .addColumn('previous_status', 'text')
      .addColumn('source', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('card_status_history_card_at')
      .on('card_status_history')
      .columns(['card_id', 'at'])
      .execute();

    await db.schema
      .createTable('usage_daily')
      .addColumn('card_id', BIGINT, (column) =>
        column.notNull().references('cards.id').onDelete('cascade'),
      )
      .addColumn('date', 'text', (column) => column.notNull())
      .addColumn('bytes', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .addPrimaryKeyConstraint('usage_daily_pk', ['card_id', 'date'])
      .execute();
    await db.schema
      .createTable('usage_monthly')
      .addColumn('card_id', BIGINT, (column) =>
        column.notNull().references('cards.id').onDelete('cascade'),
      )
      .addColumn('month', 'text', (column) => column.notNull())
      .addColumn('bytes', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .addPrimaryKeyConstraint('usage_monthly_pk', ['card_id', 'month'])
      .execute();

    await db.schema
      .createTable('sync_runs')
      .$call(idColumn(dialect))
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('started_at', BIGINT, (column) => column.notNull())
      .addColumn('finished_at', BIGINT)
      .addColumn('cards', BIGINT)
      .addColumn('synced', BIGINT)
      .addColumn('failed', BIGINT)
      .addColumn('calls', BIGINT)
      .addColumn('rows_written', BIGINT)
      .addColumn('failures_by_reason', 'text')
      .addColumn('duration_ms', BIGINT)
      .execute();
    await db.schema
      .createIndex('sync_runs_account_id')
      .on('sync_runs')
      .columns(['account_id', 'id'])
      .execute();
    await db.schema
      .createTable('sync_run_failures')
      .$call(idColumn(dialect))
      .addColumn('run_id', BIGINT, (column) =>
        column.notNull().references('sync_runs.id').onDelete('cascade'),
      )
      .addColumn('card_id', BIGINT)
      .addColumn('code', 'text', (column) => column.notNull())
      .addColumn('message', 'text', (column) => column.notNull())
      .addColumn('at', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('sync_run_failures_run_id')
      .on('sync_run_failures')
      .columns(['run_id', 'id'])
      .execute();

    await db.schema
      .createTable('audit_log')
      .$call(idColumn(dialect))
      .addColumn('at', BIGINT, (column) => column.notNull())
      .addColumn('actor', 'text', (column) => column.notNull())
      .addColumn('action', 'text', (column) => column.notNull())
      .addColumn('target_type', 'text', (column) => column.notNull())
      .addColumn('target_id', 'text', (column) => column.notNull())
      .addColumn('account_id', 'text')
      .addColumn('outcome', 'text', (column) => column.notNull())
      .addColumn('details', 'text')
      .execute();
    await db.schema
      .createIndex('audit_log_target_id')
      .on('audit_log')
      .columns(['target_id', 'id'])
      .execute();
    await db.schema
      .createIndex('audit_log_account_id')
      .on('audit_log')
      .columns(['account_id', 'id'])
      .execute();
  },
};
