import type { CardStatusValue, Clock } from '../../domain/index.js';
import {
  type BatchResult,
  type CardRef,
  type ItemResult,
  SupplierError,
  type SupplierWarning,
} from '../spec/index.js';
import { runCardBatches } from './agent-card-batches.js';
import type { AgentClient } from './agent-client.js';
import { agentCardStatus } from './agent-device-mapping.js';
import { AGENT_BATCH_LIMITS, AGENT_RECORD_STATUS, AGENT_SIM_STATUS } from './agent-protocol.js';
import type { AgentOperationRecord } from './agent-schemas.js';

export interface LifecycleTimings {
  /** Between two reads of a batch's operation records (default 5 s). */
  pollIntervalMs: number;
  /** How long to follow a batch before giving its unsettled cards up (default 10 min). */
  settleTimeoutMs: number;
}

const TARGET = {
  pause: { from: AGENT_SIM_STATUS.active, to: AGENT_SIM_STATUS.stopped, verb: 'stop' },
  resume: { from: AGENT_SIM_STATUS.stopped, to: AGENT_SIM_STATUS.active, verb: 'restore' },
} as const;

/**
 * Pauses or resumes cards with batch stop / restore (100 cards, asynchronous) and follows each
 * batch to completion through its operation records. The cards' status is read first (batch
 * card info, 100 a call), so a card already in the wanted state is a no-op with a warning and
 * no stop or restore is ever sent twice for it.
 */
export async function changeAgentCardStatus(
  client: AgentClient,
  clock: Clock,
  timings: LifecycleTimings,
  action: 'pause' | 'resume',
  cards: readonly CardRef[],
  abortSignal?: AbortSignal,
): Promise<BatchResult<CardStatusValue>> {
  const target = TARGET[action];
  const warnings: SupplierWarning[] = [];
  const bodies: unknown[] = [];
  const items: ItemResult<CardStatusValue>[] = [];
  const accountId = client.transport.accountId;

  const current = await runCardBatches(
    cards,
    AGENT_BATCH_LIMITS.batchQueryCardInfo,
    (batch) => client.batchQueryCardInfo(batch, { abortSignal }),
    (sim, card) => ({ key: card.key, ok: true as const, value: sim.simStatus }),
    accountId,
  );
  bodies.push(...current.bodies);
  warnings.push(...current.warnings);
  const toChange: CardRef[] = [];
  const byKey = new Map(cards.map((card) => [card.key, card]));
  for (const item of current.items) {
    if (!item.ok) {
      items.push(item);
      continue;
    }
    const status = agentCardStatus(item.value);
    if (item.value === target.to) {
      items.push({ key: item.key, ok: true, value: status });
      warnings.push({
        type: 'other',
        key: item.key,
        message: `already ${status.status}: no ${target.verb} sent`,
      });
    } else if (item.value !== target.from) {
      items.push({
        key: item.key,
        ok: false,
        error: new SupplierError(
          'supplier_rejected',
          `agent: cannot ${action} a card that is ${status.status} (simStatus ${status.raw})`,
          { retryable: false, accountId, details: { status: status.status, raw: status.raw } },
        ),
      });
    } else toChange.push(byKey.get(item.key)!);
  }

  const batches: { batchNo: string; cards: Map<string, string> }[] = [];
  const started = await runCardBatches(
    toChange,
    AGENT_BATCH_LIMITS.batchStopCard,
    async (batch) => {
      const result =
        action === 'pause'
          ? await client.batchStopCard(batch, { abortSignal })
          : await client.batchRestoreCard(batch, { abortSignal });
      batches.push({ batchNo: result.data.batchNo, cards: new Map() });
      return result;
    },
    (accepted, card) => {
      batches.at(-1)!.cards.set((accepted.iccid ?? '').toUpperCase(), card.key);
      return { key: card.key, ok: true as const, value: null };
    },
    accountId,
  );
  bodies.push(...started.bodies);
  warnings.push(...started.warnings);
  for (const item of started.items) if (!item.ok) items.push(item);

  for (const batch of batches) {
    if (batch.cards.size === 0) continue;
    const settled = await followBatch(client, clock, timings, batch.batchNo, abortSignal);
    bodies.push(...settled.bodies);
    for (const [iccid, key] of batch.cards) {
      const record = settled.records.get(iccid);
      if (record?.status === AGENT_RECORD_STATUS.succeeded) {
        items.push({ key, ok: true, value: agentCardStatus(target.to) });
      } else if (record?.status === AGENT_RECORD_STATUS.failed) {
        items.push({
          key,
          ok: false,
          error: new SupplierError(
            'supplier_rejected',
            `agent: ${target.verb} failed: ${record.remark || 'no reason given'}`,
            { retryable: false, accountId, supplierMessage: record.remark },
          ),
        });
      } else {
        items.push({
          key,
          ok: false,
          error: new SupplierError(
            'supplier_timeout',
            `agent: ${target.verb} batch ${batch.batchNo} not settled after ${timings.settleTimeoutMs} ms`,
            { retryable: true, accountId, details: { batchNo: batch.batchNo } },
          ),
        });
      }
    }
  }
  return { items, warnings, response: { bodies } };
}

/** Reads a batch's operation records until none is processing or the timeout passes. */
async function followBatch(
  client: AgentClient,
  clock: Clock,
  timings: LifecycleTimings,
  batchNo: string,
  abortSignal?: AbortSignal,
): Promise<{ records: Map<string, AgentOperationRecord>; bodies: unknown[] }> {
  const deadline = clock.now() + timings.settleTimeoutMs;
  const bodies: unknown[] = [];
  for (;;) {
    await clock.sleep(timings.pollIntervalMs, abortSignal);
    const records = new Map<string, AgentOperationRecord>();
    for (let page = 1; ; page += 1) {
      const result = await client.queryCardOperationRecords(
        { batchNo, page, pageSize: 100 },
        { abortSignal },
      );
      bodies.push(result.body);
      for (const record of result.data.list) {
        if (record.iccid) records.set(record.iccid.toUpperCase(), record);
      }
      if (result.data.list.length < 100 || records.size >= (result.data.total ?? 0)) break;
    }
    const processing = [...records.values()].some(
      (record) => record.status === AGENT_RECORD_STATUS.processing,
    );
    if (!processing || clock.now() >= deadline) return { records, bodies };
  }
}
