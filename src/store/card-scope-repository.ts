import { sql } from 'kysely';
import { type CardScope, cardVisible, subtreePattern } from './card-scope.js';
import type { StoreContext } from './store-context.js';

/** Which cards a scope (an API caller, an agent app) may see: `card_tenants` look-ups. */
export class CardScopeRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  #db() {
    return this.#context.db;
  }

  /** The ids among `ids` of cards the scope may see. */
  async visibleIds(scope: CardScope, ids: readonly number[]): Promise<Set<number>> {
    const unique = [...new Set(ids)];
    if (scope.isRoot) return new Set(unique);
    const visible = new Set<number>();
    for (let start = 0; start < unique.length; start += 500) {
      const rows = await this.#db()
        .selectFrom('card_tenants')
        .select('card_id')
        .where('card_id', 'in', unique.slice(start, start + 500))
        .where('tenant_path', 'like', subtreePattern(scope.tenantPath))
        .execute();
      for (const row of rows) visible.add(Number(row.card_id));
    }
    return visible;
  }

  /**
   * The ids of the scope's cards whose `field` is one of `values` (stored forms: ICCIDs
   * upper-cased), by id. A card outside the scope is absent, like one that does not exist.
   */
  async idsByIdentifier(
    scope: CardScope,
    field: 'iccid' | 'msisdn',
    values: readonly string[],
  ): Promise<number[]> {
    if (values.length === 0) return [];
    const rows = await this.#db()
      .selectFrom('cards')
      .select('id')
      .where(field, 'in', values)
      .where(cardVisible(scope, 'cards.id'))
      .orderBy('id')
      .execute();
    return rows.map((row) => Number(row.id));
  }

  /** How many cards are assigned inside the subtree at `tenantPath`. */
  async countInSubtree(tenantPath: string): Promise<number> {
    const row = await this.#db()
      .selectFrom('card_tenants')
      .select(sql<number>`count(*)`.as('count'))
      .where('tenant_path', 'like', subtreePattern(tenantPath))
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }
}
