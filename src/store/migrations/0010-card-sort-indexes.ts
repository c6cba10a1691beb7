import { sql } from 'kysely';
import type { StoreMigration } from './migration-helpers.js';

/**
 * Indexes for the card list sorted by ICCID or MSISDN (src/store/repositories/scoped-cards-repository.ts sorts by
 * `coalesce(cards.<identifier>, '')`, then id), with and without a status filter. Without them a
 * sorted page of 1,000,000 cards sorted every matching card first (a temporary B-tree of ~100 ms
 * per request on SQLite); with them the first page and a keyset cursor deep in the list are an
 * index range. The expression must stay identical to the list query's sort key to be used.
 */
export const cardSortIndexesSchema: StoreMigration = {
  name: '0010-card-sort-indexes',
  async up(db) {
    for (const identifier of ['iccid', 'msisdn'] as const) {
      const key = identifier === 'iccid' ? sql`coalesce(iccid, '')` : sql`coalesce(msisdn, '')`;
      await db.schema
        .createIndex(`cards_${identifier}_sort`)
        .on('cards')
        .expression(sql`${key}, id`)
        .execute();
      await db.schema
        .createIndex(`cards_status_${identifier}_sort`)
        .on('cards')
        .expression(sql`status, ${key}, id`)
        .execute();
    }
  },
};
