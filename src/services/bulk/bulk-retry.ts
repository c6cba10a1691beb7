import { SimdockError } from '../../domain/index.js';
import {
  type BulkItemState,
  type BulkJob,
  BulkJobsRepository,
} from '../../store/repositories/bulk-repository.js';
import type { ServiceContext } from '../context.js';

/** Job states after which nothing more runs: a retry may be made of these. */
const ENDED = new Set(['succeeded', 'partial', 'failed', 'cancelled']);

/**
 * The items a retry takes again: the failed ones, and those the job never ran (`pending` once it
 * ended, as a cancel leaves them). `sending` items are left out: their call may have reached the
 * supplier, and re-running the original job (`simdock cards <action> --job N`) reads them back.
 */
const RETRIED: readonly BulkItemState[] = ['failed', 'pending'];

/** Items read per page while gathering the cards of a retry. */
const PAGE = 5000;

/**
 * Creates a new job of the same action and parameters over the failed and never-run cards of
 * an ended job, linked to it by `selection.retryOf`. The original is left as it was. A job still
 * pending or running, one with nothing to retry, or one already retried (once is enough: the
 * retry job holds what is left; details name it) is a `conflict`. The new job is `pending`:
 * the caller starts it (queue or in-process) as it starts any job.
 */
export async function createRetryJob(
  context: ServiceContext,
  jobId: number,
  actor: string,
): Promise<BulkJob> {
  const repository = new BulkJobsRepository(context.store, () => context.clock.now());
  const job = await repository.get(jobId);
  if (!job)
    throw new SimdockError('not_found', `no bulk job ${jobId}`, { details: { job: jobId } });
  const retried = async () => {
    const earlier = await repository.retryOf(job.id);
    if (!earlier) return;
    throw new SimdockError(
      'conflict',
      `job ${job.id} was already retried as job ${earlier.id}: retry that one for what it left`,
      { details: { job: job.id, retry: earlier.id } },
    );
  };
  await retried();
  if (!ENDED.has(job.state)) {
    throw new SimdockError('conflict', `job ${job.id} is still ${job.state}: cancel it first`, {
      details: { job: job.id, state: job.state },
    });
  }
  const cards: { cardId: number; account: string }[] = [];
  const counts: Record<string, number> = {};
  for (const state of RETRIED) {
    let afterId = 0;
    for (;;) {
      const page = await repository.items(job.id, { state, afterId, limit: PAGE });
      for (const item of page) cards.push({ cardId: item.cardId, account: item.account });
      counts[state] = (counts[state] ?? 0) + page.length;
      if (page.length < PAGE) break;
      afterId = page.at(-1)!.id;
    }
  }
  if (cards.length === 0) {
    throw new SimdockError('conflict', `job ${job.id} has no failed or unrun card to retry`, {
      details: { job: job.id, state: job.state },
    });
  }
  cards.sort((a, b) => a.cardId - b.cardId);
  try {
    return await repository.create({
      action: job.action,
      params: job.params,
      selection: {
        retryOf: job.id,
        failed: counts.failed ?? 0,
        notRun: counts.pending ?? 0,
      },
      createdBy: actor,
      cards,
      retryOf: job.id,
    });
  } catch (error) {
    // Another request retried it meanwhile: say which job it made.
    if (SimdockError.isInstance(error) && error.code === 'already_exists') await retried();
    throw error;
  }
}
