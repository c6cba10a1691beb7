import { BIGINT, type StoreMigration } from './migration-helpers.js';

/**
 * When simdock last changed each card's status through a lifecycle action (pause, resume, …)
 * accepted by its supplier: what a supplier's per-card cooldown after a change (OneLink v5's
 * lock of some minutes) is measured from, shared by every job, rule and process on the
 * database. One row per card, overwritten by the next change. Repository:
 * src/store/repositories/card-lifecycle-repository.ts.
 */
export const cardLifecycleChangesSchema: StoreMigration = {
  name: '0017-card-lifecycle-changes',
  async up(db) {
    await db.schema
      .createTable('card_lifecycle_changes')
      .addColumn('card_id', BIGINT, (column) => column.primaryKey())
      .addColumn('account_id', 'text', (column) => column.notNull())
      // The lifecycle action sent (`pause`, `resume`, …).
      .addColumn('action', 'text', (column) => column.notNull())
      // Epoch ms the supplier accepted it.
      .addColumn('changed_at', BIGINT, (column) => column.notNull())
      .execute();
  },
};
