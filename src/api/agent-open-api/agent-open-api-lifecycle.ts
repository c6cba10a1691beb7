import { randomBytes } from 'node:crypto';
import type { CardStatus } from '../../domain/index.js';
import type { ServiceContext } from '../../services/context.js';
import { LifecycleCooldown } from '../../services/limits/lifecycle-cooldown.js';
import type { StoredCard } from '../../store/index.js';
import { AgentAppsRepository } from '../../store/repositories/agent-apps-repository.js';
import { EventOutbox } from '../../store/repositories/event-outbox.js';
import { AGENT_CODES, AGENT_RECORD_STATUS, formatAgentTime } from '../../suppliers/agent/index.js';
import {
  type AgentAnswer,
  type AgentRequestContext,
  fail,
  itemFail,
  ok,
  scopedBatch,
} from './agent-open-api-cards.js';
import { findScopedCards } from './agent-open-api-scope.js';

const CHANGE = {
  stop: { action: 'pause', from: 'active', to: 'suspended' },
  restore: { action: 'resume', from: 'suspended', to: 'active' },
} as const satisfies Record<string, { action: string; from: CardStatus; to: CardStatus }>;

/**
 * Batch stop / restore, served the way the platform serves them: accepted at once under a
 * `batchNo` with one operation record per card (processing), carried out in the background by
 * the card's own supplier account (`doChangeStatus`), and settled record by record (succeeded or
 * failed with the supplier's reason), so a caller follows the batch through its records.
 */
export class AgentLifecycle {
  readonly #context: ServiceContext;
  readonly #running = new Set<Promise<void>>();

  constructor(context: ServiceContext) {
    this.#context = context;
  }

  /** Resolves when every batch started so far has settled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  async change(type: 'stop' | 'restore', request: AgentRequestContext): Promise<AgentAnswer> {
    const change = CHANGE[type];
    const repository = new AgentAppsRepository(this.#context.store);
    const accepted: StoredCard[] = [];
    const answer = await scopedBatch(
      type === 'stop' ? 'batchStopCard' : 'batchRestoreCard',
      request,
      async (card) => {
        const busy = await repository.hasOperationRecord(card.id, AGENT_RECORD_STATUS.processing);
        if (busy) return itemFail(AGENT_CODES.cardStateForbids, '卡正在处理中');
        if (card.status !== change.from) {
          return itemFail(AGENT_CODES.cardStateForbids, '卡状态不允许操作');
        }
        accepted.push(card);
        return { iccid: card.iccid, simNo: card.msisdn };
      },
    );
    if (answer.code !== AGENT_CODES.success) return answer;
    const batchNo = `B${request.now}${randomBytes(3).toString('hex')}`;
    for (const card of accepted) {
      await repository.insertOperationRecord({
        app_id: request.scope.appId,
        tenant_id: request.scope.tenantId,
        batch_no: batchNo,
        card_id: card.id,
        iccid: card.iccid,
        sim_no: card.msisdn,
        operate_type: type,
        status: AGENT_RECORD_STATUS.processing,
        remark: '',
        created_at: request.now,
        finished_at: null,
      });
    }
    if (accepted.length > 0) {
      const run = this.#carryOut(type, batchNo, accepted, request.scope.appId).finally(() =>
        this.#running.delete(run),
      );
      this.#running.add(run);
    }
    return ok({ batchNo, ...(answer.data as object) });
  }

  /** Asks each card's supplier account to change it, then settles the records. */
  async #carryOut(
    type: 'stop' | 'restore',
    batchNo: string,
    cards: StoredCard[],
    appId: string,
  ): Promise<void> {
    const change = CHANGE[type];
    const byAccount = new Map<string, StoredCard[]>();
    for (const card of cards)
      byAccount.set(card.account, [...(byAccount.get(card.account) ?? []), card]);
    for (const [accountId, accountCards] of byAccount) {
      const outcomes = new Map<number, { ok: boolean; remark: string; raw: string | null }>();
      try {
        const adapter = await this.#context.adapter(accountId);
        if (!adapter.doChangeStatus || !adapter.capabilities.has('lifecycle')) {
          throw new Error(`account ${accountId} cannot ${change.action} cards`);
        }
        // Cards inside their supplier's cooldown after simdock's last change are refused
        // (`cooldown`) before any call.
        const cooldown = new LifecycleCooldown(this.#context, adapter);
        const cooling = await cooldown.coolingUntil(accountCards.map((card) => card.id));
        for (const [cardId, readyAt] of cooling) {
          outcomes.set(cardId, {
            ok: false,
            remark: cooldown.refusal(cardId, readyAt).message,
            raw: null,
          });
        }
        const ready = accountCards.filter((card) => !cooling.has(card.id));
        const result =
          ready.length === 0
            ? { items: [] }
            : await adapter.doChangeStatus({
                action: change.action,
                cards: ready.map((card) => ({
                  key: String(card.id),
                  iccid: card.iccid,
                  msisdn: card.msisdn,
                  imsi: card.imsi,
                })),
              });
        await cooldown.record(
          result.items.filter((item) => item.ok).map((item) => Number(item.key)),
          change.action,
        );
        for (const item of result.items) {
          outcomes.set(
            Number(item.key),
            item.ok
              ? { ok: true, remark: '', raw: item.value.raw ?? null }
              : { ok: false, remark: item.error.message, raw: null },
          );
        }
      } catch (error) {
        const remark = error instanceof Error ? error.message : String(error);
        for (const card of accountCards) outcomes.set(card.id, { ok: false, remark, raw: null });
      }
      await this.#settle(type, batchNo, accountCards, outcomes, appId);
    }
  }

  async #settle(
    type: 'stop' | 'restore',
    batchNo: string,
    cards: StoredCard[],
    outcomes: Map<number, { ok: boolean; remark: string; raw: string | null }>,
    appId: string,
  ): Promise<void> {
    const change = CHANGE[type];
    const { store, clock } = this.#context;
    const repository = new AgentAppsRepository(store);
    const now = clock.now();
    const changed = cards.filter((card) => outcomes.get(card.id)?.ok);
    if (changed.length > 0) {
      await store.cards.updateStatuses(
        changed.map((card) => ({
          id: card.id,
          status: change.to,
          statusRaw: outcomes.get(card.id)!.raw,
        })),
        `agent-open-api:${type}`,
      );
      await new EventOutbox(store, () => clock.now()).emit(
        changed.map((card) => ({
          type: 'card.status_changed' as const,
          subject: card.iccid ?? card.msisdn,
          account: card.account,
          cardId: card.id,
          data: {
            status: change.to,
            previousStatus: change.from,
            source: 'agent-open-api',
            batchNo,
          },
        })),
      );
    }
    for (const card of cards) {
      const outcome = outcomes.get(card.id) ?? { ok: false, remark: 'no answer', raw: null };
      await repository.settleOperationRecord(batchNo, card.id, {
        status: outcome.ok ? AGENT_RECORD_STATUS.succeeded : AGENT_RECORD_STATUS.failed,
        remark: outcome.remark,
        finishedAt: now,
      });
      await store.audit.record({
        actor: `agent-app:${appId}`,
        action: `cards.${change.action}`,
        targetType: 'card',
        targetId: String(card.id),
        account: card.account,
        outcome: outcome.ok ? 'succeeded' : 'failed',
        details: { batchNo, ...(outcome.ok ? {} : { reason: outcome.remark }) },
      });
    }
  }

  /** 查询卡板操作记录: by card and/or batch, paged, within the caller's tenant. */
  async records(request: AgentRequestContext): Promise<AgentAnswer> {
    const { form, scope } = request;
    let cardId: number | undefined;
    if (form.iccid || form.simNo) {
      const field = form.iccid ? 'iccid' : 'msisdn';
      const value = (form.iccid ?? form.simNo)!;
      const card = (await findScopedCards(this.#context, scope, field, [value]))
        .values()
        .next().value;
      if (!card) return fail(AGENT_CODES.cardNotFound, '卡号不存在');
      cardId = card.id;
    }
    const rows = await new AgentAppsRepository(this.#context.store).operationRecords({
      tenantId: scope.tenantId,
      ...(cardId !== undefined ? { cardId } : {}),
      ...(form.batchNo ? { batchNo: form.batchNo } : {}),
    });
    if (form.batchNo && rows.length === 0) return fail(AGENT_CODES.batchNotFound, '批次不存在');
    const page = Number(form.page ?? 1);
    const pageSize = Number(form.pageSize ?? 20);
    const list = rows.slice((page - 1) * pageSize, page * pageSize).map((row) => ({
      id: Number(row.id),
      batchNo: row.batch_no,
      iccid: row.iccid,
      simNo: row.sim_no,
      operateType: row.operate_type,
      status: Number(row.status),
      remark: row.remark,
      createdAt: formatAgentTime(Number(row.created_at)),
      finishedAt: row.finished_at === null ? null : formatAgentTime(Number(row.finished_at)),
    }));
    return ok({ total: rows.length, list });
  }
}
