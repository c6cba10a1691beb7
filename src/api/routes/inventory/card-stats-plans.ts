import { addDays, cstMonth, cstToday } from '../../../domain/index.js';
import type { ScopedCardView } from '../../../services/access/access-cards.js';
import type { Principal } from '../../../services/access/access-roles.js';
import { cardView } from '../../../services/inventory/cards.js';
import { billingCycleOf } from '../../../services/plans/plans-cycle.js';
import type { Store } from '../../../store/index.js';

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
  const expiring = await store.cardStats.expiringPlans(caller, {
    from: today,
    to: addDays(today, options.expiryDays ?? 30),
    limit,
  });
  const expiringSoon = expiring.cards;
  const expiringSoonTotal = expiring.total;

  // Plans are few: their distinct cycle start days give each its current cycle's first day.
  const startDays = await store.cardStats.quotaCycleStartDays();
  if (startDays.length === 0) {
    return {
      quota: { usedBytes: null, quotaBytes: null, cards: 0, cardsWithUsage: 0 },
      nearQuota: [],
      nearQuotaTotal: 0,
      expiringSoon,
      expiringSoonTotal,
    };
  }
  const rows = await store.cardStats.planUsage(caller, {
    cycleStarts: startDays.map((day) => ({ day, start: billingCycleOf(today, day).start })),
    month: cstMonth(now),
    today,
    nearPercent,
    limit,
  });
  const first = rows[0];
  return {
    quota: {
      usedBytes: first?.usedTotal ?? null,
      quotaBytes: first?.quotaTotal ?? null,
      cards: first?.cards ?? 0,
      cardsWithUsage: first?.cardsWithUsage ?? 0,
    },
    nearQuota: rows
      .filter((row) => row.used !== null && row.used * 100 >= row.quota * nearPercent)
      .map((row) => ({
        cardId: row.cardId,
        plan: row.plan,
        usedBytes: Number(row.used),
        quotaBytes: row.quota,
        percent: Math.round((Number(row.used) / row.quota) * 10_000) / 100,
      })),
    nearQuotaTotal: first?.nearTotal ?? 0,
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
  for (const { card, tenant, tags, usageThisMonth } of await store.cardStats.cardsWithScope(
    ids,
    cstMonth(now),
  )) {
    views.set(card.id, { ...cardView(card), tenant, tags, usageThisMonth });
  }
  return views;
}
