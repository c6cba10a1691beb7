import { BIGINT, idColumn, type StoreMigration } from './migration-helpers.js';

/**
 * Plans and card expiry, pools of shared quota, rules, the alerts they raise (one per rule,
 * subject and cycle: `dedupe_key` is unique), the IMEI each card was last seen with, and the
 * pauses rules made (so a rule can resume them at the next cycle).
 */
export const rulesAlertsPoolsSchema: StoreMigration = {
  name: '0005-rules-alerts-pools',
  async up(db, dialect) {
    await db.schema
      .createTable('plans')
      .$call(idColumn(dialect))
      .addColumn('name', 'text', (column) => column.notNull().unique())
      .addColumn('quota_bytes', BIGINT)
      .addColumn('cycle_start_day', 'integer', (column) => column.notNull().defaultTo(1))
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('card_plans')
      .addColumn('card_id', BIGINT, (column) =>
        column.primaryKey().references('cards.id').onDelete('cascade'),
      )
      .addColumn('plan_id', BIGINT, (column) => column.references('plans.id').onDelete('set null'))
      .addColumn('expires_on', 'text')
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema.createIndex('card_plans_plan').on('card_plans').column('plan_id').execute();

    await db.schema
      .createTable('pools')
      .$call(idColumn(dialect))
      .addColumn('name', 'text', (column) => column.notNull().unique())
      .addColumn('account_id', 'text')
      .addColumn('source', 'text', (column) => column.notNull())
      .addColumn('external_id', 'text')
      .addColumn('shared', 'integer', (column) => column.notNull().defaultTo(1))
      .addColumn('quota_bytes', BIGINT)
      .addColumn('supplier_used_bytes', BIGINT)
      .addColumn('cycle_start_day', 'integer', (column) => column.notNull().defaultTo(1))
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('pool_cards')
      .addColumn('pool_id', BIGINT, (column) =>
        column.notNull().references('pools.id').onDelete('cascade'),
      )
      .addColumn('card_id', BIGINT, (column) =>
        column.notNull().references('cards.id').onDelete('cascade'),
      )
      .addPrimaryKeyConstraint('pool_cards_pk', ['pool_id', 'card_id'])
      .execute();
    await db.schema.createIndex('pool_cards_card').on('pool_cards').column('card_id').execute();

    await db.schema
      .createTable('rules')
      .$call(idColumn(dialect))
      .addColumn('name', 'text')
      .addColumn('scope', 'text', (column) => column.notNull())
      .addColumn('target_id', 'text', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('thresholds', 'text', (column) => column.notNull())
      .addColumn('actions', 'text', (column) => column.notNull())
      .addColumn('severity', 'text', (column) => column.notNull())
      .addColumn('enabled', 'integer', (column) => column.notNull().defaultTo(1))
      .addColumn('created_by', 'text', (column) => column.notNull())
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('alerts')
      .$call(idColumn(dialect))
      .addColumn('rule_id', BIGINT)
      .addColumn('card_id', BIGINT, (column) => column.references('cards.id').onDelete('cascade'))
      .addColumn('pool_id', BIGINT, (column) => column.references('pools.id').onDelete('cascade'))
      .addColumn('account_id', 'text')
      .addColumn('cycle', 'text', (column) => column.notNull())
      .addColumn('dedupe_key', 'text', (column) => column.notNull().unique())
      .addColumn('source', 'text', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('severity', 'text', (column) => column.notNull())
      .addColumn('message', 'text', (column) => column.notNull())
      .addColumn('data', 'text', (column) => column.notNull())
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('acknowledged_at', BIGINT)
      .addColumn('acknowledged_by', 'text')
      .execute();
    await db.schema.createIndex('alerts_card').on('alerts').columns(['card_id', 'id']).execute();
    await db.schema
      .createIndex('alerts_open')
      .on('alerts')
      .columns(['acknowledged_at', 'id'])
      .execute();

    await db.schema
      .createTable('rule_card_state')
      .addColumn('card_id', BIGINT, (column) =>
        column.primaryKey().references('cards.id').onDelete('cascade'),
      )
      .addColumn('imei', 'text')
      .addColumn('observed_at', BIGINT, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('rule_pauses')
      .$call(idColumn(dialect))
      .addColumn('rule_id', BIGINT, (column) => column.notNull())
      .addColumn('card_id', BIGINT, (column) =>
        column.notNull().references('cards.id').onDelete('cascade'),
      )
      .addColumn('cycle', 'text', (column) => column.notNull())
      .addColumn('resume_on', 'text')
      .addColumn('paused_at', BIGINT, (column) => column.notNull())
      .addColumn('resumed_at', BIGINT)
      .execute();
    await db.schema
      .createIndex('rule_pauses_unique')
      .unique()
      .on('rule_pauses')
      .columns(['rule_id', 'card_id', 'cycle'])
      .execute();
  },
};
