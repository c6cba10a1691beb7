import { BIGINT, idColumn, type StoreMigration } from './migration-helpers.js';

/**
 * Texts to and from cards, the notices suppliers push to simdock, and multi-SIM devices with
 * their slots and command history. Repositories: src/store/repositories/sms-repository.ts,
 * inbound-notices-repository.ts and devices-repository.ts.
 */
export const inboundSchema: StoreMigration = {
  name: '0007-inbound',
  async up(db, dialect) {
    await db.schema
      .createTable('sms_messages')
      .$call(idColumn(dialect))
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('card_id', BIGINT)
      // `in` (sent by the card) or `out` (sent to the card).
      .addColumn('direction', 'text', (column) => column.notNull())
      .addColumn('supplier_message_id', 'text')
      .addColumn('idempotency_key', 'text')
      // The other end as the supplier named it, when no card matched.
      .addColumn('msisdn', 'text')
      .addColumn('iccid', 'text')
      .addColumn('text', 'text', (column) => column.notNull())
      // queued | sent | delivered | failed | received
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('supplier_code', 'text')
      .addColumn('error', 'text')
      .addColumn('actor', 'text')
      .addColumn('supplier_at', BIGINT)
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();
    // NULL message ids (a text not yet sent) are distinct on both dialects.
    await db.schema
      .createIndex('sms_messages_supplier_id')
      .unique()
      .on('sms_messages')
      .columns(['account_id', 'direction', 'supplier_message_id'])
      .execute();
    await db.schema
      .createIndex('sms_messages_idempotency')
      .unique()
      .on('sms_messages')
      .columns(['account_id', 'idempotency_key'])
      .execute();
    await db.schema
      .createIndex('sms_messages_card')
      .on('sms_messages')
      .columns(['card_id', 'id'])
      .execute();

    await db.schema
      .createTable('supplier_notices')
      .$call(idColumn(dialect))
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('dedupe_key', 'text', (column) => column.notNull())
      .addColumn('payload', 'text', (column) => column.notNull())
      .addColumn('received_at', BIGINT, (column) => column.notNull())
      .addColumn('verified', 'integer', (column) => column.notNull())
      .addColumn('rejected_reason', 'text')
      .addColumn('repeats', 'integer', (column) => column.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('supplier_notices_dedupe')
      .unique()
      .on('supplier_notices')
      .columns(['account_id', 'dedupe_key'])
      .execute();

    await db.schema
      .createTable('devices')
      .$call(idColumn(dialect))
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('supplier', 'text', (column) => column.notNull())
      .addColumn('device_no', 'text', (column) => column.notNull())
      .addColumn('imei', 'text')
      .addColumn('effective_slot', 'text')
      .addColumn('smart_switching', 'integer')
      .addColumn('network_modes', 'text', (column) => column.notNull())
      .addColumn('signal_dbm', 'integer')
      .addColumn('battery_percent', 'integer')
      .addColumn('online', 'integer')
      .addColumn('status_raw', 'text')
      // Wi-Fi access points without their passwords (JSON).
      .addColumn('wifi', 'text', (column) => column.notNull())
      // The Wi-Fi and admin passwords, sealed (AES-256-GCM) and bound to the device row's key.
      .addColumn('secrets', 'text')
      .addColumn('mac', 'text')
      .addColumn('position', 'text')
      .addColumn('firmware', 'text')
      .addColumn('last_seen_at', BIGINT)
      .addColumn('last_usage_at', BIGINT)
      .addColumn('synced_at', BIGINT, (column) => column.notNull())
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .addColumn('updated_at', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('devices_account_number')
      .unique()
      .on('devices')
      .columns(['account_id', 'device_no'])
      .execute();

    await db.schema
      .createTable('device_slots')
      .addColumn('device_id', BIGINT, (column) => column.notNull())
      .addColumn('slot', 'text', (column) => column.notNull())
      .addColumn('card_id', BIGINT)
      .addColumn('iccid', 'text')
      .addColumn('msisdn', 'text')
      .addColumn('imsi', 'text')
      .addColumn('status', 'text')
      .addColumn('status_raw', 'text')
      .addColumn('used_bytes', BIGINT)
      .addColumn('total_bytes', BIGINT)
      .addPrimaryKeyConstraint('device_slots_pk', ['device_id', 'slot'])
      .execute();
    await db.schema
      .createIndex('device_slots_card')
      .on('device_slots')
      .columns(['card_id'])
      .execute();

    await db.schema
      .createTable('device_commands')
      .$call(idColumn(dialect))
      .addColumn('device_id', BIGINT, (column) => column.notNull())
      // `supplier` (the supplier's control history) or `simdock` (a command simdock sent).
      .addColumn('source', 'text', (column) => column.notNull())
      .addColumn('at', BIGINT)
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('command', 'text')
      // Arguments or the supplier's values, secrets left out (JSON).
      .addColumn('arguments', 'text', (column) => column.notNull())
      .addColumn('actor', 'text')
      .addColumn('outcome', 'text')
      .addColumn('error', 'text')
      .execute();
    await db.schema
      .createIndex('device_commands_device')
      .on('device_commands')
      .columns(['device_id', 'id'])
      .execute();
  },
};
