import { SimdockError } from '../../domain/index.js';
import {
  parseCardFilter,
  type SelectedCard,
  type SelectionProblem,
  selectCardsByFilter,
  selectCardsByIdentifiers,
} from '../../store/card-filter.js';
import {
  type BulkAction,
  type BulkJob,
  BulkJobsRepository,
  isBulkAction,
} from '../../store/repositories/bulk-repository.js';
import { offCalendarUsageCycles } from '../billing/card-cycles.js';
import type { ServiceContext } from '../context.js';
import type { JobHandler, JobQueue, JobRecord } from '../job-queue.js';
import {
  type BulkJobSummary,
  type BulkProgress,
  type RunBulkJobOptions,
  runBulkJob,
} from './bulk-runner.js';

/** Cards one job may hold. */
export const BULK_JOB_MAX_CARDS = 100_000;

/** The job-queue task name bulk jobs run under (see `bulkJobHandler`). */
export const BULK_JOB_HANDLER = 'bulk';

/** Which cards a job acts on: identifiers (arguments, a file's lines), card ids, or a filter. */
export interface BulkSelection {
  /** ICCIDs, MSISDNs or IMSIs. */
  identifiers?: string[];
  /** simdock card ids. */
  cardIds?: number[];
  /** A card filter (card-filter.ts), e.g. `status=active AND account=cmcc AND usage>500MB`. */
  filter?: string;
}

/** The cards a selection resolved to, per account, before anything is created or sent. */
export interface BulkPlan {
  cards: SelectedCard[];
  /** Identifiers that matched no card, or several. */
  problems: SelectionProblem[];
  accounts: { account: string; supplier: string; cards: number }[];
}

/** Resolves a selection; more than `BULK_JOB_MAX_CARDS` cards is an `invalid_argument`. */
export async function planBulkSelection(
  context: ServiceContext,
  selection: BulkSelection,
): Promise<BulkPlan> {
  const hasList = (selection.identifiers?.length ?? 0) + (selection.cardIds?.length ?? 0) > 0;
  if (hasList && selection.filter) {
    throw new SimdockError(
      'invalid_argument',
      'give either cards (IDs, a file) or a filter, not both',
    );
  }
  if (!hasList && !selection.filter) {
    throw new SimdockError('invalid_argument', 'no cards given: name IDs, a file or a filter');
  }
  const chosen = new Map<number, SelectedCard>();
  const problems: SelectionProblem[] = [];
  if (selection.filter) {
    const filter = parseCardFilter(selection.filter);
    const found = await selectCardsByFilter(context, filter, {
      limit: BULK_JOB_MAX_CARDS + 1,
      // `usage` conditions count each card's billing cycle.
      ...(filter.conditions.some((condition) => condition.field === 'usage')
        ? { cycles: await offCalendarUsageCycles(context) }
        : {}),
    });
    for (const card of found) chosen.set(card.cardId, card);
  }
  if (selection.identifiers?.length) {
    const found = await selectCardsByIdentifiers(context, selection.identifiers);
    for (const card of found.cards) chosen.set(card.cardId, card);
    problems.push(...found.problems);
  }
  for (const id of selection.cardIds ?? []) {
    const card = await context.store.cards.get(id);
    if (!card) problems.push({ value: String(id), reason: `no card with id ${id}` });
    else {
      chosen.set(id, {
        cardId: id,
        account: card.account,
        supplier: card.supplier,
        status: card.status,
      });
    }
  }
  if (chosen.size > BULK_JOB_MAX_CARDS) {
    throw new SimdockError(
      'invalid_argument',
      `a job holds at most ${BULK_JOB_MAX_CARDS} cards; the selection has more: narrow it`,
    );
  }
  const cards = [...chosen.values()].sort((a, b) => a.cardId - b.cardId);
  const accounts = new Map<string, { account: string; supplier: string; cards: number }>();
  for (const card of cards) {
    const entry = accounts.get(card.account) ?? {
      account: card.account,
      supplier: card.supplier,
      cards: 0,
    };
    entry.cards += 1;
    accounts.set(card.account, entry);
  }
  return { cards, problems, accounts: [...accounts.values()] };
}

/** Checks an action's parameters; returns them normalized. */
export function bulkParams(
  action: BulkAction,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const bad = (message: string) =>
    new SimdockError('invalid_argument', message, { details: { action } });
  if (action === 'sms') {
    if (typeof params.text !== 'string' || params.text.trim() === '')
      throw bad('an SMS needs a text');
    return { text: params.text };
  }
  if (action === 'recharge') {
    if (params.productId === undefined || params.productId === '')
      throw bad('recharge needs a product id');
    if (typeof params.productName !== 'string' || params.productName === '') {
      throw bad('recharge needs the product name (see `simdock orders products`)');
    }
    return { ...params };
  }
  if (action === 'speed-limit') {
    if (typeof params.speedCode !== 'string' || params.speedCode.trim() === '') {
      throw bad('a speed limit needs the supplier speed code (speedCode)');
    }
    return { speedCode: params.speedCode.trim() };
  }
  if (action === 'data-cap-set') {
    const capBytes = params.capBytes;
    if (typeof capBytes !== 'number' || !Number.isSafeInteger(capBytes) || capBytes <= 0) {
      throw bad('a carrier-side data cap needs capBytes, a whole number of bytes above 0');
    }
    return { capBytes };
  }
  if (action === 'renew') {
    const cycle = Number(params.cycle ?? 1);
    if (!Number.isInteger(cycle) || cycle < 1) throw bad('renew needs a cycle of 1 or more years');
    return { ...params, cycle };
  }
  return {};
}

export interface CreateBulkJobInput {
  action: string;
  params?: Record<string, unknown>;
  cards: BulkSelection;
  /** Who asked (a user, an API key, `cli`). */
  actor: string;
}

/** Resolves the selection into a job with one `pending` item per card. */
export async function createBulkJob(
  context: ServiceContext,
  input: CreateBulkJobInput,
): Promise<{ job: BulkJob; problems: SelectionProblem[] }> {
  if (!isBulkAction(input.action)) {
    throw new SimdockError('invalid_argument', `unknown bulk action "${input.action}"`);
  }
  const params = bulkParams(input.action, input.params ?? {});
  const plan = await planBulkSelection(context, input.cards);
  if (plan.cards.length === 0) {
    throw new SimdockError('not_found', 'the selection matches no card', {
      details: { problems: plan.problems.length },
    });
  }
  const repository = new BulkJobsRepository(context.store, () => context.clock.now());
  const job = await repository.create({
    action: input.action,
    params,
    selection: {
      ...(input.cards.filter ? { filter: input.cards.filter } : {}),
      ...(input.cards.identifiers?.length ? { identifiers: input.cards.identifiers.length } : {}),
      ...(input.cards.cardIds?.length ? { cardIds: input.cards.cardIds.length } : {}),
    },
    createdBy: input.actor,
    cards: plan.cards.map((card) => ({ cardId: card.cardId, account: card.account })),
  });
  return { job, problems: plan.problems };
}

/**
 * Hands a job to the queue (task `bulk`, keyed by the job so it is queued once) when one is
 * given; otherwise runs it here and returns its summary.
 */
export async function startBulkJob(
  context: ServiceContext,
  jobId: number,
  options: RunBulkJobOptions & { queue?: JobQueue; actor?: string } = {},
): Promise<{ queued: JobRecord } | { summary: BulkJobSummary }> {
  if (options.queue) {
    const queued = await options.queue.enqueue({
      name: BULK_JOB_HANDLER,
      payload: { jobId },
      key: `bulk:${jobId}`,
      queue: `bulk:${jobId}`,
      maxAttempts: 1,
      ...(options.actor ? { createdBy: options.actor } : {}),
    });
    await new BulkJobsRepository(context.store).update(jobId, { queueJobId: queued.id });
    return { queued };
  }
  return { summary: await runBulkJob(context, jobId, options) };
}

/**
 * The job-queue handler running bulk jobs (`{jobId}` payloads), for src/jobs/handlers.ts.
 * Progress goes to the queue's record; a cancelled queue job stops between chunks.
 */
export function bulkJobHandler(context: ServiceContext): JobHandler<{ jobId: number }> {
  return async (payload, job) => {
    let last = 0;
    const summary = await runBulkJob(context, Number(payload.jobId), {
      abortSignal: job.abortSignal,
      progress: (progress: BulkProgress) => {
        const now = context.clock.now();
        if (progress.settled < progress.total && now - last < 1000 && !progress.waiting) return;
        last = now;
        const waiting = progress.waiting
          ? `; ${progress.waiting.cards} cards of ${progress.waiting.account} wait for the supplier's cooldown until ${new Date(progress.waiting.until).toISOString()}`
          : '';
        void job
          .progress({
            done: progress.settled,
            total: progress.total,
            message: `${progress.done} done, ${progress.skipped} skipped, ${progress.failed} failed${waiting}`,
          })
          .catch(() => {});
      },
    });
    if (summary.job.state === 'cancelled') job.abortSignal.throwIfAborted();
    const { id, state, total, done, skipped, failed } = summary.job;
    return { job: id, state, total, done, skipped, failed };
  };
}
