import { sql } from 'kysely';
import { addDays, cstMonth, cstToday } from '../../../domain/index.js';
import type { ScopedCardView } from '../../../services/access/access-cards.js';
import type { Principal } from '../../../services/access/access-roles.js';
import { cardView } from '../../../services/inventory/cards.js';
import { billingCycleOf } from '../../../services/plans/plans-cycle.js';
import { toStoredCard } from '../../../store/card-rows.js';
import type { Store } from '../../../store/index.js';
import { accessDb } from '../../../store/repositories/access-tables.js';
import { rulesDb } from '../../../store/repositories/rules-tables.js';
import { cardVisible } from '../route-scope.js';

/** Quota use this cycle over the caller's cards on a plan with a quota. */
export interface QuotaSummary {
  /** Bytes used this cycle by the cards whose usage is known; null when none is known. */
  usedBytes: number | null;
  /** The sum of those cards' plan quotas (every card on a plan with a quota); null: no such card. */
  quotaBytes: number | null;
  /** Cards on a plan with a quota. */
  cards: number;
  /** Of those, cards with usage known this cycle. */
  cardsWithUsage: number;
}

/** A card at or over `percent` of its plan's quota this cycle. */
export interface NearQuotaCard {
  cardId: number;
  plan: string;
  usedBytes: number;
  quotaBytes: number;
  /** Used as a share of the quota (100 = all of it), two decimals. */
  percent: number;
}

/** A card whose service ends soon. */
export interface ExpiringCard {
  cardId: number;
  /** CST `YYYY-MM-DD`. */
  expiresOn: string;
}

/** The plan figures of the dashboard. */
export interface PlanStats {
  quota: QuotaSummary;
  nearQuota: NearQuotaCard[];
  /** All cards at or over the line (the list shows the first `limit`). */
  nearQuotaTotal: number;
  expiringSoon: ExpiringCard[];
  /** All cards expiring within the window (the list shows the first `limit`). */
  expiringSoonTotal: number;
}

export interface PlanStatsOptions {
  /** The share of the quota from which a card is "near" it (80). */
  nearPercent?: number;
  /** Cards expiring from today to this many days ahead count as "expiring soon" (30). */
  expiryDays?: number;
  /** How many cards each list shows (10). */
  limit?: number;
}

/** Numbers come back as text from PostgreSQL's bigint and numeric aggregates. */
function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/**
 * Quota use, the cards nearest their quota and the cards expiring soon, over the cards the
 * caller may see. Each figure is one statement over the whole fleet (no per-card round trips):
 * the quota total and the near-quota list share one, whose window aggregates count every card
 * while the list keeps the first `limit`; the expiry list is another.
 *
 * A card's usage this cycle: for a calendar-month plan, the supplier's month figure, else the
 * sum of its known days (the card list's `usageThisMonth`, so the two agree); for a cycle from
 * another day, the sum of its known days from the cycle's first day to today. Unknown stays
 * unknown. (The rules take the larger of the month figure and the days, services/rules/rules-usage.ts;
 * here the cheaper figure keeps the statement to one index look-up per card at 1,000,000 cards
 * on calendar-month plans.)
 */
export async function planStats(
  store: Store,
  caller: Principal,
  now: number,
  options: PlanStatsOptions = {},
): Promise<PlanStats> {
  const nearPercent = options.nearPercent ?? 80;
  const limit = options.limit ?? 10;
  const today = cstToday(now);
  const db = rulesDb(store);
  const expiring = await db
    .selectFrom('card_plans as cp')
    .select(['cp.card_id', 'cp.expires_on', sql<number>`count(*) over ()`.as('total')])
    .where('cp.expires_on', '>=', today)
    .where('cp.expires_on', '<=', addDays(today, options.expiryDays ?? 30))
    .where(cardVisible(caller, 'cp.card_id'))
    .orderBy('cp.expires_on')
    .orderBy('cp.card_id')
    .limit(limit)
    .execute();
  const expiringSoon = expiring.map((row) => ({
    cardId: Number(row.card_id),
    expiresOn: row.expires_on as string,
  }));
  const expiringSoonTotal = Number(expiring[0]?.total ?? 0);

  // Plans are few: their distinct cycle start days give each its current cycle's first day.
  const startDays = await db
    .selectFrom('plans')
    .select('cycle_start_day')
    .distinct()
    .where('quota_bytes', 'is not', null)
    .execute();
  if (startDays.length === 0) {
    return {
      quota: { usedBytes: null, quotaBytes: null, cards: 0, cardsWithUsage: 0 },
      nearQuota: [],
      nearQuotaTotal: 0,
      expiringSoon,
      expiringSoonTotal,
    };
  }
  const cycleStart = sql<string>`case p.cycle_start_day ${sql.join(
    startDays.map((row) => {
      const day = Number(row.cycle_start_day);
      return sql`when ${day} then ${billingCycleOf(today, day).start}`;
    }),
    sql` `,
  )} end`;
  const month = cstMonth(now);
  const near = sql<boolean>`u.used * 100 >= u.quota * ${nearPercent}`;
  // Materialized, so each card's usage is looked up once, not once per mention of `used`.
  const rows = await db
    .with(
      (cte) => cte('plan_usage').materialized(),
      (query) =>
        query
          .selectFrom('card_plans as cp')
          .innerJoin('plans as p', 'p.id', 'cp.plan_id')
          .select([
            'cp.card_id',
            'p.name as plan',
            'p.quota_bytes as quota',
            // Coalesce evaluates lazily: a card with its month figure costs one index look-up.
            sql<number | null>`coalesce(
              case when p.cycle_start_day = 1 then (select um.bytes from usage_monthly um
                where um.card_id = cp.card_id and um.month = ${month}) end,
              (select sum(ud.bytes) from usage_daily ud where ud.card_id = cp.card_id
                and ud.date >= ${cycleStart} and ud.date <= ${today}))`.as('used'),
          ])
          .where('p.quota_bytes', 'is not', null)
          .where(cardVisible(caller, 'cp.card_id')),
    )
    .selectFrom('plan_usage as u')
    .select([
      'u.card_id',
      'u.plan',
      'u.quota',
      'u.used',
      sql<number>`count(*) over ()`.as('cards'),
      sql<number>`count(u.used) over ()`.as('cards_with_usage'),
      sql<number | null>`sum(u.used) over ()`.as('used_total'),
      sql<number>`sum(u.quota) over ()`.as('quota_total'),
      sql<number>`sum(case when ${near} then 1 else 0 end) over ()`.as('near_total'),
    ])
    .orderBy(sql`case when ${near} then u.used * 1.0 / u.quota else -1 end`, 'desc')
    .orderBy('u.card_id')
    .limit(limit)
    .execute();
  const first = rows[0];
  return {
    quota: {
      usedBytes: numberOrNull(first?.used_total),
      quotaBytes: numberOrNull(first?.quota_total),
      cards: Number(first?.cards ?? 0),
      cardsWithUsage: Number(first?.cards_with_usage ?? 0),
    },
    nearQuota: rows
      .filter(
        (row) => row.used !== null && Number(row.used) * 100 >= Number(row.quota) * nearPercent,
      )
      .map((row) => ({
        cardId: Number(row.card_id),
        plan: row.plan,
        usedBytes: Number(row.used),
        quotaBytes: Number(row.quota),
        percent: Math.round((Number(row.used) / Number(row.quota)) * 10_000) / 100,
      })),
    nearQuotaTotal: Number(first?.near_total ?? 0),
    expiringSoon,
    expiringSoonTotal,
  };
}

/**
 * The API view of a few cards (the dashboard lists' ten or twenty), by id: three statements
 * whatever their number. Ids the caller may not see must already be filtered out.
 */
export async function cardViewsById(
  store: Store,
  ids: readonly number[],
  now: number,
): Promise<Map<number, ScopedCardView>> {
  const views = new Map<number, ScopedCardView>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return views;
  const month = cstMonth(now);
  const db = accessDb(store);
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
  for (const row of rows) {
    const id = Number(row.id);
    views.set(id, {
      ...cardView(toStoredCard(row)),
      tenant: tenantOf.get(id) ?? null,
      tags: tags.filter((tag) => Number(tag.card_id) === id).map((tag) => tag.tag),
      usageThisMonth: numberOrNull(row.usage_this_month),
    });
  }
  return views;
}
