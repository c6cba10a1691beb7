import { type CstDate, cstMonth, lastCompleteDays } from '../domain/index.js';
import type { DailyUsageRow, MonthlyUsageRow, StoredCard } from '../store/index.js';
import {
  type BatchResult,
  type Capability,
  type CardRef,
  chunk,
  requireOperation,
  type SupplierAdapterV1,
  withRetry,
} from '../suppliers/spec/index.js';
import { type BatchFailure, runBatches } from './batch-runner.js';
import type { ServiceContext } from './context.js';

export type SyncPhase = 'inventory' | 'identities' | 'status' | 'usage.daily' | 'usage.monthly';

export interface SyncProgress {
  account: string;
  phase: SyncPhase;
  /** Cards (or card-days) done in this phase, and the total. */
  done: number;
  total: number;
}

export interface SyncOptions {
  /** Complete CST days of daily usage to pull (default 7, bounded by the supplier's window). */
  days?: number;
  /** Pull daily usage even where it costs one call per card (default: only batch endpoints). */
  perCardDaily?: boolean;
  concurrency?: number;
  onProgress?: (progress: SyncProgress) => void;
  abortSignal?: AbortSignal;
  actor?: string;
}

export interface SyncSummary {
  account: string;
  supplier: string;
  runId: number;
  status: 'succeeded' | 'partial' | 'failed';
  cards: number;
  synced: number;
  failed: number;
  calls: number;
  rowsWritten: number;
  failuresByReason: Record<string, number>;
  /** Why the run stopped early (bad credentials, supplier down); null when it did not. */
  stoppedBy: BatchFailure | null;
  phases: SyncPhase[];
  durationMs: number;
}

const PAGE = 10_000;
const FLUSH_ROWS = 5_000;

/** Which identifier a card is asked by: batch endpoints take one kind per call. */
function primaryKind(card: StoredCard): 'iccid' | 'msisdn' | 'imsi' {
  return card.iccid ? 'iccid' : card.msisdn ? 'msisdn' : 'imsi';
}

function toRef(card: StoredCard): CardRef {
  return { key: String(card.id), iccid: card.iccid, msisdn: card.msisdn, imsi: card.imsi };
}

/** Batches of at most `size` cards, each batch holding one identifier kind. */
function batchesOf(cards: StoredCard[], size: number): StoredCard[][] {
  const byKind = new Map<string, StoredCard[]>();
  for (const card of cards) {
    const kind = primaryKind(card);
    const list = byKind.get(kind) ?? [];
    list.push(card);
    byKind.set(kind, list);
  }
  return [...byKind.values()].flatMap((list) => chunk(list, size));
}

/**
 * One sync of one account: discovers the fleet where the supplier lists it, resolves missing
 * identities, reads statuses and usage with the batch endpoints the adapter offers, and records
 * a sync run with calls made, rows written and failures by reason. Every card ends either
 * synced or failed with its reason; a re-run writes nothing that is already right.
 */
export async function syncAccount(
  context: ServiceContext,
  accountId: string,
  options: SyncOptions = {},
): Promise<SyncSummary> {
  const { store, clock } = context;
  const adapter = await context.adapter(accountId);
  const started = clock.now();
  const counter = context.callCounter(accountId);
  const callsBefore = counter.total;
  const runId = await store.syncRuns.start({ account: accountId, kind: 'full' });
  const failures = new Map<number, BatchFailure>();
  const phases: SyncPhase[] = [];
  let rowsWritten = 0;
  const concurrency = options.concurrency ?? 4;
  const progress = (phase: SyncPhase, done: number, total: number) =>
    options.onProgress?.({ account: accountId, phase, done, total });
  const fail = (cardId: number, failure: BatchFailure) => {
    if (!failures.has(cardId)) failures.set(cardId, failure);
  };
  const failItems = <T>(result: BatchResult<T>) => {
    for (const item of result.items) {
      if (!item.ok) fail(Number(item.key), { code: item.error.code, message: item.error.message });
    }
  };
  const batchSize = (capability: Capability) => adapter.limits.batchSize[capability] ?? 1;
  let stopped: BatchFailure | null = null;
  /** Cards whose status an earlier phase of this run already read. */
  const statusFresh = new Set<number>();

  /** Runs one phase over every card of the account that `select` keeps. */
  const phase = async (
    name: SyncPhase,
    capability: Capability,
    select: (card: StoredCard) => boolean,
    work: (batch: StoredCard[]) => Promise<void>,
    units = 1,
  ) => {
    if (stopped) return;
    phases.push(name);
    const total = (await countCards(context, accountId, select)) * units;
    let done = 0;
    progress(name, 0, total);
    for await (const page of cardPages(context, accountId)) {
      const cards = page.filter(
        (card) => select(card) && !isUnknownAtSupplier(failures.get(card.id)),
      );
      const outcome = await runBatches({
        batches: batchesOf(cards, batchSize(capability)),
        concurrency,
        clock,
        abortSignal: options.abortSignal,
        work: async (batch) => {
          await work(batch);
          done += batch.length * units;
          progress(name, done, total);
        },
        onFailure: (batch, failure) => {
          for (const card of batch) fail(card.id, failure);
          done += batch.length * units;
          progress(name, done, total);
        },
      });
      stopped ??= outcome.stopped;
      if (stopped) break;
    }
  };

  if (adapter.capabilities.has('inventory')) {
    phases.push('inventory');
    await discoverFleet(context, adapter, (count) => progress('inventory', count, count));
  }

  if (adapter.capabilities.has('identities')) {
    const getIdentities = requireOperation(adapter, 'identities');
    await phase(
      'identities',
      'identities',
      (card) => card.identitiesSyncedAt === null,
      async (batch) => {
        const result = await getIdentities({
          cards: batch.map(toRef),
          abortSignal: options.abortSignal,
        });
        failItems(result);
        const updates = [];
        const statuses = [];
        for (const item of result.items) {
          if (!item.ok) continue;
          const { iccid, msisdn, imsi, imei, status } = item.value;
          updates.push({ id: Number(item.key), iccid, msisdn, imsi, imei });
          if (status) {
            statuses.push({ id: Number(item.key), status: status.status, statusRaw: status.raw });
            statusFresh.add(Number(item.key));
          }
        }
        await store.cards.updateIdentities(updates);
        if (statuses.length) await store.cards.updateStatuses(statuses, `sync:${accountId}`);
      },
    );
  }

  if (adapter.capabilities.has('status')) {
    const getStatus = requireOperation(adapter, 'status');
    await phase(
      'status',
      'status',
      (card) => !statusFresh.has(card.id),
      async (batch) => {
        const result = await getStatus({
          cards: batch.map(toRef),
          abortSignal: options.abortSignal,
        });
        failItems(result);
        const updates = result.items.flatMap((item) =>
          item.ok
            ? [{ id: Number(item.key), status: item.value.status, statusRaw: item.value.raw }]
            : [],
        );
        await store.cards.updateStatuses(updates, `sync:${accountId}`);
      },
    );
  }

  const wantsDaily =
    adapter.capabilities.has('usage.daily') &&
    (batchSize('usage.daily') > 1 || options.perCardDaily);
  if (wantsDaily) {
    const getDaily = requireOperation(adapter, 'usage.daily');
    const window = adapter.limits.dailyUsageWindowDays ?? 7;
    const days: CstDate[] = lastCompleteDays(Math.min(options.days ?? 7, window), clock.now());
    const writer = usageWriter<DailyUsageRow>((rows) => store.usage.upsertDaily(rows));
    await phase(
      'usage.daily',
      'usage.daily',
      () => true,
      async (batch) => {
        for (const date of days) {
          const result = await getDaily({
            date,
            cards: batch.map(toRef),
            abortSignal: options.abortSignal,
          });
          failItems(result);
          for (const item of result.items) {
            if (item.ok && item.value.bytes !== null) {
              await writer.add({ cardId: Number(item.key), date, bytes: item.value.bytes });
            }
          }
        }
      },
      days.length,
    );
    rowsWritten += await writer.flush();
  }

  if (adapter.capabilities.has('usage.monthly')) {
    const getMonthly = requireOperation(adapter, 'usage.monthly');
    const month = cstMonth(clock.now());
    const writer = usageWriter<MonthlyUsageRow>((rows) => store.usage.upsertMonthly(rows));
    await phase(
      'usage.monthly',
      'usage.monthly',
      () => true,
      async (batch) => {
        const result = await getMonthly({
          month,
          cards: batch.map(toRef),
          abortSignal: options.abortSignal,
        });
        failItems(result);
        for (const item of result.items) {
          if (item.ok && item.value.bytes !== null) {
            await writer.add({ cardId: Number(item.key), month, bytes: item.value.bytes });
          }
        }
      },
    );
    rowsWritten += await writer.flush();
  }

  const cards = await store.cards.count({ account: accountId });
  const failuresByReason: Record<string, number> = {};
  for (const failure of failures.values()) {
    failuresByReason[failure.code] = (failuresByReason[failure.code] ?? 0) + 1;
  }
  await store.syncRuns.recordFailures(
    runId,
    [...failures].map(([cardId, failure]) => ({ cardId, ...failure })),
  );
  const failed = failures.size;
  const status = stopped ? 'failed' : failed > 0 ? 'partial' : 'succeeded';
  const summary: SyncSummary = {
    account: accountId,
    supplier: adapter.supplier,
    runId,
    status,
    cards,
    synced: cards - failed,
    failed,
    calls: counter.total - callsBefore,
    rowsWritten,
    failuresByReason,
    stoppedBy: stopped,
    phases,
    durationMs: clock.now() - started,
  };
  await store.syncRuns.finish(runId, summary);
  await store.audit.record({
    actor: options.actor ?? 'cli',
    action: 'sync',
    targetType: 'account',
    targetId: accountId,
    account: accountId,
    outcome: status === 'failed' ? 'failed' : 'succeeded',
    details: { runId, cards, failed, calls: summary.calls, rowsWritten },
  });
  return summary;
}

function isUnknownAtSupplier(failure: BatchFailure | undefined): boolean {
  return failure?.code === 'supplier_card_unknown';
}

async function* cardPages(
  context: ServiceContext,
  accountId: string,
): AsyncGenerator<StoredCard[]> {
  let afterId = 0;
  for (;;) {
    const page = await context.store.cards.listForSync(accountId, { afterId, limit: PAGE });
    if (page.length === 0) return;
    yield page;
    afterId = page[page.length - 1]!.id;
    if (page.length < PAGE) return;
  }
}

async function countCards(
  context: ServiceContext,
  accountId: string,
  select: (card: StoredCard) => boolean,
): Promise<number> {
  let count = 0;
  for await (const page of cardPages(context, accountId)) {
    for (const card of page) if (select(card)) count += 1;
  }
  return count;
}

/** Buffers usage rows and writes them in large idempotent upserts. */
function usageWriter<Row>(write: (rows: Row[]) => Promise<{ written: number }>) {
  let buffer: Row[] = [];
  let written = 0;
  let pending: Promise<void> = Promise.resolve();
  const drain = () => {
    const rows = buffer;
    buffer = [];
    pending = pending.then(async () => {
      written += (await write(rows)).written;
    });
    return pending;
  };
  return {
    async add(row: Row) {
      buffer.push(row);
      if (buffer.length >= FLUSH_ROWS) await drain();
    },
    async flush() {
      if (buffer.length) await drain();
      await pending;
      return written;
    },
  };
}

/** Walks the supplier's card list to the end and stores what it finds. */
async function discoverFleet(
  context: ServiceContext,
  adapter: SupplierAdapterV1,
  onPage: (count: number) => void,
): Promise<void> {
  const listCards = requireOperation(adapter, 'inventory');
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await withRetry(() => listCards({ cursor }), { clock: context.clock });
    await context.store.cards.upsertFromSupplier(
      adapter.accountId,
      adapter.supplier,
      page.cards.map((card) => ({ ...card, status: card.status })),
    );
    count += page.cards.length;
    onPage(count);
    cursor = page.nextCursor;
  } while (cursor);
}
