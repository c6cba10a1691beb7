import { addDays, cstMonth, cstToday } from '../../../domain/index.js';
import type { ScopedCardView } from '../../../services/access/access-cards.js';
import type { Principal } from '../../../services/access/access-roles.js';
import { cardView } from '../../../services/inventory/cards.js';
import type { FleetFigures, Store } from '../../../store/index.js';

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
  /** The share of the quota from which a card is "near" it (80); the kept levels are 80 and 100. */
  nearPercent?: 80 | 100;
  /** Cards expiring from today to this many days ahead count as "expiring soon" (30). */
  expiryDays?: number;
  /** How many cards each list shows (10). */
  limit?: number;
  /** The kept figures of the caller for this cycle, when already read. */
  figures?: FleetFigures;
}

/**
 * Quota use, the cards nearest their quota and the cards expiring soon, over the cards the
 * caller may see, from the figures kept as data arrives (store `fleetStats`, migrations 0015,
 * 0029 and 0031): totals from the kept counts, the near-quota list from the usage order's quota
 * index, the expiry list from the expiry index (first `limit` only).
 *
 * A card's usage this cycle is of its plan's cycle: on a plan cycling from the 1st, the
 * supplier's month figure, else the sum of its known days (the card list's `usageThisMonth`, so
 * the two agree); on a plan cycling from another day, the sum of its known days in the plan
 * cycle containing today. Unknown stays unknown.
 */
export async function planStats(
  store: Store,
  caller: Principal,
  now: number,
  options: PlanStatsOptions = {},
): Promise<PlanStats> {
  const nearPercent = options.nearPercent ?? 80;
  const limit = options.limit ?? 10;
  const at = { cycle: cstMonth(now), today: cstToday(now) };
  const to = addDays(at.today, options.expiryDays ?? 30);
  const figures = options.figures ?? (await store.fleetStats.figures(caller, at));
  const expiringSoon = await store.cardStats.expiringFirst(caller, { from: at.today, to, limit });
  const expiringSoonTotal =
    options.expiryDays === undefined || options.expiryDays === 30
      ? figures.expiring.within30Days
      : (await store.cardStats.expiringPlans(caller, { from: at.today, to, limit: 1 })).total;

  const planName = new Map(
    (await store.cardStats.quotaPlans()).map((plan) => [plan.id, plan.name]),
  );
  const kept = await store.fleetStats.quotaUse(caller, {
    at,
    minPermille: nearPercent * 10,
    limit,
  });
  const nearQuota: NearQuotaCard[] = kept.map((row) => ({
    cardId: row.cardId,
    plan: planName.get(row.planId) ?? '',
    usedBytes: row.bytes,
    quotaBytes: row.quotaBytes,
    percent: Math.round((row.bytes / row.quotaBytes) * 10_000) / 100,
  }));
  const { quota } = figures;
  return {
    quota: {
      usedBytes: quota.usedBytes,
      quotaBytes: quota.quotaBytes,
      cards: quota.cards,
      cardsWithUsage: quota.cardsWithUsage,
    },
    nearQuota,
    nearQuotaTotal: nearPercent === 100 ? quota.atOrOver100 : quota.atOrOver80,
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
