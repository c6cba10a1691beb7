import type { StoreMigration } from './migration-helpers.js';

/**
 * The plans page's expiry figures per plan — the next expiry date from today, the last one, and
 * how many cards end within a window — read as index ranges of the kept per-card facts of
 * migration 0015 (`card_facts`: plan and expiry of every card), never a scan of a plan's cards.
 * Repository: `PlansRepository.expiries` (src/store/repositories/plans-repository.ts).
 */
export const planExpiryIndexSchema: StoreMigration = {
  name: '0021-plan-expiry-index',
  async up(db) {
    await db.schema
      .createIndex('card_facts_plan_expiry')
      .on('card_facts')
      .columns(['plan_id', 'expires_on'])
      .execute();
  },
};
