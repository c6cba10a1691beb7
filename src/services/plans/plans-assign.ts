import { addDays, cstToday, SimdockError } from '../../domain/index.js';
import {
  type PlanExpiry,
  PlansRepository,
  type StoredPlan,
} from '../../store/repositories/plans-repository.js';
import { planBulkSelection } from '../bulk/bulk-jobs.js';
import type { ServiceContext } from '../context.js';

/** Days ahead a plan's "expiring soon" count looks (the dashboard's 30). */
export const PLAN_EXPIRY_SOON_DAYS = 30;

/** A plan as the plans page shows it: quota, cycle, cards on it and their expiry dates. */
export interface PlanSummary {
  plan: StoredPlan;
  /** Cards on the plan, from the kept figures (never a scan of the cards). */
  cards: number;
  expiry: PlanExpiry;
}

/** Every plan with its card count and expiry dates (a handful of index reads per plan). */
export async function planSummaries(
  context: ServiceContext,
  only?: StoredPlan,
): Promise<PlanSummary[]> {
  const plans = new PlansRepository(context.store);
  const today = cstToday(context.clock.now());
  const soon = addDays(today, PLAN_EXPIRY_SOON_DAYS);
  const counts = await plans.cardCounts();
  const summaries: PlanSummary[] = [];
  for (const plan of only ? [only] : await plans.list()) {
    summaries.push({
      plan,
      cards: counts.get(plan.id) ?? 0,
      expiry: await plans.expiry(plan.id, today, soon),
    });
  }
  return summaries;
}

/** Which cards an assignment writes: ids, or every card matching a card filter. */
export type PlanCards = { cards: number[] } | { filter: string };

/**
 * Puts cards on a plan, with their expiry date when given (null clears it): the ids given, or
 * every card matching a card filter (`status=active AND account=cmcc`, the bulk jobs' grammar,
 * at most a bulk job's 100,000 cards). Returns the number of cards named, and how many of them
 * changed (those already on the plan with that date are left as they were).
 */
export async function assignPlanCards(
  context: ServiceContext,
  plan: StoredPlan,
  selection: PlanCards,
  expiresOn?: string | null,
): Promise<{ assigned: number; changed: number }> {
  let ids: number[];
  if ('filter' in selection) {
    const found = await planBulkSelection(context, { filter: selection.filter });
    ids = found.cards.map((card) => card.cardId);
    if (ids.length === 0) {
      throw new SimdockError('invalid_argument', `no card matches "${selection.filter}"`, {
        details: { filter: selection.filter },
      });
    }
  } else ids = selection.cards;
  const counted = await new PlansRepository(context.store, () =>
    context.clock.now(),
  ).assignCounting(ids, { planId: plan.id, ...(expiresOn !== undefined ? { expiresOn } : {}) });
  return { assigned: counted.named, changed: counted.changed };
}
