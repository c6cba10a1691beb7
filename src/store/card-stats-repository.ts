import { sql } from 'kysely';
import { type StoredCard, toStoredCard } from './card-rows.js';
import { type CardScope, cardVisible } from './card-scope.js';
import type { StoreContext } from './store-context.js';

/** Numbers come back as text from PostgreSQL's bigint and numeric aggregates. */
function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A card with what the dashboard lists show beside it. */
export interface CardWithScope {
  card: StoredCard;
  tenant: string | null;
  tags: string[];
  /** This month's bytes as the card list reckons them; null: unknown. */
  usageThisMonth: number | null;
}

/**
 * The dashboard's figures over the cards of a scope (`/api/v1/cards/stats`). Each is one
 * statement over the whole fleet, tuned for 1,000,000 cards (docs/performance.md).
 */
export class CardStatsRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  #db() {
    return this.#context.db;
  }

  /** Cards per status, by status. */
  async countByStatus(scope: CardScope): Promise<{ status: string; cards: number }[]> {
    const rows = await this.#db()
      .selectFrom('cards')
      .select(['status', sql<number>`count(*)`.as('cards')])
      .where(cardVisible(scope, 'cards.id'))
      .groupBy('status')
      .orderBy('status')
      .execute();
    return rows.map((row) => ({ status: row.status, cards: Number(row.cards) }));
  }

  /** Cards per supplier account, by account id. */
  async countByAccount(
    scope: CardScope,
  ): Promise<{ account: string; supplier: string; cards: number }[]> {
    const rows = await this.#db()
      .selectFrom('cards')
      .select(['account_id', 'supplier', sql<number>`count(*)`.as('cards')])
      .where(cardVisible(scope, 'cards.id'))
      .groupBy(['account_id', 'supplier'])
      .orderBy('account_id')
      .execute();
    return rows.map((row) => ({
      account: row.account_id,
      supplier: row.supplier,
      cards: Number(row.cards),
    }));
  }

  /**
   * Bytes in the CST month `month` (`YYYY-MM`) over the cards with a known figure; null when
   * none is known. Per card: the monthly figure, else the sum of its daily rows (as the card
   * list's `usageThisMonth`).
   */
  async monthBytes(scope: CardScope, month: string): Promise<number | null> {
    const usage = await this.#db()
      .selectFrom('cards')
      .select(
        sql<number | null>`sum(coalesce(
          (select um.bytes from usage_monthly um where um.card_id = cards.id and um.month = ${month}),
          (select sum(ud.bytes) from usage_daily ud where ud.card_id = cards.id
            and ud.date >= ${`${month}-01`} and ud.date <= ${`${month}-31`})))`.as('bytes'),
      )
      .where(cardVisible(scope, 'cards.id'))
      .executeTakeFirst();
    return numberOrNull(usage?.bytes);
  }

  /**
   * The first `limit` cards whose plan service ends from `from` to `to` (CST dates, both
   * included), soonest first, and how many there are in all.
   */
  async expiringPlans(
    scope: CardScope,
    window: { from: string; to: string; limit: number },
  ): Promise<{ cards: { cardId: number; expiresOn: string }[]; total: number }> {
    const expiring = await this.#db()
      .selectFrom('card_plans as cp')
      .select(['cp.card_id', 'cp.expires_on', sql<number>`count(*) over ()`.as('total')])
      .where('cp.expires_on', '>=', window.from)
      .where('cp.expires_on', '<=', window.to)
      .where(cardVisible(scope, 'cp.card_id'))
      .orderBy('cp.expires_on')
      .orderBy('cp.card_id')
      .limit(window.limit)
      .execute();
    return {
      cards: expiring.map((row) => ({
        cardId: Number(row.card_id),
        expiresOn: row.expires_on as string,
      })),
      total: Number(expiring[0]?.total ?? 0),
    };
  }

  /**
   * The first `limit` cards whose plan service ends from `from` to `to` (CST dates, both
   * included), soonest first, without counting them all (the kept figures have the count).
   */
  async expiringFirst(
    scope: CardScope,
    window: { from: string; to: string; limit: number },
  ): Promise<{ cardId: number; expiresOn: string }[]> {
    const rows = await this.#db()
      .selectFrom('card_plans as cp')
      .select(['cp.card_id', 'cp.expires_on'])
      .where('cp.expires_on', '>=', window.from)
      .where('cp.expires_on', '<=', window.to)
      .where(cardVisible(scope, 'cp.card_id'))
      .orderBy('cp.expires_on')
      .orderBy('cp.card_id')
      .limit(window.limit)
      .execute();
    return rows.map((row) => ({
      cardId: Number(row.card_id),
      expiresOn: row.expires_on as string,
    }));
  }

  /** The plans with a quota (plans are few): id, name, quota and cycle start day. */
  async quotaPlans(): Promise<{ id: number; name: string; quota: number; startDay: number }[]> {
    const rows = await this.#db()
      .selectFrom('plans')
      .select(['id', 'name', 'quota_bytes', 'cycle_start_day'])
      .where('quota_bytes', 'is not', null)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      name: row.name,
      quota: Number(row.quota_bytes),
      startDay: Number(row.cycle_start_day),
    }));
  }

  /**
   * The distinct cycle start days other than the 1st of the plans with a quota (plans are few).
   */
  async quotaCycleStartDays(): Promise<number[]> {
    const startDays = await this.#db()
      .selectFrom('plans')
      .select('cycle_start_day')
      .distinct()
      .where('quota_bytes', 'is not', null)
      .where('cycle_start_day', '<>', 1)
      .execute();
    return startDays.map((row) => Number(row.cycle_start_day));
  }

  /**
   * A few cards by id (the dashboard lists' ten or twenty) with their tenant, tags and this
   * month's bytes: three statements whatever their number. Unknown ids are absent.
   */
  async cardsWithScope(ids: readonly number[], month: string): Promise<CardWithScope[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const db = this.#db();
    // This month's bytes as the card list reckons them (services/access/access-cards.ts).
    const rows = await db
      .selectFrom('cards')
      .selectAll('cards')
      .select(
        sql<number | null>`coalesce(
        (select um.bytes from usage_monthly um where um.card_id = cards.id and um.month = ${month}),
        (select sum(ud.bytes) from usage_daily ud where ud.card_id = cards.id
          and ud.date >= ${`${month}-01`} and ud.date <= ${`${month}-31`}))`.as('usage_this_month'),
      )
      .where('cards.id', 'in', unique)
      .execute();
    const tenants = await db
      .selectFrom('card_tenants')
      .select(['card_id', 'tenant_id'])
      .where('card_id', 'in', unique)
      .execute();
    const tenantOf = new Map(tenants.map((row) => [Number(row.card_id), row.tenant_id]));
    const tags = await db
      .selectFrom('card_tags')
      .select(['card_id', 'tag'])
      .where('card_id', 'in', unique)
      .orderBy('tag')
      .execute();
    return rows.map((row) => {
      const id = Number(row.id);
      return {
        card: toStoredCard(row),
        tenant: tenantOf.get(id) ?? null,
        tags: tags.filter((tag) => Number(tag.card_id) === id).map((tag) => tag.tag),
        usageThisMonth: numberOrNull(row.usage_this_month),
      };
    });
  }
}
