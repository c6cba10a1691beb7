import { BIGINT, idColumn, type StoreMigration } from './migration-helpers.js';

/**
 * Notification channels (DingTalk, WeCom and Feishu robots, email) per tenant, with their
 * routing and sealed secrets; the items waiting to be said (one per channel and alert, daily
 * digest or test); the messages sent (an item alone, or a digest folding many), each attempt
 * with the robot's answer code; and the alert position already routed.
 */
export const notificationsSchema: StoreMigration = {
  name: '0014-notifications',
  async up(db, dialect) {
    await db.schema
      .createTable('notification_channels')
      .$call(idColumn(dialect))
      .addColumn('tenant_id', 'text', (column) => column.notNull())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('locale', 'text', (column) => column.notNull())
      .addColumn('settings', 'text', (column) => column.notNull())
      .addColumn('secrets', 'text', (column) => column.notNull())
      .addColumn('rule_ids', 'text', (column) => column.notNull())
      .addColumn('min_severity', 'text', (column) => column.notNull())
      .addColumn('daily_digest', 'integer', (column) => column.notNull())
      .addColumn('per_minute', 'integer', (column) => column.notNull())
      .addColumn('enabled', 'integer', (column) => column.notNull())
      .addColumn('lease_until', BIGINT, (column) => column.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('notification_channels_tenant')
      .on('notification_channels')
      .column('tenant_id')
      .execute();
    await db.schema
      .createTable('notification_items')
      .$call(idColumn(dialect))
      .addColumn('channel_id', BIGINT, (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('dedupe_key', 'text', (column) => column.notNull())
      .addColumn('alert_id', BIGINT)
      .addColumn('data', 'text', (column) => column.notNull())
      .addColumn('message_id', BIGINT)
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addUniqueConstraint('notification_items_channel_key', ['channel_id', 'dedupe_key'])
      .execute();
    await db.schema
      .createIndex('notification_items_waiting')
      .on('notification_items')
      .columns(['channel_id', 'message_id', 'id'])
      .execute();
    await db.schema
      .createTable('notification_messages')
      .$call(idColumn(dialect))
      .addColumn('channel_id', BIGINT, (column) => column.notNull())
      .addColumn('tenant_id', 'text', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('items', 'integer', (column) => column.notNull())
      .addColumn('title', 'text', (column) => column.notNull())
      .addColumn('body', 'text', (column) => column.notNull())
      .addColumn('state', 'text', (column) => column.notNull())
      .addColumn('attempts', 'integer', (column) => column.notNull())
      .addColumn('next_attempt_at', BIGINT)
      .addColumn('retry_until', BIGINT, (column) => column.notNull())
      .addColumn('last_status', 'integer')
      .addColumn('last_code', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('notification_messages_due')
      .on('notification_messages')
      .columns(['channel_id', 'state', 'next_attempt_at'])
      .execute();
    await db.schema
      .createIndex('notification_messages_tenant')
      .on('notification_messages')
      .columns(['tenant_id', 'id'])
      .execute();
    await db.schema
      .createTable('notification_attempts')
      .$call(idColumn(dialect))
      .addColumn('message_id', BIGINT, (column) => column.notNull())
      .addColumn('channel_id', BIGINT, (column) => column.notNull())
      .addColumn('at', BIGINT, (column) => column.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('answer_code', 'text')
      .addColumn('answer', 'text')
      .addColumn('error', 'text')
      .addColumn('duration_ms', BIGINT, (column) => column.notNull())
      .addColumn('manual', 'integer', (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('notification_attempts_message')
      .on('notification_attempts')
      .columns(['message_id', 'id'])
      .execute();
    await db.schema
      .createIndex('notification_attempts_channel_at')
      .on('notification_attempts')
      .columns(['channel_id', 'at'])
      .execute();
    await db.schema
      .createTable('notification_cursor')
      .addColumn('name', 'text', (column) => column.primaryKey())
      .addColumn('last_id', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();
  },
};
