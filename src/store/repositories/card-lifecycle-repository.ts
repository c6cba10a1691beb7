import type { RepositoryContext } from '../store-context.js';

/** Cards per statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

/** One lifecycle change the supplier accepted. */
export interface LifecycleChange {
  cardId: number;
  account: string;
  action: string;
}

/**
 * When simdock last changed each card's status through a lifecycle action
 * (`card_lifecycle_changes`, migration 0017), shared by every process on the database: what a
 * supplier's per-card cooldown after a change is measured from.
 */
export class CardLifecycleRepository {
  readonly #store: RepositoryContext;
  readonly #now: () => number;

  constructor(store: RepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /** Records changes accepted now (or at `at`), replacing each card's previous one. */
  async record(changes: readonly LifecycleChange[], at: number = this.#now()): Promise<void> {
    for (let start = 0; start < changes.length; start += CHUNK) {
      const part = changes.slice(start, start + CHUNK);
      // One row per card even when a card appears twice in `changes`: the last one wins.
      const rows = [
        ...new Map(
          part.map((change) => [
            change.cardId,
            {
              card_id: change.cardId,
              account_id: change.account,
              action: change.action,
              changed_at: at,
            },
          ]),
        ).values(),
      ];
      await this.#store.db
        .insertInto('card_lifecycle_changes')
        .values(rows)
        .onConflict((conflict) =>
          conflict.column('card_id').doUpdateSet((update) => ({
            account_id: update.ref('excluded.account_id'),
            action: update.ref('excluded.action'),
            changed_at: update.ref('excluded.changed_at'),
          })),
        )
        .execute();
    }
  }

  /** Epoch ms of each card's last lifecycle change; cards never changed are absent. */
  async changedAt(cardIds: readonly number[]): Promise<Map<number, number>> {
    const found = new Map<number, number>();
    const ids = [...new Set(cardIds)];
    for (let start = 0; start < ids.length; start += CHUNK) {
      const rows = await this.#store.db
        .selectFrom('card_lifecycle_changes')
        .select(['card_id', 'changed_at'])
        .where('card_id', 'in', ids.slice(start, start + CHUNK))
        .execute();
      for (const row of rows) found.set(Number(row.card_id), Number(row.changed_at));
    }
    return found;
  }
}
