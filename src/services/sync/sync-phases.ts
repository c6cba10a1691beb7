import type { Store, StoredCard } from '../../store/index.js';
import {
  type BatchResult,
  type CardRef,
  requireOperation,
  type SupplierAdapterV1,
} from '../../suppliers/spec/index.js';

/** The needs a slice syncs, in the order it syncs them; each is also the capability it calls. */
export type SliceNeed = 'identities' | 'status' | 'usage.daily' | 'usage.monthly';

/** What a run's plan fixed: the CST days of daily usage and the CST month of monthly usage. */
interface PlanPeriods {
  days: string[];
  month: string | null;
}

/** What the phases of one slice share. */
export interface SliceState {
  /** Cards whose status an earlier phase of this slice already read. */
  statusFresh: Set<number>;
  /** Identifiers read before this instant are read again (`--full`); null: only missing ones. */
  identitiesBefore: number | null;
}

/** Where a phase stores what the supplier answered. */
export interface PhaseTarget {
  store: Store;
  accountId: string;
  state: SliceState;
}

interface BatchRequest {
  cards: CardRef[];
  period: string;
  abortSignal?: AbortSignal;
}

/** One card the supplier answered for one period. */
export interface PhaseAnswer<T = unknown> {
  cardId: number;
  value: T;
  period: string;
}

/** One row of the table: a need, and how a slice asks for it and keeps the answers. */
interface PhaseRow<T> {
  need: SliceNeed;
  /** The periods each batch is asked for ('-' for a need without one); none skips the phase. */
  periods: (params: PlanPeriods) => string[];
  /** Which of the slice's cards the phase asks about. */
  wants: (card: StoredCard, state: SliceState) => boolean;
  /** The adapter's operation (it throws now if missing), as one call per batch and period. */
  operation: (adapter: SupplierAdapterV1) => (request: BatchRequest) => Promise<BatchResult<T>>;
  /**
   * Stores what the supplier answered, for any number of batches and periods at once (the slice
   * stores several batches together: see keep-buffer.ts); returns the rows written.
   */
  keep: (target: PhaseTarget, answers: PhaseAnswer<T>[]) => Promise<number>;
}

/** A phase as the slice's loop runs it, whatever the supplier answers with. */
export interface SlicePhase {
  need: SliceNeed;
  periods: (params: PlanPeriods) => string[];
  wants: (card: StoredCard, state: SliceState) => boolean;
  /**
   * Readies the phase for one adapter. The function returned asks for one batch and one period,
   * hands the result to `recordFailures` (for the cards the supplier could not answer) and
   * returns the calls made (one at least) and the answers, for `keep`.
   */
  start: (
    adapter: SupplierAdapterV1,
    recordFailures: (result: BatchResult<unknown>) => Promise<unknown>,
  ) => (
    batch: StoredCard[],
    period: string,
    abortSignal?: AbortSignal,
  ) => Promise<{ calls: number; answers: PhaseAnswer[] }>;
  keep: (target: PhaseTarget, answers: PhaseAnswer[]) => Promise<number>;
}

function toRef(card: StoredCard): CardRef {
  return { key: String(card.id), iccid: card.iccid, msisdn: card.msisdn, imsi: card.imsi };
}

/** Makes a row runnable whatever its answer type: call, record the cards that failed, keep. */
function phase<T>(row: PhaseRow<T>): SlicePhase {
  return {
    need: row.need,
    periods: row.periods,
    wants: row.wants,
    start(adapter, recordFailures) {
      const call = row.operation(adapter);
      return async (batch, period, abortSignal) => {
        const result = await call({ cards: batch.map(toRef), period, abortSignal });
        await recordFailures(result);
        const answers = result.items.flatMap((item) =>
          item.ok ? [{ cardId: Number(item.key), value: item.value as unknown, period }] : [],
        );
        return { calls: Math.max(1, result.response.bodies.length), answers };
      };
    },
    // The answers come from `start` of the same row, so they hold this row's type.
    keep: (target, answers) => row.keep(target, answers as PhaseAnswer<T>[]),
  };
}

const ONCE = ['-'];

/**
 * The phases of a slice, in order. A phase runs when the adapter has its capability and the plan
 * gives it periods; adding a need is adding a row.
 */
export const SLICE_PHASES: readonly SlicePhase[] = [
  phase({
    need: 'identities',
    periods: () => ONCE,
    // Once per card and run: a card read again has a new `identitiesSyncedAt`.
    wants: (card, state) =>
      card.identitiesSyncedAt === null ||
      (state.identitiesBefore !== null && card.identitiesSyncedAt < state.identitiesBefore),
    operation: (adapter) => {
      const get = requireOperation(adapter, 'identities');
      return ({ cards, abortSignal }) => get({ cards, abortSignal });
    },
    // Where the identities call also returns the status, the status phase skips the card.
    async keep({ store, accountId, state }, answers) {
      const statuses = answers.flatMap(({ cardId, value }) =>
        value.status
          ? [{ id: cardId, status: value.status.status, statusRaw: value.status.raw }]
          : [],
      );
      for (const { id } of statuses) state.statusFresh.add(id);
      const rows = await store.cards.updateIdentities(
        answers.map(({ cardId, value: { iccid, msisdn, imsi, imei } }) => ({
          id: cardId,
          iccid,
          msisdn,
          imsi,
          imei,
        })),
        `sync:${accountId}`,
      );
      if (statuses.length) await store.cards.updateStatuses(statuses, `sync:${accountId}`);
      return rows;
    },
  }),
  phase({
    need: 'status',
    periods: () => ONCE,
    wants: (card, state) => !state.statusFresh.has(card.id),
    operation: (adapter) => {
      const get = requireOperation(adapter, 'status');
      return ({ cards, abortSignal }) => get({ cards, abortSignal });
    },
    keep: ({ store, accountId }, answers) =>
      store.cards.updateStatuses(
        answers.map(({ cardId, value }) => ({
          id: cardId,
          status: value.status,
          statusRaw: value.raw,
        })),
        `sync:${accountId}`,
      ),
  }),
  phase({
    need: 'usage.daily',
    periods: (params) => params.days,
    wants: () => true,
    operation: (adapter) => {
      const get = requireOperation(adapter, 'usage.daily');
      return ({ cards, period, abortSignal }) => get({ date: period, cards, abortSignal });
    },
    async keep({ store }, answers) {
      const rows = answers.flatMap(({ cardId, value, period }) =>
        value.bytes !== null ? [{ cardId, date: period, bytes: value.bytes }] : [],
      );
      return (await store.usage.upsertDaily(rows)).written;
    },
  }),
  phase({
    need: 'usage.monthly',
    periods: (params) => (params.month ? [params.month] : []),
    wants: () => true,
    operation: (adapter) => {
      const get = requireOperation(adapter, 'usage.monthly');
      return ({ cards, period, abortSignal }) => get({ month: period, cards, abortSignal });
    },
    async keep({ store }, answers) {
      const rows = answers.flatMap(({ cardId, value, period }) =>
        value.bytes !== null ? [{ cardId, month: period, bytes: value.bytes }] : [],
      );
      const written = (await store.usage.upsertMonthly(rows)).written;
      await store.freshness.markUsageChecked(answers.map(({ cardId }) => cardId));
      return written;
    },
  }),
];
