import { SimdockError } from '../../domain/index.js';
import type { StoredCard } from '../../store/index.js';
import { type CardRef, chunk, type LifecycleAction } from '../../suppliers/spec/index.js';
import type { ServiceContext } from '../context.js';
import { LifecycleCooldown } from '../limits/lifecycle-cooldown.js';

/** What an action did to one card. */
export interface ActionOutcome {
  cardId: number;
  outcome: 'succeeded' | 'failed' | 'skipped';
  /** The error code or skip reason; null on success. */
  reason: string | null;
}

function refOf(card: StoredCard): CardRef {
  return { key: String(card.id), iccid: card.iccid, msisdn: card.msisdn, imsi: card.imsi };
}

function byAccount(cards: readonly StoredCard[]): Map<string, StoredCard[]> {
  const groups = new Map<string, StoredCard[]>();
  for (const card of cards) groups.set(card.account, [...(groups.get(card.account) ?? []), card]);
  return groups;
}

function failure(error: unknown): string {
  return SimdockError.isInstance(error) ? error.code : 'internal';
}

/**
 * Pauses or resumes cards through each account's adapter, in the supplier's lifecycle batch
 * size, storing the status the supplier answers and auditing every card (who, what, outcome).
 * Cards already in the target state are skipped, so a retried action changes nothing twice.
 */
export async function changeCardsStatus(
  context: ServiceContext,
  cards: readonly StoredCard[],
  action: Extract<LifecycleAction, 'pause' | 'resume'>,
  audit: { actor: string; details: Record<string, unknown> },
): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  const from = action === 'pause' ? 'active' : 'suspended';
  for (const [account, group] of byAccount(cards)) {
    const due = group.filter((card) => card.status === from);
    for (const card of group) {
      if (card.status !== from) {
        outcomes.push({ cardId: card.id, outcome: 'skipped', reason: `card is ${card.status}` });
      }
    }
    if (due.length === 0) continue;
    const settle: ActionOutcome[] = [];
    try {
      const adapter = await context.adapter(account);
      if (
        !adapter.capabilities.has('lifecycle') ||
        !adapter.doChangeStatus ||
        !(adapter.limits.lifecycleActions ?? []).includes(action)
      ) {
        throw new SimdockError('unsupported', `${adapter.supplier} cannot ${action} cards`);
      }
      // A card inside its supplier's cooldown after simdock's last change of it is refused
      // with `cooldown` before any call (the next evaluation tries again).
      const cooldown = new LifecycleCooldown(context, adapter);
      const cooling = await cooldown.coolingUntil(due.map((card) => card.id));
      for (const cardId of cooling.keys()) {
        settle.push({ cardId, outcome: 'failed', reason: 'cooldown' });
      }
      const ready = due.filter((card) => !cooling.has(card.id));
      const size = adapter.limits.batchSize.lifecycle ?? 1;
      for (const batch of chunk(ready, size)) {
        try {
          const result = await adapter.doChangeStatus({ action, cards: batch.map(refOf) });
          const statuses = [];
          for (const item of result.items) {
            if (item.ok) {
              statuses.push({
                id: Number(item.key),
                status: item.value.status,
                statusRaw: item.value.raw,
              });
              settle.push({ cardId: Number(item.key), outcome: 'succeeded', reason: null });
            } else {
              settle.push({ cardId: Number(item.key), outcome: 'failed', reason: item.error.code });
            }
          }
          await cooldown.record(
            statuses.map((status) => status.id),
            action,
          );
          if (statuses.length)
            await context.store.cards.updateStatuses(statuses, `rules:${action}`);
        } catch (error) {
          for (const card of batch)
            settle.push({ cardId: card.id, outcome: 'failed', reason: failure(error) });
        }
      }
    } catch (error) {
      for (const card of due)
        settle.push({ cardId: card.id, outcome: 'failed', reason: failure(error) });
    }
    for (const outcome of settle) {
      await context.store.audit.record({
        actor: audit.actor,
        action,
        targetType: 'card',
        targetId: String(outcome.cardId),
        account,
        outcome: outcome.outcome,
        details: { ...audit.details, ...(outcome.reason ? { reason: outcome.reason } : {}) },
      });
    }
    outcomes.push(...settle);
  }
  return outcomes;
}

/**
 * Sends one text to each card through its account's adapter; `idempotencyKey(card)` makes a
 * retried send reuse the same key (suppliers that deduplicate deliver it once).
 */
export async function sendCardsSms(
  context: ServiceContext,
  cards: readonly StoredCard[],
  text: string,
  idempotencyKey: (card: StoredCard) => string,
  audit: { actor: string; details: Record<string, unknown> },
): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  for (const [account, group] of byAccount(cards)) {
    const settle: ActionOutcome[] = [];
    try {
      const adapter = await context.adapter(account);
      if (!adapter.capabilities.has('sms.send') || !adapter.doSendSms) {
        throw new SimdockError('unsupported', `${adapter.supplier} cannot send SMS`);
      }
      for (const batch of chunk(group, adapter.limits.batchSize['sms.send'] ?? 1)) {
        try {
          const result = await adapter.doSendSms({
            text,
            cards: batch.map(refOf),
            idempotencyKeys: Object.fromEntries(
              batch.map((card) => [String(card.id), idempotencyKey(card)]),
            ),
          });
          for (const item of result.items) {
            settle.push({
              cardId: Number(item.key),
              outcome: item.ok ? 'succeeded' : 'failed',
              reason: item.ok ? null : item.error.code,
            });
          }
        } catch (error) {
          for (const card of batch)
            settle.push({ cardId: card.id, outcome: 'failed', reason: failure(error) });
        }
      }
    } catch (error) {
      for (const card of group)
        settle.push({ cardId: card.id, outcome: 'failed', reason: failure(error) });
    }
    for (const outcome of settle) {
      await context.store.audit.record({
        actor: audit.actor,
        action: 'sms.send',
        targetType: 'card',
        targetId: String(outcome.cardId),
        account,
        outcome: outcome.outcome,
        details: { ...audit.details, ...(outcome.reason ? { reason: outcome.reason } : {}) },
      });
    }
    outcomes.push(...settle);
  }
  return outcomes;
}
