import { addDays, addMonths, cstMonth, cstToday } from '../../../domain/index.js';
import type { RuleThresholds, StoredRule } from '../../../domain/rules-model.js';
import type { Principal } from '../../../services/access/access-roles.js';
import { CycleResolver } from '../../../services/billing/card-cycles.js';
import type { ServiceContext } from '../../../services/context.js';
import { billingCycleOf } from '../../../services/plans/plans-cycle.js';
import { poolUsage } from '../../../services/pools/pools-usage.js';
import {
  type AlertCode,
  type AlertParams,
  alertCode,
} from '../../../services/rules/alert-codes.js';
import {
  anomalyFindings,
  cardUsageFinding,
  expiryFinding,
  type Finding,
  idleFinding,
  usageFinding,
} from '../../../services/rules/rules-findings.js';
import { loadCardEvents } from '../../../services/rules/rules-state.js';
import { loadUsage } from '../../../services/rules/rules-usage.js';
import type { StoredCard } from '../../../store/index.js';
import { PlansRepository } from '../../../store/repositories/plans-repository.js';
import { PoolsRepository } from '../../../store/repositories/pools-repository.js';

/** Cards one preview looks at, at most. */
export const PREVIEW_MAX_CARDS = 10_000;

/** Days of daily usage a preview loads: a cycle and the anomaly window, as the evaluation does. */
const USAGE_DAYS = 45;

export interface RulePreview {
  /** Cards the rule's scope covers (visible to the caller). */
  covered: number;
  /** Whether the scope covers more cards than a preview looks at. */
  truncated: boolean;
  /** The covered cards whose condition holds now, with what the alert would say. */
  matches: {
    cardId: number;
    iccid: string | null;
    message: string;
    code: AlertCode;
    params: AlertParams;
  }[];
}

/**
 * What a rule (saved or not) would find now, with the findings the evaluation uses, but without
 * raising alerts or acting: the covered cards in the caller's subtree whose condition holds.
 */
export async function previewRule(
  context: ServiceContext,
  caller: Principal,
  rule: StoredRule,
): Promise<RulePreview> {
  const now = context.clock.now();
  const ids = await coveredCardIds(context, rule);
  const visible = await context.store.cardScope.visibleIds(caller, ids);
  const allowed = ids.filter((id) => visible.has(id));
  const truncated = allowed.length > PREVIEW_MAX_CARDS;
  const cards = await loadCards(context, allowed.slice(0, PREVIEW_MAX_CARDS));
  const matches: RulePreview['matches'] = [];
  const found = (card: StoredCard, findings: Finding[]) => {
    for (const finding of findings) {
      matches.push({
        cardId: card.id,
        iccid: card.iccid,
        message: finding.message,
        ...alertCode(rule.kind, finding.data),
      });
    }
  };
  if (rule.scope === 'pool' && rule.kind === 'usage') {
    const state = await poolUsage(context, Number(rule.targetId));
    const cycle = billingCycleOf(cstToday(now), state.cycle.startDay);
    const thresholds = rule.thresholds as RuleThresholds['usage'];
    const findings = usageFinding(thresholds, state.usedBytes, state.pool.quotaBytes, cycle);
    for (const card of cards) found(card, findings);
    return { covered: allowed.length, truncated, matches };
  }
  const today = cstToday(now);
  const cardIds = cards.map((card) => card.id);
  const assignments = await new PlansRepository(context.store).forCards(cardIds);
  const usage = await loadUsage(context.store, cardIds, {
    fromDate: addDays(today, -USAGE_DAYS),
    fromMonth: addMonths(cstMonth(now), -1),
  });
  const events = await loadCardEvents(context.store, cards, [rule], now);
  const cycles = new CycleResolver(context, now);
  for (const card of cards) {
    const facts = {
      card,
      assignment: assignments.get(card.id),
      usage: usage.get(card.id),
      today,
      now,
      cycleDay: await cycles.day(card.account),
    };
    switch (rule.kind) {
      case 'usage':
        found(card, cardUsageFinding(rule.thresholds as RuleThresholds['usage'], facts));
        break;
      case 'anomaly':
        found(card, anomalyFindings(rule.thresholds as RuleThresholds['anomaly'], facts));
        break;
      case 'idle':
        found(card, idleFinding(rule.thresholds as RuleThresholds['idle'], facts));
        break;
      case 'expiry':
        found(card, expiryFinding(rule.thresholds as RuleThresholds['expiry'], facts));
        break;
      case 'imei_changed':
        found(card, events.imeiChanges(card));
        break;
      case 'status_changed':
        found(
          card,
          events.statusChanges(
            card,
            rule.createdAt,
            (rule.thresholds as RuleThresholds['status_changed']).to,
          ),
        );
        break;
    }
  }
  return { covered: allowed.length, truncated, matches };
}

/** The ids of the cards a rule's scope covers. */
async function coveredCardIds(context: ServiceContext, rule: StoredRule): Promise<number[]> {
  const numeric = Number(rule.targetId);
  switch (rule.scope) {
    case 'card':
      return [numeric];
    case 'plan':
      return new PlansRepository(context.store).cardIds(numeric);
    case 'pool':
      return new PoolsRepository(context.store).cardIds(numeric);
    case 'account':
      return context.store.cards.idsOfAccount(rule.targetId, PREVIEW_MAX_CARDS + 1);
  }
}

async function loadCards(context: ServiceContext, ids: number[]): Promise<StoredCard[]> {
  const cards: StoredCard[] = [];
  for (const id of ids) {
    const card = await context.store.cards.get(id);
    if (card) cards.push(card);
  }
  return cards;
}
