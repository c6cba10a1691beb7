import { addDays, addMonths, cstMonth, cstToday } from '../../domain/index.js';
import type { RuleThresholds } from '../../domain/rules-model.js';
import type { StoredCard } from '../../store/index.js';
import { CycleResolver } from '../billing/card-cycles.js';
import type { ServiceContext } from '../context.js';
import { billingCycleOf } from '../plans/plans-cycle.js';
import { cardCycleStartDay, ruleCovers } from '../rules/rules-findings.js';
import { cycleUsageBytes, loadUsage } from '../rules/rules-usage.js';
import type { SliceNeed } from './sync-phases.js';

/** A card at this share of its plan's quota, or of a usage rule's threshold, is polled first. */
export const NEAR_SHARE = 0.8;
/** Days of daily usage loaded to add up a cycle (the longest cycle, and a margin). */
const CYCLE_DAYS = 40;

/**
 * Which of `cards` a one-card-per-call need should ask before the others: cards at 80 % or
 * more of their plan's quota, cards at 80 % or more of the threshold of an enabled usage rule
 * covering them (a rule that may fire: its pause must act on a fresh status), and, for status,
 * cards covered by an enabled status-change rule (a change there raises an alert).
 */
export async function urgentCards(
  context: ServiceContext,
  need: SliceNeed,
  cards: readonly StoredCard[],
): Promise<Set<number>> {
  const urgent = new Set<number>();
  if (cards.length === 0) return urgent;
  const { store } = context;
  const now = context.clock.now();
  const today = cstToday(now);
  const rules = (await store.rules.list({ enabled: true })).filter(
    (rule) => rule.kind === 'usage' || (need === 'status' && rule.kind === 'status_changed'),
  );
  const ids = cards.map((card) => card.id);
  const assignments = await store.plans.forCards(ids);
  const hasQuota = [...assignments.values()].some((entry) => entry.plan?.quotaBytes != null);
  if (!hasQuota && rules.length === 0) return urgent;
  const poolsOf = rules.some((rule) => rule.scope === 'pool')
    ? await store.pools.poolsOfCards(ids)
    : new Map<number, number[]>();
  const usage = await loadUsage(store, ids, {
    fromDate: addDays(today, -CYCLE_DAYS),
    fromMonth: addMonths(cstMonth(now), -1),
  });
  const cycles = new CycleResolver(context, now);
  for (const card of cards) {
    const assignment = assignments.get(card.id);
    const plan = assignment?.plan ?? null;
    const covering = rules.filter((rule) => ruleCovers(rule, card, plan?.id ?? null, poolsOf));
    if (covering.some((rule) => rule.kind === 'status_changed')) {
      urgent.add(card.id);
      continue;
    }
    if (plan?.quotaBytes == null && covering.length === 0) continue;
    const cycleDay = await cycles.day(card.account);
    const cycle = billingCycleOf(today, cardCycleStartDay({ assignment, cycleDay }));
    const used = cycleUsageBytes(usage.get(card.id), cycle, today, cycleDay.supplierStartDay);
    if (used === null) continue;
    const limits = covering.map((rule) => {
      const thresholds = rule.thresholds as RuleThresholds['usage'];
      if (thresholds.bytes !== undefined) return thresholds.bytes;
      return plan?.quotaBytes == null
        ? null
        : (plan.quotaBytes * (thresholds.percent ?? 100)) / 100;
    });
    limits.push(plan?.quotaBytes ?? null);
    if (limits.some((limit) => limit !== null && used >= NEAR_SHARE * limit)) urgent.add(card.id);
  }
  return urgent;
}
