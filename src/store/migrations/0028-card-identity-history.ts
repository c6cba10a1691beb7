import { BIGINT, idColumn, type StoreMigration } from './migration-helpers.js';

/**
 * `card_identity_history`: an identifier of a card that a supplier reported changed (a new IMEI
 * when the card moved to another device, a new MSISDN after a number change), with the value it
 * replaced. Only replacements are kept: an identifier learned for the first time is no change.
 * Read by the card's timeline (kind `identity`) through `(card_id, at)`.
 */
export const cardIdentityHistorySchema: StoreMigration = {
  name: '0028-card-identity-history',
  async up(db, dialect) {
    await db.schema
      .createTable('card_identity_history')
      .$call(idColumn(dialect))
      .addColumn('card_id', BIGINT, (column) =>
        column.notNull().references('cards.id').onDelete('cascade'),
      )
      .addColumn('at', BIGINT, (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('value', 'text', (column) => column.notNull())
      .addColumn('previous', 'text', (column) => column.notNull())
      .addColumn('source', 'text', (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('card_identity_history_card_at')
      .on('card_identity_history')
      .columns(['card_id', 'at'])
      .execute();
  },
};
