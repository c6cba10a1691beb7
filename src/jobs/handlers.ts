import { SimdockError } from '../domain/index.js';
import { BULK_JOB_HANDLER, bulkJobHandler } from '../services/bulk-jobs.js';
import type { ServiceContext } from '../services/context.js';
import { type SyncSummary, syncAccount } from '../services/sync.js';
import { WEBHOOKS_JOB_NAME, webhooksJobHandler } from '../services/webhooks-job.js';
import type { JobHandler, JobHandlers } from './job-queue.js';

/** What a `sync` job is asked to do. */
export interface SyncJobPayload {
  /** One account; absent = every enabled account, one after another. */
  account?: string;
  /** Complete CST days of daily usage (0 = none: statuses only; default: the service's 7). */
  days?: number;
  perCardDaily?: boolean;
}

/** What a `sync` job returns: one line per account. */
export interface SyncJobResult {
  accounts: Pick<
    SyncSummary,
    'account' | 'runId' | 'status' | 'cards' | 'synced' | 'failed' | 'calls' | 'rowsWritten'
  >[];
}

/**
 * The `sync` job: syncs the named account (or every enabled one) and reports progress per
 * phase. A retried job resumes the account's unfinished run instead of starting anew. It fails
 * (and so is retried with backoff) when an account's sync stopped early, e.g. supplier down.
 */
export function syncJobHandler(context: ServiceContext): JobHandler<SyncJobPayload | null> {
  return async (payload, job) => {
    const accounts = payload?.account
      ? [payload.account]
      : (await context.store.accounts.list())
          .filter((account) => account.enabled)
          .map((account) => account.id);
    const summaries: SyncSummary[] = [];
    for (const [index, account] of accounts.entries()) {
      const summary = await syncAccount(context, account, {
        ...(payload?.days !== undefined ? { days: payload.days } : {}),
        ...(payload?.perCardDaily !== undefined ? { perCardDaily: payload.perCardDaily } : {}),
        resume: true,
        abortSignal: job.abortSignal,
        actor: `job:${job.job.id}`,
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
 * Every job handler simdock has, by job name. `simdock worker` (and `serve` running jobs in
 * process) registers these; a feature with background work adds its handler here.
 */
export function jobHandlers(context: ServiceContext): JobHandlers {
  return {
    sync: syncJobHandler(context),
    [WEBHOOKS_JOB_NAME]: webhooksJobHandler(context),
    [BULK_JOB_HANDLER]: bulkJobHandler(context),
  };
}
