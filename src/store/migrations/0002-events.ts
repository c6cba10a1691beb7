import { BIGINT, idColumn, type StoreMigration } from './migration-helpers.js';

/** The event outbox: things that happened (CloudEvents), kept for webhooks and the console. */
export const eventsSchema: StoreMigration = {
  name: '0002-events',
  async up(db, dialect) {
    await db.schema
      .createTable('events')
      .$call(idColumn(dialect))
      .addColumn('event_id', 'text', (column) => column.notNull().unique())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('source', 'text', (column) => column.notNull())
      .addColumn('subject', 'text')
      .addColumn('account_id', 'text')
      .addColumn('card_id', BIGINT)
      .addColumn('data', 'text', (column) => column.notNull())
      .addColumn('created_at', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema.createIndex('events_type_id').on('events').columns(['type', 'id']).execute();
    await db.schema.createIndex('events_card').on('events').columns(['card_id', 'id']).execute();
  },
};
