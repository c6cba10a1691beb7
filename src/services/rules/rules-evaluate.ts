import { addDays, addMonths, cstMonth, cstToday } from '../../domain/index.js';
import type { RuleThresholds, StoredRule } from '../../domain/rules-model.js';
import type { StoredCard } from '../../store/index.js';
import { PlansRepository } from '../../store/repositories/plans-repository.js';
import { PoolsRepository } from '../../store/repositories/pools-repository.js';
import { RulesRepository } from '../../store/repositories/rules-repository.js';
import { type AccountCycleDay, CycleResolver } from '../billing/card-cycles.js';
import type { ServiceContext } from '../context.js';
import { billingCycleOf } from '../plans/plans-cycle.js';
import { poolUsage } from '../pools/pools-usage.js';
import { type EvaluationSummary, type PendingAlert, RuleActionRunner } from './rules-dispatch.js';
import {
  anomalyFindings,
  type CardFacts,
  cardUsageFinding,
  expiryFinding,
  type Finding,
  idleFinding,
  ruleCovers,
  usageFinding,
} from './rules-findings.js';
import { type CardEvents, loadCardEvents, recordImeis } from './rules-state.js';
import { loadUsage } from './rules-usage.js';

export type { EvaluationSummary } from './rules-dispatch.js';

/** Cards evaluated together. */
const PAGE = 1000;
/** Days of daily usage loaded: a cycle (≤ 31 days) and the anomaly window (14 days). */
const USAGE_DAYS = 45;

export interface EvaluateRulesOptions {
  /** The cards whose usage, status or identities changed. */
  cardIds?: readonly number[];
  /** Every card of this account (when `cardIds` is absent); neither: every card. */
  account?: string;
  /** Who the actions are audited as (default `rules`). */
  actor?: string;
}

/**
 * Evaluates the enabled rules on cards (after a sync: the cards it changed). Each rule raises at
 * most one alert per card (pool rules: per pool), rule and cycle, and only a newly raised alert
 * runs the rule's actions, so repeated evaluations never pause, text or emit twice. Pauses a
 * rule made with `resumeNextCycle` are lifted once the next cycle has begun.
 */
export async function evaluateRules(
  context: ServiceContext,
  options: EvaluateRulesOptions = {},
): Promise<EvaluationSummary> {
  const now = () => context.clock.now();
  const rules = await new RulesRepository(context.store, now).list({ enabled: true });
  const runner = new RuleActionRunner(context, options.actor ?? 'rules');
  const summary: EvaluationSummary = {
    rules: rules.length,
    cards: 0,
    alerts: [],
    paused: [],
    resumed: [],
    actionFailures: [],
  };
  if (rules.length === 0) return summary;
  const plans = new PlansRepository(context.store, now);
  const pools = new PoolsRepository(context.store, now);
  const poolUsageRules = rules.filter((rule) => rule.scope === 'pool' && rule.kind === 'usage');
  const cardRules = rules.filter((rule) => !poolUsageRules.includes(rule));
  const wantsPools = rules.some((rule) => rule.scope === 'pool');
  const touchedPools = new Set<number>();

  const cycles = new CycleResolver(context);
  for await (const cards of cardPages(context, options)) {
    summary.cards += cards.length;
    const instant = context.clock.now();
    const today = cstToday(instant);
    const ids = cards.map((card) => card.id);
    const assignments = await plans.forCards(ids);
    const poolsOf = wantsPools ? await pools.poolsOfCards(ids) : new Map<number, number[]>();
    for (const list of poolsOf.values()) for (const id of list) touchedPools.add(id);
    const usage = await loadUsage(context.store, ids, {
      fromDate: addDays(today, -USAGE_DAYS),
      fromMonth: addMonths(cstMonth(instant), -1),
    });
    const events = await loadCardEvents(context.store, cards, rules, instant);
    const cycleDays = new Map<string, AccountCycleDay>();
    for (const account of new Set(cards.map((card) => card.account))) {
      cycleDays.set(account, await cycles.day(account));
    }
    const pending: PendingAlert[] = [];
    for (const rule of cardRules) {
      for (const card of cards) {
        if (!ruleCovers(rule, card, assignments.get(card.id)?.plan?.id ?? null, poolsOf)) continue;
        const facts: CardFacts = {
          card,
          assignment: assignments.get(card.id),
          usage: usage.get(card.id),
          today,
          now: instant,
          cycleDay: cycleDays.get(card.account),
        };
        for (const finding of findingsOf(rule, facts, events)) {
          const raised = await runner.raise(rule, finding, { card, cards: [card] });
          if (raised) pending.push(raised);
        }
      }
    }
    await recordImeis(context.store, cards, events, instant);
    await runner.act(pending, summary);
  }

  const pending: PendingAlert[] = [];
  for (const rule of poolUsageRules) {
    const poolId = Number(rule.targetId);
    if (!touchedPools.has(poolId)) continue;
    const state = await poolUsage(context, poolId);
    const cycle = billingCycleOf(cstToday(context.clock.now()), state.cycle.startDay);
    const findings = usageFinding(
      rule.thresholds as RuleThresholds['usage'],
      state.usedBytes,
      state.pool.quotaBytes,
      cycle,
    );
    for (const finding of findings) {
      const members = await loadCards(context, await pools.cardIds(poolId));
      const raised = await runner.raise(
        rule,
        { ...finding, message: `pool ${state.pool.name} ${finding.message}` },
        { poolId, account: state.pool.account, cards: members },
      );
      if (raised) pending.push(raised);
    }
  }
  await runner.act(pending, summary);
  await runner.resumeDue(summary);
  return summary;
}

function findingsOf(rule: StoredRule, facts: CardFacts, events: CardEvents): Finding[] {
  switch (rule.kind) {
    case 'usage':
      return cardUsageFinding(rule.thresholds as RuleThresholds['usage'], facts);
    case 'anomaly':
      return anomalyFindings(rule.thresholds as RuleThresholds['anomaly'], facts);
    case 'idle':
      return idleFinding(rule.thresholds as RuleThresholds['idle'], facts);
    case 'expiry':
      return expiryFinding(rule.thresholds as RuleThresholds['expiry'], facts);
    case 'imei_changed':
      return events.imeiChanges(facts.card);
    case 'status_changed':
      return events.statusChanges(
        facts.card,
        rule.createdAt,
        (rule.thresholds as RuleThresholds['status_changed']).to,
      );
  }
}

/** The cards to evaluate, a page at a time. */
async function* cardPages(
  context: ServiceContext,
  options: EvaluateRulesOptions,
): AsyncGenerator<StoredCard[]> {
  if (options.cardIds) {
    const ids = [...new Set(options.cardIds)].sort((left, right) => left - right);
    for (let index = 0; index < ids.length; index += PAGE) {
      const cards = await loadCards(context, ids.slice(index, index + PAGE));
      if (cards.length) yield cards;
    }
    return;
  }
  let cursor: string | null = null;
  do {
    const page = await context.store.cards.list({
      limit: PAGE,
      cursor,
      ...(options.account !== undefined ? { account: options.account } : {}),
    });
    if (page.cards.length) yield page.cards;
    cursor = page.nextCursor;
  } while (cursor);
}

/** Cards by id (unknown ids are left out). */
async function loadCards(context: ServiceContext, ids: readonly number[]): Promise<StoredCard[]> {
  return [...(await context.store.cards.getMany(ids)).values()];
}
