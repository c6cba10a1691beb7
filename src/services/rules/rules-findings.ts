import {
  addDays,
  type CstDate,
  daysBetween,
  formatBytes,
  lastCompleteDays,
} from '../../domain/index.js';
import type { RuleThresholds, StoredRule } from '../../domain/rules-model.js';
import type { StoredCard } from '../../store/index.js';
import type { CardPlanAssignment } from '../../store/repositories/plans-repository.js';
import type { AccountCycleDay } from '../billing/card-cycles.js';
import { billingCycleOf } from '../plans/plans-cycle.js';
import { type CardUsage, cycleUsageBytes, median } from './rules-usage.js';

/** A rule's condition met by one card (or pool): what the alert says. */
export interface Finding {
  /** The cycle, day or event key: one alert per rule, subject and this key. */
  cycle: string;
  message: string;
  data: Record<string, unknown>;
  /** For usage rules: the CST date the next cycle starts (when a pause may be lifted). */
  nextCycleStart?: CstDate;
}

/** What a card-level evaluation sees of one card. */
export interface CardFacts {
  card: StoredCard;
  assignment: CardPlanAssignment | undefined;
  usage: CardUsage | undefined;
  today: CstDate;
  now: number;
  /** The card's account billing cycle; absent = the calendar month. */
  cycleDay?: AccountCycleDay;
}

/**
 * The day a card's usage cycle starts: its plan's, when the plan names another day than 1, else
 * the card's own billing cycle (its supplier's or account's; the calendar month for most).
 */
export function cardCycleStartDay(facts: Pick<CardFacts, 'assignment' | 'cycleDay'>): number {
  const planDay = facts.assignment?.plan?.cycleStartDay ?? 1;
  return planDay !== 1 ? planDay : (facts.cycleDay?.startDay ?? 1);
}

/** The share of `total` that `part` is, in percent with two decimals. */
function percentOf(part: number, total: number): number {
  return Math.round((part / total) * 10_000) / 100;
}

/**
 * Usage this cycle at or over a line: `bytes`, or `percent` of a quota (the card's plan, or the
 * pool's for pool rules). Unknown usage or an unknown quota never fires.
 */
export function usageFinding(
  thresholds: RuleThresholds['usage'],
  used: number | null,
  quota: number | null,
  cycle: ReturnType<typeof billingCycleOf>,
): Finding[] {
  if (used === null) return [];
  const limit =
    thresholds.bytes ?? (quota !== null && quota > 0 ? (quota * thresholds.percent!) / 100 : null);
  if (limit === null || used < limit) return [];
  const line =
    thresholds.bytes !== undefined
      ? formatBytes(thresholds.bytes)
      : `${thresholds.percent} % of ${formatBytes(quota)}`;
  return [
    {
      cycle: cycle.key,
      message: `used ${formatBytes(used)} this cycle (${cycle.start} to ${cycle.end}), at or over ${line}`,
      data: {
        usedBytes: used,
        limitBytes: Math.ceil(limit),
        quotaBytes: quota,
        percentUsed: quota ? percentOf(used, quota) : null,
        cycleStart: cycle.start,
        cycleEnd: cycle.end,
      },
      nextCycleStart: addDays(cycle.end, 1),
    },
  ];
}

/** A card's usage rule: its plan's cycle and quota. */
export function cardUsageFinding(thresholds: RuleThresholds['usage'], facts: CardFacts): Finding[] {
  const plan = facts.assignment?.plan ?? null;
  const cycle = billingCycleOf(facts.today, cardCycleStartDay(facts));
  const used = cycleUsageBytes(
    facts.usage,
    cycle,
    facts.today,
    facts.cycleDay?.supplierStartDay ?? 1,
  );
  return usageFinding(thresholds, used, plan?.quotaBytes ?? null, cycle);
}

/**
 * Each of the last 7 complete CST days whose usage is above `factor` × the median of the 7 days
 * before it. All 7 trailing days must be known (a missing day is unknown, not 0) and their
 * median above 0 (no baseline, no anomaly).
 */
export function anomalyFindings(
  thresholds: RuleThresholds['anomaly'],
  facts: CardFacts,
): Finding[] {
  const daily = facts.usage?.daily;
  if (!daily) return [];
  const findings: Finding[] = [];
  for (const date of lastCompleteDays(7, facts.now)) {
    const bytes = daily.get(date);
    if (bytes === undefined || bytes < (thresholds.minBytes ?? 0)) continue;
    const trailing: number[] = [];
    for (let back = 7; back >= 1; back -= 1) {
      const value = daily.get(addDays(date, -back));
      if (value !== undefined) trailing.push(value);
    }
    if (trailing.length < 7) continue;
    const baseline = median(trailing);
    if (baseline <= 0 || bytes <= thresholds.factor * baseline) continue;
    findings.push({
      cycle: date,
      message: `used ${formatBytes(bytes)} on ${date}, ${Math.round((bytes / baseline) * 10) / 10} × its 7-day median of ${formatBytes(Math.round(baseline))}`,
      data: { date, bytes, medianBytes: baseline, factor: thresholds.factor },
    });
  }
  return findings;
}

/** An active card with known zero usage on each of the last `days` complete CST days. */
export function idleFinding(thresholds: RuleThresholds['idle'], facts: CardFacts): Finding[] {
  if (facts.card.status !== 'active') return [];
  const days = lastCompleteDays(thresholds.days, facts.now);
  if (!days.every((date) => facts.usage?.daily.get(date) === 0)) return [];
  const cycle = billingCycleOf(facts.today, cardCycleStartDay(facts));
  return [
    {
      cycle: cycle.key,
      message: `active with no usage for ${thresholds.days} days (${days[0]} to ${days.at(-1)})`,
      data: { days: thresholds.days, from: days[0], to: days.at(-1) },
    },
  ];
}

/** A card whose known expiry date is `days` days away or fewer (or past). */
export function expiryFinding(thresholds: RuleThresholds['expiry'], facts: CardFacts): Finding[] {
  const expiresOn = facts.assignment?.expiresOn ?? null;
  if (expiresOn === null) return [];
  const daysLeft = daysBetween(facts.today, expiresOn);
  if (daysLeft > thresholds.days) return [];
  return [
    {
      cycle: `expires:${expiresOn}`,
      message:
        daysLeft < 0
          ? `expired on ${expiresOn}`
          : `expires on ${expiresOn} (in ${daysLeft} day${daysLeft === 1 ? '' : 's'})`,
      data: { expiresOn, daysLeft },
    },
  ];
}

/** Whether a rule's scope covers a card (the rules' evaluation and the sync's urgency). */
export function ruleCovers(
  rule: StoredRule,
  card: StoredCard,
  planId: number | null,
  poolsOf: Map<number, number[]>,
): boolean {
  switch (rule.scope) {
    case 'card':
      return String(card.id) === rule.targetId;
    case 'account':
      return card.account === rule.targetId;
    case 'plan':
      return planId !== null && String(planId) === rule.targetId;
    case 'pool':
      return (poolsOf.get(card.id) ?? []).some((id) => String(id) === rule.targetId);
  }
}
