import { addDays, BYTES_PER_MB, cstToday } from '../../../domain/index.js';
import type { ServiceContext } from '../../../services/context.js';
import { PlansRepository, type StoredPlan } from '../../../store/repositories/plans-repository.js';

/**
 * The plan `simdock demo` puts its cards on: 1 GB per calendar month (CST), about twice what a
 * simulated card uses in a month, so late in a month a few of them come near it.
 */
export const DEMO_PLAN = { name: 'demo-1GB', quotaBytes: 1024 * BYTES_PER_MB, cycleStartDay: 1 };

/** Expiry dates of the demo cards fall on one of this many days, from today on. */
export const DEMO_EXPIRY_DAYS = 90;

/**
 * Puts the demo accounts' cards on the demo plan with expiry dates spread over the next 90 days,
 * so the dashboard's quota, near-quota and expiring panels have something to show. Idempotent:
 * the plan is created once, and only cards with no plan and no expiry yet are given them (a
 * re-run keeps the dates it gave before, and never overrides what an operator assigned).
 */
export async function seedDemoPlan(
  context: ServiceContext,
  accountIds: readonly string[],
): Promise<{ plan: StoredPlan; assigned: number }> {
  const plans = new PlansRepository(context.store, () => context.clock.now());
  const plan = (await plans.get(DEMO_PLAN.name)) ?? (await plans.create(DEMO_PLAN));
  if (accountIds.length === 0) return { plan, assigned: 0 };
  const ids = await plans.cardsWithoutPlan(accountIds);
  const today = cstToday(context.clock.now());
  // Card ids step through the days by 7 (prime to 90), so neighbouring cards expire weeks apart.
  const byDate = new Map<string, number[]>();
  for (const id of ids) {
    const date = addDays(today, (id * 7) % DEMO_EXPIRY_DAYS);
    const cardIds = byDate.get(date);
    if (cardIds) cardIds.push(id);
    else byDate.set(date, [id]);
  }
  for (const [expiresOn, cardIds] of byDate) {
    await plans.assign(cardIds, { planId: plan.id, expiresOn });
  }
  return { plan, assigned: ids.length };
}
