import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SimdockError } from '../../../domain/index.js';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import type { Principal } from '../../../services/access/access-roles.js';
import {
  type BulkSelection,
  createBulkJob,
  planBulkSelection,
  startBulkJob,
} from '../../../services/bulk/bulk-jobs.js';
import { createRetryJob } from '../../../services/bulk/bulk-retry.js';
import { runBulkJob } from '../../../services/bulk/bulk-runner.js';
import type { ServiceContext } from '../../../services/context.js';
import {
  BULK_ACTIONS,
  type BulkJob,
  BulkJobsRepository,
} from '../../../store/repositories/bulk-repository.js';
import {
  type ApiEnv,
  createRouter,
  principal,
  scopedCards,
  serviceContext,
} from '../../api-env.js';
import {
  ERROR_RESPONSES,
  errorContent,
  IdParams,
  isoInstant,
  jsonBody,
  jsonResponse,
  queryNumber,
  queryNumberOr,
} from '../../api-schemas.js';

const Selection = z
  .union([
    z.strictObject({ cardIds: z.array(z.number().int().positive()).min(1).max(100_000) }),
    z.strictObject({ filter: z.string().min(1).max(2000) }),
    z.strictObject({ identifiers: z.array(z.string().min(1).max(64)).min(1).max(100_000) }),
  ])
  .openapi('BulkSelection', {
    description: 'Card ids, a card filter (`status=active AND usage>500MB`) or identifiers',
  });

/** Non-blank text (what `bulkParams` in src/services/bulk/bulk-jobs.ts refuses: empty or spaces). */
const nonBlank = (max: number) => z.string().min(1).max(max).regex(/\S/, 'must not be blank');

/** The optional order fields both order actions pass to the supplier (bulk-actions.ts). */
const orderFields = {
  remark: z.string().max(200).optional(),
  months: z.number().int().positive().max(120).optional(),
};

/**
 * Each action's parameters, as `bulkParams` checks them: an SMS needs its text, a recharge its
 * product, a speed limit its supplier speed code, a data cap its bytes, a renewal a cycle
 * (default 1 year); the other actions take none.
 */
const PARAMS_BY_ACTION = {
  sms: z.strictObject({ text: nonBlank(1000) }),
  recharge: z.strictObject({
    productId: z.union([nonBlank(100), z.number().int().positive()]),
    productName: nonBlank(200).openapi({ description: 'As `simdock orders products` lists it' }),
    ...orderFields,
  }),
  renew: z.strictObject({
    cycle: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'Years (default 1)' }),
    productId: z.union([nonBlank(100), z.number().int().positive()]).optional(),
    productName: nonBlank(200).optional(),
    ...orderFields,
  }),
  'speed-limit': z.strictObject({
    speedCode: nonBlank(64).openapi({ description: 'The supplier’s speed code' }),
  }),
  'data-cap-set': z.strictObject({
    capBytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  }),
} as const;

function jobVariant<Action extends (typeof BULK_ACTIONS)[number]>(action: Action) {
  const params = (PARAMS_BY_ACTION as Record<string, z.ZodType>)[action];
  return z.strictObject({
    action: z.literal(action),
    selection: Selection,
    // Actions without parameters take none (an empty object, or nothing).
    params: params ?? z.strictObject({}).optional(),
  });
}

/** A bulk job to create: one shape per action, each with the parameters it requires. */
const JobBody = z
  .discriminatedUnion(
    'action',
    BULK_ACTIONS.map((action) => jobVariant(action)) as unknown as [
      ReturnType<typeof jobVariant>,
      ...ReturnType<typeof jobVariant>[],
    ],
  )
  .openapi('BulkJobBody');

const JobSchema = z
  .object({
    id: z.number().int(),
    action: z.enum(BULK_ACTIONS),
    params: z.record(z.string(), z.unknown()),
    selection: z.record(z.string(), z.unknown()),
    state: z.enum(['pending', 'running', 'succeeded', 'partial', 'failed', 'cancelled']),
    total: z.number().int(),
    done: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
    runs: z.number().int(),
    queued: z.boolean(),
    createdBy: z.string(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('BulkJob');

const PlanSchema = z.object({
  total: z.number().int(),
  accounts: z.array(
    z.object({ account: z.string(), supplier: z.string(), cards: z.number().int() }),
  ),
  problems: z.array(z.object({ identifier: z.string(), reason: z.string() })),
});

const plan = createRoute({
  method: 'post',
  path: '/plan',
  tags: ['jobs'],
  summary: 'What a selection means before anything is sent: cards per account and supplier',
  request: { body: jsonBody(z.strictObject({ selection: Selection })) },
  responses: { 200: jsonResponse(PlanSchema, 'The plan'), ...ERROR_RESPONSES },
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['jobs'],
  summary: 'Create and start a bulk job (operator role)',
  request: {
    body: jsonBody(JobBody),
  },
  responses: {
    202: jsonResponse(
      z.object({ job: JobSchema, problems: PlanSchema.shape.problems }),
      'Created; it runs in the background',
    ),
    ...ERROR_RESPONSES,
  },
});

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['jobs'],
  summary: 'Bulk jobs, newest first (the caller’s cards only)',
  request: {
    query: z.strictObject({
      state: JobSchema.shape.state.optional(),
      limit: queryNumberOr(50, { min: 1, max: 200 }),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ jobs: z.array(JobSchema) }), 'Jobs'),
    ...ERROR_RESPONSES,
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['jobs'],
  summary: 'One job with its counters',
  request: { params: IdParams },
  responses: { 200: jsonResponse(JobSchema, 'The job'), ...ERROR_RESPONSES },
});

const items = createRoute({
  method: 'get',
  path: '/{id}/items',
  tags: ['jobs'],
  summary: 'Per-card results, by item id, one page at a time',
  request: {
    params: IdParams,
    query: z.strictObject({
      state: z.enum(['pending', 'sending', 'done', 'skipped', 'failed']).optional(),
      after: queryNumber({ min: 0 }).optional().openapi({ description: 'Item id cursor' }),
      limit: queryNumberOr(100, { min: 1, max: 1000 }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        items: z.array(
          z.object({
            id: z.number().int(),
            cardId: z.number().int(),
            account: z.string(),
            state: z.string(),
            code: z.string().nullable(),
            supplierCode: z.string().nullable(),
            message: z.string().nullable(),
            supplierRef: z.string().nullable(),
            attempts: z.number().int(),
            updatedAt: z.string(),
          }),
        ),
        nextCursor: z.number().int().nullable(),
      }),
      'One page of items',
    ),
    ...ERROR_RESPONSES,
  },
});

const cancel = createRoute({
  method: 'post',
  path: '/{id}/cancel',
  tags: ['jobs'],
  summary: 'Stop a job between chunks (operator role); a finished job is a conflict',
  request: { params: IdParams },
  responses: { 200: jsonResponse(JobSchema, 'The job after the request'), ...ERROR_RESPONSES },
});

const retry = createRoute({
  method: 'post',
  path: '/{id}/retry',
  tags: ['jobs'],
  summary: 'A new job over the failed and never-run cards of an ended job (operator role)',
  description:
    'Creates and starts a job of the same action and parameters over the cards that failed, ' +
    'or were never run (a cancelled job’s rest), of the job `id`; cards done or skipped are ' +
    'left out. The new job names the original in `selection.retryOf` and carries how many ' +
    'failed and unrun cards it took (`selection.failed`, `selection.notRun`). The original is ' +
    'not changed. A job is retried once (two retries asked at once make one job): retry the ' +
    'retry job for what it left. 409 when the job is still pending or running, has nothing to ' +
    'retry, or was retried already (`details.retry` names that job).',
  request: { params: IdParams },
  responses: {
    202: jsonResponse(z.object({ job: JobSchema }), 'Created; it runs in the background'),
    409: errorContent('The job has not ended, has no failed or unrun card, or was retried already'),
    ...ERROR_RESPONSES,
  },
});

/** Inline runs (no queue) in this process, by job id, so a cancel can stop them. */
const inlineRuns = new WeakMap<ServiceContext, Map<number, AbortController>>();

function jobView(job: BulkJob) {
  return {
    id: job.id,
    action: job.action,
    params: job.params,
    selection: job.selection,
    state: job.state,
    total: job.total,
    done: job.done,
    skipped: job.skipped,
    failed: job.failed,
    runs: job.runs,
    queued: job.queueJobId !== null,
    createdBy: job.createdBy,
    createdAt: isoInstant(job.createdAt) as string,
    startedAt: isoInstant(job.startedAt),
    finishedAt: isoInstant(job.finishedAt),
  };
}

/** The selection as the service takes it, and the caller's view of it: cards outside do not exist. */
async function scopedSelection(
  c: Context<ApiEnv>,
  selection: z.output<typeof Selection>,
): Promise<{ selection: BulkSelection; hidden: number }> {
  const caller = principal(c);
  if ('cardIds' in selection) await scopedCards(c).requireAll(selection.cardIds);
  if (caller.isRoot || 'cardIds' in selection) return { selection, hidden: 0 };
  const context = serviceContext(c);
  const planned = await planBulkSelection(context, selection);
  const visible = await context.store.cardScope.visibleIds(
    caller,
    planned.cards.map((card) => card.cardId),
  );
  const cardIds = planned.cards.map((card) => card.cardId).filter((id) => visible.has(id));
  return { selection: { cardIds }, hidden: planned.cards.length - cardIds.length };
}

async function planView(c: Context<ApiEnv>, selection: z.output<typeof Selection>) {
  const context = serviceContext(c);
  const scoped = await scopedSelection(c, selection);
  const problems: { identifier: string; reason: string }[] = [];
  if ('identifiers' in selection) {
    const planned = await planBulkSelection(context, selection);
    problems.push(...planned.problems.map((p) => ({ identifier: p.value, reason: p.reason })));
  }
  if (scoped.selection.cardIds?.length === 0) return { total: 0, accounts: [], problems };
  const planned = await planBulkSelection(context, scoped.selection);
  if (scoped.hidden > 0 && 'identifiers' in selection) {
    // Identifiers of cards outside the caller's subtree read as unknown: existence does not leak.
    problems.push({ identifier: '(others)', reason: `${scoped.hidden} matched no card` });
  }
  return { total: planned.cards.length, accounts: planned.accounts, problems };
}

/** A job the caller may see: the root sees all; a tenant, jobs whose every card is its own. */
async function scopedJob(c: Context<ApiEnv>, id: number, caller: Principal): Promise<BulkJob> {
  const context = serviceContext(c);
  const job = await new BulkJobsRepository(context.store).get(id);
  if (job && (caller.isRoot || (await ownsEveryCard(context, caller, [id])).has(id))) return job;
  throw new SimdockError('not_found', `no bulk job ${id}`, { details: { job: id } });
}

/** The ids among `jobIds` whose items all name cards in the caller's subtree. */
async function ownsEveryCard(
  context: ServiceContext,
  caller: Principal,
  jobIds: number[],
): Promise<Set<number>> {
  return new BulkJobsRepository(context.store).jobsWithinSubtree(caller.tenantPath, jobIds);
}

/** Starts a created job: through the queue when one runs, else in this process after the answer. */
async function launchJob(c: Context<ApiEnv>, jobId: number, actor: string): Promise<void> {
  const context = serviceContext(c);
  const queue = c.get('deps').queue;
  if (queue) {
    await startBulkJob(context, jobId, { queue, actor });
    return;
  }
  const controller = new AbortController();
  const runs = inlineRuns.get(context) ?? new Map<number, AbortController>();
  inlineRuns.set(context, runs);
  runs.set(jobId, controller);
  // No queue: the job runs in this process after the answer; failures stay on its items.
  void runBulkJob(context, jobId, { abortSignal: controller.signal })
    .catch((error: unknown) => {
      context.telemetry.logger.error(
        { jobId, err: error instanceof Error ? error.message : String(error) },
        'bulk job stopped',
      );
    })
    .finally(() => runs.delete(jobId));
}

/** `/api/v1/jobs`: bulk lifecycle, SMS and order jobs over the caller's cards. */
export function jobsRouter() {
  return createRouter()
    .openapi(plan, async (c) => c.json(await planView(c, c.req.valid('json').selection), 200))
    .openapi(create, async (c) => {
      const caller = principal(c, 'operator');
      const context = serviceContext(c);
      const body = c.req.valid('json');
      const scoped = await scopedSelection(c, body.selection);
      if (scoped.selection.cardIds?.length === 0) {
        throw new SimdockError('not_found', 'the selection matches no card');
      }
      const created = await createBulkJob(context, {
        action: body.action,
        params: (body.params ?? {}) as Record<string, unknown>,
        cards: scoped.selection,
        actor: caller.actor,
      });
      await recordScopedAudit(context.store, caller, {
        action: `jobs.${body.action}`,
        targetType: 'job',
        targetId: String(created.job.id),
        outcome: 'succeeded',
        details: { cards: created.job.total },
      });
      await launchJob(c, created.job.id, caller.actor);
      const job = await new BulkJobsRepository(context.store).require(created.job.id);
      const problems = created.problems.map((p) => ({ identifier: p.value, reason: p.reason }));
      return c.json({ job: jobView(job), problems }, 202);
    })
    .openapi(list, async (c) => {
      const caller = principal(c);
      const context = serviceContext(c);
      const query = c.req.valid('query');
      const repository = new BulkJobsRepository(context.store);
      const jobs = await repository.list({
        limit: caller.isRoot ? query.limit : 1000,
        state: query.state,
      });
      if (caller.isRoot) return c.json({ jobs: jobs.map(jobView) }, 200);
      const owned = await ownsEveryCard(
        context,
        caller,
        jobs.map((job) => job.id),
      );
      const visible = jobs.filter((job) => owned.has(job.id)).slice(0, query.limit);
      return c.json({ jobs: visible.map(jobView) }, 200);
    })
    .openapi(get, async (c) => {
      const job = await scopedJob(c, c.req.valid('param').id, principal(c));
      return c.json(jobView(job), 200);
    })
    .openapi(items, async (c) => {
      const job = await scopedJob(c, c.req.valid('param').id, principal(c));
      const query = c.req.valid('query');
      const page = await new BulkJobsRepository(serviceContext(c).store).items(job.id, {
        ...(query.state ? { state: query.state } : {}),
        afterId: query.after ?? 0,
        limit: query.limit + 1,
      });
      const shown = page.slice(0, query.limit);
      return c.json(
        {
          items: shown.map((item) => ({
            id: item.id,
            cardId: item.cardId,
            account: item.account,
            state: item.state,
            code: item.code,
            supplierCode: item.supplierCode,
            message: item.message,
            supplierRef: item.supplierRef,
            attempts: item.attempts,
            updatedAt: isoInstant(item.updatedAt) as string,
          })),
          nextCursor: page.length > query.limit ? (shown.at(-1)?.id ?? null) : null,
        },
        200,
      );
    })
    .openapi(retry, async (c) => {
      const caller = principal(c, 'operator');
      const context = serviceContext(c);
      const original = await scopedJob(c, c.req.valid('param').id, caller);
      const created = await createRetryJob(context, original.id, caller.actor);
      await recordScopedAudit(context.store, caller, {
        action: 'jobs.retry',
        targetType: 'job',
        targetId: String(created.id),
        outcome: 'succeeded',
        details: { retryOf: original.id, cards: created.total },
      });
      await launchJob(c, created.id, caller.actor);
      const job = await new BulkJobsRepository(context.store).require(created.id);
      return c.json({ job: jobView(job) }, 202);
    })
    .openapi(cancel, async (c) => {
      const caller = principal(c, 'operator');
      const context = serviceContext(c);
      const job = await scopedJob(c, c.req.valid('param').id, caller);
      if (!['pending', 'running'].includes(job.state)) {
        throw new SimdockError('conflict', `job ${job.id} is already ${job.state}`, {
          details: { job: job.id, state: job.state },
        });
      }
      const repository = new BulkJobsRepository(context.store, () => context.clock.now());
      const inline = inlineRuns.get(context)?.get(job.id);
      const queue = c.get('deps').queue;
      if (inline) inline.abort();
      else if (job.queueJobId && queue) await queue.cancel(job.queueJobId);
      if (!inline && job.state === 'pending') {
        await repository.update(job.id, { state: 'cancelled', finishedAt: context.clock.now() });
      }
      await recordScopedAudit(context.store, caller, {
        action: 'jobs.cancel',
        targetType: 'job',
        targetId: String(job.id),
        outcome: 'succeeded',
        details: {},
      });
      return c.json(jobView(await repository.require(job.id)), 200);
    });
}
