import { cstToday, daysBetween } from '../../domain/index.js';
import { PlansRepository } from '../../store/repositories/plans-repository.js';
import type { ServiceContext } from '../context.js';
import { billingCycleOf } from './plans-cycle.js';

/** A card's plan as an operator reads it: plan, quota use this cycle, the cycle, and expiry. */
export interface CardPlanView {
  plan: { id: number; name: string; quotaBytes: number | null; cycleStartDay: number } | null;
  /** The billing cycle containing today (CST dates, both ends included); null without a plan. */
  cycle: { start: string; end: string; daysLeft: number } | null;
  /** Bytes used this cycle; null when unknown or without a plan. */
  usedBytes: number | null;
  /** Used as a share of the quota (100 = all of it), one decimal; null without a quota. */
  percent: number | null;
  /** CST date the card's service ends; null when unknown. */
  expiresOn: string | null;
  /** Days from today to the expiry date (0 = today, negative = expired); null when unknown. */
  daysLeft: number | null;
}

/**
 * The plan view of one card. Usage this cycle: on a calendar-month plan, the card's figure for the
 * month (`usageThisMonth`, as the card list and the dashboard count it); on a cycle from another
 * day, the sum of its known days from the cycle's first day to today. Unknown stays null.
 */
export async function cardPlan(
  context: ServiceContext,
  card: { id: number; usageThisMonth: number | null },
): Promise<CardPlanView> {
  const today = cstToday(context.clock.now());
  const assignment = (await new PlansRepository(context.store).forCards([card.id])).get(card.id);
  const expiresOn = assignment?.expiresOn ?? null;
  const daysLeft = expiresOn === null ? null : daysBetween(today, expiresOn);
  const plan = assignment?.plan ?? null;
  if (plan === null) {
    return { plan: null, cycle: null, usedBytes: null, percent: null, expiresOn, daysLeft };
  }
  const cycle = billingCycleOf(today, plan.cycleStartDay);
  let usedBytes: number | null;
  if (cycle.calendarMonth) {
    usedBytes = card.usageThisMonth;
  } else {
    const days = await context.store.usage.daily(card.id, { from: cycle.start, to: today });
    usedBytes = days.length === 0 ? null : days.reduce((sum, day) => sum + day.bytes, 0);
  }
  const percent =
    usedBytes === null || plan.quotaBytes === null
      ? null
      : Math.round((usedBytes / plan.quotaBytes) * 1000) / 10;
  return {
    plan: {
      id: plan.id,
      name: plan.name,
      quotaBytes: plan.quotaBytes,
      cycleStartDay: plan.cycleStartDay,
    },
    cycle: { start: cycle.start, end: cycle.end, daysLeft: daysBetween(today, cycle.end) },
    usedBytes,
    percent,
    expiresOn,
    daysLeft,
  };
}
