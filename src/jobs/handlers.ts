import { hostname } from 'node:os';
import { errorMessage, SimdockError } from '../domain/index.js';
import { BULK_JOB_HANDLER, bulkJobHandler } from '../services/bulk/bulk-jobs.js';
import type { ServiceContext } from '../services/context.js';
import {
  CARD_EXPORT_JOB_NAME,
  cardExportJobHandler,
} from '../services/inventory/card-export-jobs.js';
import type { JobHandler, JobHandlers, JobQueue } from '../services/job-queue.js';
import {
  NOTIFICATIONS_DAILY_JOB_NAME,
  NOTIFICATIONS_JOB_NAME,
  notificationsDailyJobHandler,
  notificationsJobHandler,
} from '../services/notifications/notifications-job.js';
import { withLogFields } from '../services/observability/index.js';
import type { BatchFailure } from '../services/sync/batch-runner.js';
import {
  abandonSlice,
  finishSync,
  planSync,
  resumableRun,
  type SyncOptions,
  type SyncSummary,
  slicePlace,
  syncAccount,
  syncSlice,
} from '../services/sync/sync.js';
import { WEBHOOKS_JOB_NAME, webhooksJobHandler } from '../services/webhooks/webhooks-job.js';
import { SyncCheckpoints } from '../store/repositories/sync-checkpoints.js';

/** The job that syncs one slice of a planned run (enqueued by the `sync` job). */
export const SYNC_SLICE_JOB_NAME = 'sync-slice';

/** What a `sync` job is asked to do. */
export interface SyncJobPayload {
  /** One account; absent = every enabled account, one after another. */
  account?: string;
  /** Complete CST days of daily usage (0 = none: statuses only; default: the service's 7). */
  days?: number;
  perCardDaily?: boolean;
  /** `previous` reads last month's usage (the month-end reconciliation). */
  month?: 'current' | 'previous';
  /** Ask final, stored days and months again (`simdock sync --full`). */
  full?: boolean;
  /** Batches in flight at once within a slice (default 4). */
  concurrency?: number;
  /** Cards per slice (default 2,000). */
  sliceSize?: number;
}

/** What a `sync-slice` job is asked to do. */
export interface SyncSliceJobPayload {
  account: string;
  runId: number;
  slice: number;
  concurrency?: number;
}

/** One account's line in a `sync` job's result. */
export type SyncJobAccount =
  | Pick<
      SyncSummary,
      'account' | 'runId' | 'status' | 'cards' | 'synced' | 'failed' | 'calls' | 'rowsWritten'
    >
  | {
      account: string;
      runId: number;
      /** The run was planned (or resumed) and its slices handed to the queue. */
      status: 'distributed';
      cards: number;
      slices: number;
      /**
       * Slices handed to the queue (slices finished earlier, by a crashed run, are not): the
       * first pass over each range now, each later pass by the one before it over that range.
       */
      queued: number;
    };

/** What a `sync` job returns: one line per account. */
export interface SyncJobResult {
  accounts: SyncJobAccount[];
}

/** What a `sync-slice` job returns. */
export interface SyncSliceJobResult {
  runId: number;
  slice: number;
  /** Why the run stopped in this slice (or in an earlier one), null when it did not. */
  stoppedBy: BatchFailure | null;
  /** The run's summary when this slice was the last one and this job closed the run. */
  finished: SyncSummary | null;
  /** The process that ran the slice (`host:pid`), to see how workers shared a run. */
  ranBy: string;
}

/** What the handlers need besides the service context. */
export interface JobHandlerOptions {
  /**
   * The queue the handlers run on. Given, a `sync` job plans the run and enqueues one
   * `sync-slice` job per slice, so that every worker on the queue takes a share; absent, it
   * syncs every slice itself.
   */
  queue?: JobQueue;
}

async function accountsOf(context: ServiceContext, payload: SyncJobPayload | null) {
  return payload?.account
    ? [payload.account]
    : (await context.store.accounts.list())
        .filter((account) => account.enabled)
        .map((account) => account.id);
}

/** What a `sync` job's payload asks of the sync service. */
function syncOptionsOf(payload: SyncJobPayload | null): SyncOptions {
  return {
    ...(payload?.days !== undefined ? { days: payload.days } : {}),
    ...(payload?.perCardDaily !== undefined ? { perCardDaily: payload.perCardDaily } : {}),
    ...(payload?.month !== undefined ? { month: payload.month } : {}),
    ...(payload?.full !== undefined ? { full: payload.full } : {}),
    ...(payload?.concurrency !== undefined ? { concurrency: payload.concurrency } : {}),
    ...(payload?.sliceSize !== undefined ? { sliceSize: payload.sliceSize } : {}),
  };
}

/** Queues one slice of a run; idempotent by its key (`sync-slice:<runId>:<slice>`). */
async function enqueueSlice(
  queue: JobQueue,
  slice: Omit<SyncSliceJobPayload, 'concurrency'>,
  options: { concurrency?: number | undefined } | null,
  actor: string,
): Promise<void> {
  const payload: SyncSliceJobPayload = {
    ...slice,
    ...(options?.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
  };
  await queue.enqueue({
    name: SYNC_SLICE_JOB_NAME,
    payload,
    key: `sync-slice:${slice.runId}:${slice.slice}`,
    // A slice resumes from its checkpoints, so an attempt lost to a crash costs little; a
    // slice whose attempts ran out is enqueued again by the next `sync` job of the account.
    maxAttempts: 10,
    createdBy: actor,
  });
}

/**
 * Plans (or resumes) one account's run and enqueues its unfinished slices. The key
 * `sync-slice:<runId>:<slice>` makes enqueuing idempotent: a `sync` job retried, or run again
 * while the slices are at work, adds no second job for a slice, and a retried job finds the run
 * it planned (`job`, `job:<id>`) rather than planning another once that run has closed. When
 * every slice is already done (a process died before closing the run), the run is closed here.
 */
async function distribute(
  context: ServiceContext,
  queue: JobQueue,
  account: string,
  payload: SyncJobPayload | null,
  actor: string,
  job: string,
): Promise<SyncJobAccount> {
  const checkpoints = new SyncCheckpoints(context.store, () => context.clock.now());
  const options = syncOptionsOf(payload);
  // A retried job takes up the run it planned before it died, even one closed meanwhile.
  const plan =
    (await checkpoints.plannedBy(account, job)) ??
    (await resumableRun(context, account, options)) ??
    (await planSync(context, account, { ...options, actor, plannedBy: job }));
  const slices = await checkpoints.slices(plan.runId);
  const pending = plan.finishedAt === null ? slices.filter((slice) => slice.state !== 'done') : [];
  // The first pass not done over each range of cards; each slice queues the next pass over its
  // range when it ends (`enqueueSlice`), so two workers never take two passes of one range.
  const first = new Map<number, number>();
  for (const slice of pending) {
    const { range } = slicePlace(plan.params, slice.slice, slices.length);
    if (!first.has(range)) first.set(range, slice.slice);
  }
  for (const slice of first.values()) {
    await enqueueSlice(queue, { account, runId: plan.runId, slice }, payload, actor);
  }
  if (pending.length === 0 && plan.finishedAt === null) await finishSync(context, plan.runId);
  return {
    account,
    runId: plan.runId,
    status: 'distributed',
    cards: plan.cards,
    slices: slices.length,
    queued: pending.length,
  };
}

/**
 * The `sync` job. With a queue (see `JobHandlerOptions`) it plans each account's run and hands
 * the slices to `sync-slice` jobs; without, it syncs the named account (or every enabled one)
 * here and reports progress per phase. Either way a retried job resumes the account's
 * unfinished run instead of starting anew. Run here, it fails (and so is retried with backoff)
 * when an account's sync stopped early, e.g. supplier down.
 */
export function syncJobHandler(
  context: ServiceContext,
  options: JobHandlerOptions = {},
): JobHandler<SyncJobPayload | null> {
  return async (payload, job) => {
    const accounts = await accountsOf(context, payload);
    const actor = job.job.createdBy ?? `job:${job.job.id}`;
    const { queue } = options;
    if (queue) {
      const lines: SyncJobAccount[] = [];
      for (const account of accounts) {
        lines.push(await distribute(context, queue, account, payload, actor, `job:${job.job.id}`));
      }
      return { accounts: lines } satisfies SyncJobResult;
    }
    const summaries: SyncSummary[] = [];
    for (const [index, account] of accounts.entries()) {
      const summary = await syncAccount(context, account, {
        ...syncOptionsOf(payload),
        resume: true,
        abortSignal: job.abortSignal,
        actor: `job:${job.job.id}`,
        plannedBy: `job:${job.job.id}`,
        onProgress: (progress) => {
          void job
            .progress({
              done: progress.done,
              total: progress.total,
              message: `${account} (${index + 1}/${accounts.length}): ${progress.phase}`,
            })
            .catch(() => {});
        },
      });
      summaries.push(summary);
    }
    const stopped = summaries.filter((summary) => summary.status === 'failed');
    if (stopped.length > 0) {
      throw new SimdockError(
        'supplier_unavailable',
        `sync failed for ${stopped
          .map((summary) => `${summary.account} (${summary.stoppedBy?.message ?? 'stopped'})`)
          .join(', ')}`,
      );
    }
    const result: SyncJobResult = {
      accounts: summaries.map(
        ({ account, runId, status, cards, synced, failed, calls, rowsWritten }) => ({
          account,
          runId,
          status,
          cards,
          synced,
          failed,
          calls,
          rowsWritten,
        }),
      ),
    };
    return result;
  };
}

/**
 * The `sync-slice` job: syncs one slice of a planned run (skipping the batches a crashed
 * attempt finished), then closes the run if this was its last slice. When another slice
 * already stopped the run (bad credentials, supplier down), this one is settled as failed with
 * the same reason without calling the supplier.
 */
export function syncSliceJobHandler(
  context: ServiceContext,
  options: JobHandlerOptions = {},
): JobHandler<SyncSliceJobPayload> {
  return async (payload, job) => {
    const runId = Number(payload.runId);
    const sliceNumber = Number(payload.slice);
    const checkpoints = new SyncCheckpoints(context.store, () => context.clock.now());
    const slices = await checkpoints.slices(runId);
    const stoppedSlice = slices.find((slice) => slice.stoppedBy);
    let stoppedBy: BatchFailure | null = null;
    if (stoppedSlice) {
      stoppedBy = JSON.parse(stoppedSlice.stoppedBy!) as BatchFailure;
      await abandonSlice(context, runId, sliceNumber, stoppedBy);
    } else {
      ({ stoppedBy } = await syncSlice(context, runId, sliceNumber, {
        ...(payload.concurrency !== undefined ? { concurrency: payload.concurrency } : {}),
        abortSignal: job.abortSignal,
      }));
    }
    // The next pass over this slice's range of cards, now that this one has read what it
    // needs (identifiers, statuses); a stopped run's next slices settle as this one did.
    const plan = await checkpoints.plan(runId);
    const next = plan ? slicePlace(plan.params, sliceNumber, slices.length).next : null;
    if (options.queue && plan?.finishedAt === null && next !== null) {
      await enqueueSlice(
        options.queue,
        { account: payload.account, runId, slice: next },
        payload,
        job.job.createdBy ?? `job:${job.job.id}`,
      );
    }
    const result: SyncSliceJobResult = {
      runId,
      slice: sliceNumber,
      stoppedBy,
      finished: await finishSync(context, runId),
      ranBy: `${hostname()}:${process.pid}`,
    };
    return result;
  };
}

/**
 * Every job handler simdock has, by job name. `simdock worker` (and `serve` running jobs in
 * process) registers these, passing the queue they run on; a feature with background work
 * adds its handler here.
 */
export function jobHandlers(context: ServiceContext, options: JobHandlerOptions = {}): JobHandlers {
  return observeJobHandlers(context, {
    sync: syncJobHandler(context, options),
    [SYNC_SLICE_JOB_NAME]: syncSliceJobHandler(context, options),
    [WEBHOOKS_JOB_NAME]: webhooksJobHandler(context),
    [BULK_JOB_HANDLER]: bulkJobHandler(context),
    [CARD_EXPORT_JOB_NAME]: cardExportJobHandler(context),
    [NOTIFICATIONS_JOB_NAME]: notificationsJobHandler(context),
    [NOTIFICATIONS_DAILY_JOB_NAME]: notificationsDailyJobHandler(context),
  });
}

/**
 * Each handler logged and counted: a line when a job starts and one when it ends (with its
 * outcome and duration), every line written inside carrying the job's id and name; runs and
 * durations in the metrics by job name and outcome.
 */
export function observeJobHandlers(context: ServiceContext, handlers: JobHandlers): JobHandlers {
  const { logger, metrics } = context.telemetry;
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handler]): [string, JobHandler] => [
      name,
      (payload, jobContext) =>
        withLogFields({ jobId: jobContext.job.id, job: name }, async () => {
          const started = performance.now();
          const attempt = jobContext.job.attempts;
          logger.info({ attempt }, 'job started');
          const ended = (outcome: string, error?: unknown) => {
            const seconds = (performance.now() - started) / 1000;
            metrics?.jobRuns.inc({ job: name, outcome });
            metrics?.jobSeconds.observe({ job: name }, seconds);
            const line = { attempt, outcome, ms: Math.round(seconds * 1000) };
            if (error === undefined) logger.info(line, 'job ended');
            else
              logger[outcome === 'cancelled' ? 'info' : 'error'](
                { ...line, err: errorMessage(error) },
                'job ended',
              );
          };
          try {
            const result = await handler(payload, jobContext);
            ended('succeeded');
            return result;
          } catch (error) {
            ended(jobContext.abortSignal.aborted ? 'cancelled' : 'failed', error);
            throw error;
          }
        }),
    ]),
  );
}
