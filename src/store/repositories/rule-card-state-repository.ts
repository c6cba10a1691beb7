import type { RepositoryContext } from '../store-context.js';
import { idChunks } from './rules-tables.js';

/** The IMEI a card was last seen with, as the IMEI rules remember it. */
export interface RememberedImei {
  imei: string | null;
  observedAt: number;
}

/** What the rules remember per card between evaluations (the card row holds only the present). */
export class RuleCardStateRepository {
  readonly #store: RepositoryContext;

  constructor(store: RepositoryContext) {
    this.#store = store;
  }

  /** The IMEI each of these cards was last seen with, when remembered. */
  async lastImeis(cardIds: readonly number[]): Promise<Map<number, RememberedImei>> {
    const result = new Map<number, RememberedImei>();
    for (const part of idChunks(cardIds)) {
      const rows = await this.#store.db
        .selectFrom('rule_card_state')
        .selectAll()
        .where('card_id', 'in', part)
        .execute();
      for (const row of rows) {
        result.set(Number(row.card_id), { imei: row.imei, observedAt: Number(row.observed_at) });
      }
    }
    return result;
  }

  /** Remembers each card's IMEI as seen at `now` (replacing what was remembered). */
  async rememberImeis(
    cards: readonly { id: number; imei: string | null }[],
    now: number,
  ): Promise<void> {
    for (const part of idChunks(cards, 200)) {
      await this.#store.db
        .insertInto('rule_card_state')
        .values(part.map((card) => ({ card_id: card.id, imei: card.imei, observed_at: now })))
        .onConflict((conflict) =>
          conflict.column('card_id').doUpdateSet((update) => ({
            imei: update.ref('excluded.imei'),
            observed_at: update.ref('excluded.observed_at'),
          })),
        )
        .execute();
    }
  }
}
