import { createHash } from 'node:crypto';
import { cstToday } from '../../domain/index.js';
import type { RuleKind, StoredRule } from '../../domain/rules-model.js';
import type { StoredCard } from '../../store/index.js';
import { AlertsRepository, type StoredAlert } from '../../store/repositories/alerts-repository.js';
import { EventOutbox, type EventType } from '../../store/repositories/event-outbox.js';
import type { ServiceContext } from '../context.js';
import { changeCardsStatus, sendCardsSms } from './rules-actions.js';
import type { Finding } from './rules-findings.js';

/** What one evaluation of the rules did. */
export interface EvaluationSummary {
  rules: number;
  cards: number;
  /** Alerts raised by this evaluation (existing ones are not raised again). */
  alerts: StoredAlert[];
  /** Cards paused and resumed by rule actions. */
  paused: number[];
  resumed: number[];
  /** Actions that did not succeed, per card. */
  actionFailures: { alertId: number; cardId: number; action: string; reason: string }[];
}

/** A newly raised alert whose rule actions are still to run. */
export interface PendingAlert {
  rule: StoredRule;
  alert: StoredAlert;
  finding: Finding;
  /** The cards the actions apply to (a pool alert: the pool's members). */
  cards: StoredCard[];
}

/** The outbox event each kind emits for the `webhook` action. */
const EVENT_OF_KIND: Record<RuleKind, EventType> = {
  usage: 'usage.threshold_crossed',
  anomaly: 'usage.anomaly',
  status_changed: 'card.status_changed',
  idle: 'alert.raised',
  expiry: 'alert.raised',
  imei_changed: 'alert.raised',
};

/** Raises alerts once and runs their rules' actions: pause, SMS, webhook event. */
export class RuleActionRunner {
  readonly #context: ServiceContext;
  readonly #actor: string;
  readonly #alerts: AlertsRepository;
  readonly #outbox: EventOutbox;

  constructor(context: ServiceContext, actor: string) {
    this.#context = context;
    this.#actor = actor;
    const now = () => context.clock.now();
    this.#alerts = new AlertsRepository(context.store, now);
    this.#outbox = new EventOutbox(context.store, now);
  }

  /** Records the alert; returns it for its actions when it is new, null when it existed. */
  async raise(
    rule: StoredRule,
    finding: Finding,
    subject: { card?: StoredCard; poolId?: number; account?: string | null; cards: StoredCard[] },
  ): Promise<PendingAlert | null> {
    const card = subject.card ?? null;
    const who = card ? `card:${card.id}` : `pool:${subject.poolId}`;
    const label = card ? (card.iccid ?? card.msisdn ?? card.imsi ?? `card ${card.id}`) : '';
    const { alert, created } = await this.#alerts.raise({
      ruleId: rule.id,
      cardId: card?.id ?? null,
      poolId: subject.poolId ?? null,
      account: card?.account ?? subject.account ?? null,
      cycle: finding.cycle,
      dedupeKey: `rule:${rule.id}:${who}:${finding.cycle}`,
      source: 'rule',
      kind: rule.kind,
      severity: rule.severity,
      message: card ? `${label} ${finding.message}` : finding.message,
      data: { ...finding.data, ruleName: rule.name },
    });
    return created ? { rule, alert, finding, cards: subject.cards } : null;
  }

  /** Runs the actions of new alerts, grouped per rule so pauses go out in supplier batches. */
  async act(pending: readonly PendingAlert[], summary: EvaluationSummary): Promise<void> {
    const byRule = new Map<number, PendingAlert[]>();
    for (const item of pending) {
      summary.alerts.push(item.alert);
      byRule.set(item.rule.id, [...(byRule.get(item.rule.id) ?? []), item]);
    }
    for (const items of byRule.values()) {
      const rule = items[0]!.rule;
      const outcomes = new Map<number, Record<string, unknown>>();
      const note = (alertId: number, action: string, value: unknown) => {
        outcomes.set(alertId, { ...(outcomes.get(alertId) ?? {}), [action]: value });
      };
      for (const action of rule.actions) {
        if (action.type === 'webhook') {
          for (const item of items) {
            await this.#outbox.emit([
              {
                type: EVENT_OF_KIND[rule.kind],
                eventId: `alert:${item.alert.id}`,
                subject: item.cards.length === 1 ? (item.cards[0]!.iccid ?? null) : null,
                account: item.alert.account,
                cardId: item.alert.cardId,
                data: {
                  alertId: item.alert.id,
                  ruleId: rule.id,
                  kind: rule.kind,
                  severity: item.alert.severity,
                  message: item.alert.message,
                  cycle: item.alert.cycle,
                  ...item.finding.data,
                },
              },
            ]);
            note(item.alert.id, 'webhook', 'succeeded');
          }
          continue;
        }
        const alertOf = new Map<number, PendingAlert>();
        for (const item of items) for (const card of item.cards) alertOf.set(card.id, item);
        const cards = [
          ...new Map(items.flatMap((item) => item.cards.map((card) => [card.id, card]))).values(),
        ];
        const audit = { actor: this.#actor, details: { ruleId: rule.id } };
        const results =
          action.type === 'pause'
            ? await changeCardsStatus(this.#context, cards, 'pause', audit)
            : await sendCardsSms(
                this.#context,
                cards,
                action.text,
                (card) => idempotencyKey(`${alertOf.get(card.id)!.alert.dedupeKey}:${card.id}`),
                audit,
              );
        for (const result of results) {
          const item = alertOf.get(result.cardId)!;
          note(item.alert.id, action.type, {
            ...((outcomes.get(item.alert.id)?.[action.type] as object) ?? {}),
            [result.cardId]: result.reason ? `${result.outcome}: ${result.reason}` : result.outcome,
          });
          if (result.outcome === 'failed') {
            summary.actionFailures.push({
              alertId: item.alert.id,
              cardId: result.cardId,
              action: action.type,
              reason: result.reason ?? 'failed',
            });
          }
          if (action.type === 'pause' && result.outcome === 'succeeded') {
            summary.paused.push(result.cardId);
            await this.#recordPause(rule, item, result.cardId);
          }
        }
      }
      for (const [alertId, data] of outcomes)
        await this.#alerts.addData(alertId, { actions: data });
    }
  }

  async #recordPause(rule: StoredRule, item: PendingAlert, cardId: number): Promise<void> {
    const resume =
      'resumeNextCycle' in rule.thresholds && rule.thresholds.resumeNextCycle
        ? (item.finding.nextCycleStart ?? null)
        : null;
    await this.#context.store.rulePauses.record({
      ruleId: rule.id,
      cardId,
      cycle: item.alert.cycle,
      resumeOn: resume,
      pausedAt: this.#context.clock.now(),
    });
  }

  /**
   * Resumes the cards enabled rules paused with `resumeNextCycle` once their next cycle has
   * begun (CST). A card no longer suspended is left alone; a failed resume is tried again next
   * time.
   */
  async resumeDue(summary: EvaluationSummary): Promise<void> {
    const pauses = this.#context.store.rulePauses;
    const today = cstToday(this.#context.clock.now());
    const due = await pauses.due(today);
    if (due.length === 0) return;
    const cards = new Map<number, StoredCard>();
    for (const row of due) {
      const card = await this.#context.store.cards.get(row.cardId);
      if (card) cards.set(card.id, card);
    }
    const results = await changeCardsStatus(this.#context, [...cards.values()], 'resume', {
      actor: this.#actor,
      details: { reason: 'next cycle' },
    });
    const settled = new Set(
      results.filter((result) => result.outcome !== 'failed').map((result) => result.cardId),
    );
    for (const result of results) {
      if (result.outcome === 'succeeded') summary.resumed.push(result.cardId);
    }
    for (const row of due) {
      if (!settled.has(row.cardId)) continue;
      await pauses.markResumed(row.id, this.#context.clock.now());
    }
  }
}

/** A short stable key for a supplier's SMS deduplication. */
function idempotencyKey(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
