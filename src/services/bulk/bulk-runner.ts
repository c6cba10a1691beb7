import { type CardStatusValue, errorMessage, SimdockError } from '../../domain/index.js';
import type { StoredCard } from '../../store/index.js';
import {
  type BulkItem,
  type BulkItemOutcome,
  type BulkItemState,
  type BulkJob,
  type BulkJobState,
  BulkJobsRepository,
} from '../../store/repositories/bulk-repository.js';
import { chunk, type SupplierAdapterV1 } from '../../suppliers/spec/index.js';
import type { ServiceContext } from '../context.js';
import { LifecycleCooldown } from '../limits/lifecycle-cooldown.js';
import {
  alreadyThere,
  type BulkTarget,
  batchSizeOf,
  callSupplier,
  cardRefOf,
  isLifecycleAction,
  targetStatuses,
  unsupportedReason,
} from './bulk-actions.js';
import { BulkRecorder } from './bulk-recorder.js';

/** Where a running job stands. */
export interface BulkProgress {
  jobId: number;
  total: number;
  /** Cards settled so far (done + skipped + failed). */
  settled: number;
  done: number;
  skipped: number;
  failed: number;
  /**
   * Set while cards wait for their supplier's cooldown after a lifecycle change (nothing is
   * sent to the supplier before it ends): how many, of which account, and until when (epoch ms).
   */
  waiting?: { account: string; cards: number; until: number } | null;
}

export interface RunBulkJobOptions {
  progress?: (progress: BulkProgress) => void;
  /** Stops between chunks; a chunk in flight is left `sending` and settled by the next run. */
  abortSignal?: AbortSignal;
}

/** A job after a run, with its failures and skips grouped by reason. */
export interface BulkJobSummary {
  job: BulkJob;
  reasons: { state: BulkItemState; code: string | null; message: string | null; count: number }[];
}

const FINISHED: ReadonlySet<BulkJobState> = new Set([
  'succeeded',
  'partial',
  'failed',
  'cancelled',
]);

/**
 * Runs (or resumes, or re-runs) a bulk job. A finished job retries its failed cards only.
 * Cards left `sending` by an interrupted run are not sent again: their status is read back and
 * they are settled as done or failed. Cards sent before (a retried failure) are checked the same
 * way first, so a card that did change is never changed twice. The rest go to each account's
 * supplier in chunks of its batch size, each chunk marked `sending` before the call; every card
 * ends done, skipped (with the reason) or failed (with simdock's code, the supplier's code and
 * message), audited, and with a `card.status_changed` event when its status changed.
 */
export async function runBulkJob(
  context: ServiceContext,
  jobId: number,
  options: RunBulkJobOptions = {},
): Promise<BulkJobSummary> {
  const repository = new BulkJobsRepository(context.store, () => context.clock.now());
  const job = await repository.require(jobId);
  if (FINISHED.has(job.state)) await repository.retryFailed(jobId);
  await repository.update(jobId, {
    state: 'running',
    startedAt: context.clock.now(),
    finishedAt: null,
    runs: job.runs + 1,
  });
  const recorder = new BulkRecorder(context, job);
  const counts = await repository.refreshCounts(jobId);
  const progress: BulkProgress = {
    jobId,
    total: job.total,
    settled: counts.done + counts.skipped + counts.failed,
    done: counts.done,
    skipped: counts.skipped,
    failed: counts.failed,
  };
  const settle = async (outcomes: BulkItemOutcome[], targets: Map<number, BulkTarget>) => {
    await recorder.record(outcomes, targets);
    for (const outcome of outcomes) {
      if (outcome.state === 'pending') continue;
      progress[outcome.state] += 1;
      progress.settled += 1;
    }
    options.progress?.({ ...progress });
  };
  const wait = (waiting: BulkProgress['waiting']) => {
    progress.waiting = waiting;
    options.progress?.({ ...progress });
  };
  options.progress?.({ ...progress });

  const open = [
    ...(await repository.items(jobId, { state: 'sending' })),
    ...(await repository.items(jobId, { state: 'pending' })),
  ];
  const cards = await loadCards(
    context,
    open.map((item) => item.cardId),
  );
  const byAccount = new Map<string, BulkItem[]>();
  for (const item of open) {
    const list = byAccount.get(item.account) ?? [];
    list.push(item);
    byAccount.set(item.account, list);
  }
  let aborted = false;
  try {
    await Promise.all(
      [...byAccount].map(([account, items]) =>
        runAccount({ context, job, repository, account, items, cards, settle, wait, options }),
      ),
    );
  } catch (error) {
    if (!options.abortSignal?.aborted) throw error;
    aborted = true;
  }

  const final = await repository.refreshCounts(jobId);
  const state: BulkJobState =
    aborted || final.pending + final.sending > 0
      ? 'cancelled'
      : final.failed === 0
        ? 'succeeded'
        : final.done + final.skipped === 0
          ? 'failed'
          : 'partial';
  await repository.update(jobId, { state, finishedAt: context.clock.now() });
  const finished = await repository.require(jobId);
  await recorder.finished(finished);
  return { job: finished, reasons: await repository.failureReasons(jobId) };
}

interface AccountRun {
  context: ServiceContext;
  job: BulkJob;
  repository: BulkJobsRepository;
  account: string;
  items: BulkItem[];
  cards: Map<number, StoredCard>;
  settle: (outcomes: BulkItemOutcome[], targets: Map<number, BulkTarget>) => Promise<void>;
  wait: (waiting: BulkProgress['waiting']) => void;
  options: RunBulkJobOptions;
}

async function runAccount(run: AccountRun): Promise<void> {
  const { job, items, cards, settle } = run;
  const targets = new Map<number, BulkTarget>();
  const outcomes: BulkItemOutcome[] = [];
  for (const item of items) {
    const card = cards.get(item.cardId);
    if (card) targets.set(item.id, { item, card });
    else
      outcomes.push({ id: item.id, state: 'skipped', code: 'not_found', message: 'card deleted' });
  }
  let adapter: SupplierAdapterV1;
  try {
    adapter = await run.context.adapter(run.account);
  } catch (error) {
    const code = SimdockError.isInstance(error) ? error.code : 'internal';
    for (const target of targets.values()) {
      outcomes.push({ id: target.item.id, state: 'failed', code, message: errorMessage(error) });
    }
    return settle(outcomes, targets);
  }
  const unsupported = unsupportedReason(adapter, job.action);
  const toSend: BulkTarget[] = [];
  const toCheck: BulkTarget[] = [];
  for (const target of targets.values()) {
    const { item, card } = target;
    const already = isLifecycleAction(job.action) ? alreadyThere(job.action, card.status) : null;
    if (unsupported) {
      outcomes.push({ id: item.id, state: 'skipped', code: 'unsupported', message: unsupported });
    } else if (item.state === 'sending' || item.attempts > 0) toCheck.push(target);
    else if (already) {
      outcomes.push({ id: item.id, state: 'skipped', code: 'already', message: already });
    } else toSend.push(target);
  }
  await settle(outcomes, targets);
  if (toCheck.length > 0) toSend.push(...(await checkSentBefore(run, adapter, toCheck, targets)));
  const cooldown = isLifecycleAction(job.action)
    ? new LifecycleCooldown(run.context, adapter)
    : null;
  if (cooldown) await queueBehindCooldown(run, cooldown, toSend, targets);

  for (const part of chunk(toSend, batchSizeOf(adapter, job.action))) {
    run.options.abortSignal?.throwIfAborted();
    if (cooldown) await waitForCooldown(run, cooldown, part);
    const taken = new Set(await run.repository.markSending(part.map((target) => target.item.id)));
    const sending = part.filter((target) => taken.has(target.item.id));
    if (sending.length === 0) continue;
    const chunkOutcomes: BulkItemOutcome[] = [];
    try {
      const result = await callSupplier(
        adapter,
        job.action,
        job.params,
        sending,
        run.options.abortSignal,
      );
      const byKey = new Map(result.items.map((item) => [item.key, item]));
      if (cooldown && isLifecycleAction(job.action)) {
        const accepted = sending.filter((target) => byKey.get(String(target.card.id))?.ok);
        await cooldown.record(
          accepted.map((target) => target.card.id),
          job.action,
        );
      }
      for (const target of sending) {
        const answer = byKey.get(String(target.card.id));
        if (!answer) {
          chunkOutcomes.push({
            id: target.item.id,
            state: 'failed',
            code: 'supplier_bad_response',
            message: `${adapter.supplier} gave no result for this card`,
          });
        } else if (answer.ok) {
          if (answer.value.status) target.newStatus = answer.value.status;
          chunkOutcomes.push({
            id: target.item.id,
            state: 'done',
            supplierRef: answer.value.supplierRef ?? null,
          });
        } else {
          chunkOutcomes.push({
            id: target.item.id,
            state: 'failed',
            code: answer.error.code,
            supplierCode: answer.error.supplierCode,
            message: answer.error.message,
          });
        }
      }
    } catch (error) {
      // Aborted mid-call: the chunk stays `sending`, for the next run to read back.
      if (run.options.abortSignal?.aborted) throw error;
      const code = SimdockError.isInstance(error) ? error.code : 'internal';
      const supplierCode =
        SimdockError.isInstance(error) && typeof error.details.supplierCode === 'string'
          ? error.details.supplierCode
          : null;
      for (const target of sending) {
        chunkOutcomes.push({
          id: target.item.id,
          state: 'failed',
          code,
          supplierCode,
          message: errorMessage(error),
        });
      }
    }
    await settle(chunkOutcomes, targets);
  }
}

/**
 * Cards still in their supplier's cooldown after a lifecycle change go last, their items saying
 * that they wait and until when (code `cooldown`, still pending): the others are sent first.
 */
async function queueBehindCooldown(
  run: AccountRun,
  cooldown: LifecycleCooldown,
  toSend: BulkTarget[],
  all: Map<number, BulkTarget>,
): Promise<void> {
  const cooling = await cooldown.coolingUntil(toSend.map((target) => target.card.id));
  if (cooling.size === 0) return;
  toSend.sort((a, b) => (cooling.get(a.card.id) ?? 0) - (cooling.get(b.card.id) ?? 0));
  const outcomes: BulkItemOutcome[] = [];
  for (const target of toSend) {
    const readyAt = cooling.get(target.card.id);
    if (readyAt === undefined) continue;
    outcomes.push({
      id: target.item.id,
      state: 'pending',
      code: 'cooldown',
      message: waitingMessage(cooldown, readyAt),
    });
  }
  await run.settle(outcomes, all);
}

/**
 * Waits (on the clock) until no card of the chunk is in its cooldown any more, read again from
 * the store each time (another job or process may have changed a card meanwhile); the job's
 * progress says who waits and until when.
 */
async function waitForCooldown(
  run: AccountRun,
  cooldown: LifecycleCooldown,
  part: readonly BulkTarget[],
): Promise<void> {
  let waited = false;
  for (;;) {
    const cooling = await cooldown.coolingUntil(part.map((target) => target.card.id));
    if (cooling.size === 0) break;
    const until = Math.max(...cooling.values());
    run.wait({ account: run.account, cards: cooling.size, until });
    waited = true;
    await run.context.clock.sleep(
      Math.max(1, until - run.context.clock.now()),
      run.options.abortSignal,
    );
  }
  if (waited) run.wait(null);
}

function waitingMessage(cooldown: LifecycleCooldown, readyAt: number): string {
  return `waiting for the supplier's cooldown after the card's last status change (${Math.round(cooldown.cooldownMs / 1000)} s): not sent before ${new Date(readyAt).toISOString()}`;
}

/**
 * Cards a previous run already sent (left `sending`, or failed and now retried): their status is
 * read back where the supplier offers it. A card found where the action leads is done; a card
 * left `sending` and not found there is failed (not sent again in this run); a retried failure
 * not found there is sent again. Orders and SMS have no status to read: an order is sent again
 * with the same `externalId` (the supplier returns the first order), an SMS left `sending` is
 * failed as unconfirmed and a retried one is sent again with the same idempotency key.
 */
async function checkSentBefore(
  run: AccountRun,
  adapter: SupplierAdapterV1,
  targets: BulkTarget[],
  all: Map<number, BulkTarget>,
): Promise<BulkTarget[]> {
  const { job } = run;
  const resend: BulkTarget[] = [];
  const outcomes: BulkItemOutcome[] = [];
  const read = new Map<string, CardStatusValue>();
  const wanted = targetStatuses(job.action);
  if (wanted.length > 0 && adapter.capabilities.has('status') && adapter.doGetStatus) {
    const size = Math.max(1, adapter.limits.batchSize.status ?? 1);
    for (const part of chunk(targets, size)) {
      run.options.abortSignal?.throwIfAborted();
      try {
        const result = await adapter.doGetStatus({
          cards: part.map((target) => cardRefOf(target.card)),
          abortSignal: run.options.abortSignal,
        });
        for (const item of result.items) if (item.ok) read.set(item.key, item.value);
      } catch (error) {
        if (run.options.abortSignal?.aborted) throw error;
        // Unread cards are judged below like cards of a supplier without status reads.
      }
    }
  }
  for (const target of targets) {
    const { item } = target;
    const status = read.get(String(target.card.id));
    if (status && wanted.includes(status.status)) {
      target.newStatus = status;
      outcomes.push({
        id: item.id,
        state: 'done',
        message: `confirmed by a status read: ${status.status}`,
      });
    } else if (item.state === 'sending' && resendsSafely(job.action)) {
      await run.repository.settle([{ id: item.id, state: 'pending' }]);
      item.state = 'pending';
      resend.push(target);
    } else if (item.state === 'sending') {
      const seen = status ? `the card is ${status.status}` : 'its outcome could not be read back';
      outcomes.push({
        id: item.id,
        state: 'failed',
        code: 'unconfirmed',
        message: `interrupted during the supplier call and not sent again: ${seen}; re-run the job to retry`,
      });
    } else resend.push(target);
  }
  await run.settle(outcomes, all);
  return resend;
}

/** The job's cards by id, a few hundred per query. */
async function loadCards(
  context: ServiceContext,
  ids: readonly number[],
): Promise<Map<number, StoredCard>> {
  return context.store.cards.getMany(ids);
}

/**
 * Actions an interrupted card may be sent again for: orders carry their idempotency key, and a
 * carrier-side cap set (or cancelled) twice is the same cap.
 */
function resendsSafely(action: BulkJob['action']): boolean {
  return (
    action === 'recharge' ||
    action === 'renew' ||
    action === 'data-cap-set' ||
    action === 'data-cap-cancel'
  );
}
