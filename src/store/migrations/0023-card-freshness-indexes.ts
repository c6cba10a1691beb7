import type { StoreMigration } from './migration-helpers.js';

/**
 * Per account, cards by when their status and month usage were last read, with the status (which
 * says whether a card's figure can still change) in the index too: an account's freshness figures
 * — counts within target, the oldest read, the p50/p99 ranks — are index range scans instead of
 * reading every card (at 1,000,000 cards, seconds; see "Freshness figures" in
 * docs/performance.md). The same order is the one sync polls the stalest cards in.
 */
export const cardFreshnessIndexesSchema: StoreMigration = {
  name: '0023-card-freshness-indexes',
  async up(db) {
    await db.schema
      .createIndex('cards_account_status_checked')
      .on('cards')
      .columns(['account_id', 'status_checked_at', 'status'])
      .execute();
    await db.schema
      .createIndex('cards_account_usage_checked')
      .on('cards')
      .columns(['account_id', 'usage_checked_at', 'status'])
      .execute();
  },
};
