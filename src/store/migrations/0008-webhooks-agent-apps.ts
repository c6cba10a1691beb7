import { BIGINT, idColumn, type StoreMigration } from './migration-helpers.js';

/**
 * Webhooks out (endpoints per tenant, one delivery per endpoint and event, every attempt
 * logged, the outbox position already fanned out) and simdock's own agent open API (apps per
 * tenant with an encrypted secret, traceIDs seen, asynchronous stop / restore records).
 */
export const webhooksAgentAppsSchema: StoreMigration = {
  name: '0008-webhooks-agent-apps',
  async up(db, dialect) {
    await db.schema
      .createTable('webhook_endpoints')
      .$call(idColumn(dialect))
      .addColumn('tenant_id', 'text', (column) => column.notNull())
      .addColumn('url', 'text', (column) => column.notNull())
      .addColumn('description', 'text')
      .addColumn('secret', 'text', (column) => column.notNull())
      .addColumn('event_types', 'text', (column) => column.notNull())
      .addColumn('enabled', 'integer', (column) => column.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('webhook_endpoints_tenant')
      .on('webhook_endpoints')
      .column('tenant_id')
      .execute();

    await db.schema
      .createTable('webhook_deliveries')
      .$call(idColumn(dialect))
      .addColumn('endpoint_id', BIGINT, (column) => column.notNull())
      .addColumn('tenant_id', 'text', (column) => column.notNull())
      .addColumn('event_row_id', BIGINT, (column) => column.notNull())
      .addColumn('event_id', 'text', (column) => column.notNull())
      .addColumn('event_type', 'text', (column) => column.notNull())
      .addColumn('state', 'text', (column) => column.notNull())
      .addColumn('attempts', 'integer', (column) => column.notNull())
      .addColumn('next_attempt_at', BIGINT)
      .addColumn('retry_until', BIGINT, (column) => column.notNull())
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .addUniqueConstraint('webhook_deliveries_endpoint_event', ['endpoint_id', 'event_row_id'])
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_due')
      .on('webhook_deliveries')
      .columns(['state', 'next_attempt_at'])
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_tenant')
      .on('webhook_deliveries')
      .columns(['tenant_id', 'id'])
      .execute();

    await db.schema
      .createTable('webhook_attempts')
      .$call(idColumn(dialect))
      .addColumn('delivery_id', BIGINT, (column) => column.notNull())
      .addColumn('at', BIGINT, (column) => column.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('duration_ms', BIGINT, (column) => column.notNull())
      .addColumn('error', 'text')
      .addColumn('response_excerpt', 'text')
      .addColumn('manual', 'integer', (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('webhook_attempts_delivery')
      .on('webhook_attempts')
      .columns(['delivery_id', 'id'])
      .execute();

    await db.schema
      .createTable('webhook_cursor')
      .addColumn('name', 'text', (column) => column.primaryKey())
      .addColumn('last_event_row_id', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('agent_apps')
      .addColumn('app_id', 'text', (column) => column.primaryKey())
      .addColumn('tenant_id', 'text', (column) => column.notNull())
      .addColumn('name', 'text')
      .addColumn('secret', 'text', (column) => column.notNull())
      .addColumn('enabled', 'integer', (column) => column.notNull())
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('agent_trace_ids')
      .addColumn('app_id', 'text', (column) => column.notNull())
      .addColumn('trace_id', 'text', (column) => column.notNull())
      .addColumn('expires_at', BIGINT, (column) => column.notNull())
      .addPrimaryKeyConstraint('agent_trace_ids_pk', ['app_id', 'trace_id'])
      .execute();
    await db.schema
      .createIndex('agent_trace_ids_expiry')
      .on('agent_trace_ids')
      .column('expires_at')
      .execute();

    await db.schema
      .createTable('agent_operation_records')
      .$call(idColumn(dialect))
      .addColumn('app_id', 'text', (column) => column.notNull())
      .addColumn('tenant_id', 'text', (column) => column.notNull())
      .addColumn('batch_no', 'text', (column) => column.notNull())
      .addColumn('card_id', BIGINT, (column) => column.notNull())
      .addColumn('iccid', 'text')
      .addColumn('sim_no', 'text')
      .addColumn('operate_type', 'text', (column) => column.notNull())
      .addColumn('status', 'integer', (column) => column.notNull())
      .addColumn('remark', 'text', (column) => column.notNull())
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('finished_at', BIGINT)
      .execute();
    await db.schema
      .createIndex('agent_operation_records_batch')
      .on('agent_operation_records')
      .columns(['tenant_id', 'batch_no'])
      .execute();
    await db.schema
      .createIndex('agent_operation_records_card')
      .on('agent_operation_records')
      .columns(['tenant_id', 'card_id', 'id'])
      .execute();
  },
};
