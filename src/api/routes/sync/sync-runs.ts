import { createRoute, z } from '@hono/zod-openapi';
import { SimdockError } from '../../../domain/index.js';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import { syncAccount } from '../../../services/sync/sync.js';
import { createRouter, principal, requireRootTenant, serviceContext } from '../../api-env.js';
import {
  ERROR_RESPONSES,
  IdParams,
  jsonBody,
  jsonResponse,
  queryNumberOr,
} from '../../api-schemas.js';
import { SyncRunSchema } from '../accounts/accounts.js';

/** The job a queued sync runs as: payload `{account}`, one at a time per account. */
export const SYNC_JOB_NAME = 'sync';

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['sync'],
  summary: 'Sync runs, newest first',
  request: {
    query: z.strictObject({
      account: z.string().min(1).optional(),
      limit: queryNumberOr(50, { min: 1, max: 500 }),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ runs: z.array(SyncRunSchema) }), 'Runs'),
    ...ERROR_RESPONSES,
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['sync'],
  summary: 'One sync run with its failures',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(
      z.object({
        run: SyncRunSchema,
        failures: z.array(
          z.object({
            id: z.number().int(),
            cardId: z.number().int().nullable(),
            code: z.string(),
            message: z.string(),
            at: z.number(),
          }),
        ),
      }),
      'The run',
    ),
    ...ERROR_RESPONSES,
  },
});

const start = createRoute({
  method: 'post',
  path: '/',
  tags: ['sync'],
  summary: 'Start a sync of one account (queued when a job queue runs, else inline)',
  request: {
    body: jsonBody(
      z.strictObject({
        account: z.string().min(1),
        full: z.boolean().optional().openapi({
          description:
            'Ask every card for every period again, also days and months already final and stored, and read its identifiers again (`simdock sync --full`). Default false.',
        }),
      }),
    ),
  },
  responses: {
    202: jsonResponse(z.object({ queued: z.literal(true), jobId: z.string() }), 'Queued as a job'),
    200: jsonResponse(
      z.object({ queued: z.literal(false), runId: z.number().int(), status: z.string() }),
      'Ran inline',
    ),
    ...ERROR_RESPONSES,
  },
});

/** `/api/v1/sync-runs`: the operator's sync history, and starting a sync. */
export function syncRunsRouter() {
  return createRouter()
    .openapi(list, async (c) => {
      requireRootTenant(principal(c));
      const query = c.req.valid('query');
      const runs = await serviceContext(c).store.syncRuns.list(query);
      return c.json({ runs }, 200);
    })
    .openapi(get, async (c) => {
      requireRootTenant(principal(c));
      const { id } = c.req.valid('param');
      const store = serviceContext(c).store;
      const run = await store.syncRuns.get(id);
      if (!run) throw new SimdockError('not_found', `no sync run ${id}`, { details: { run: id } });
      const failures = await store.syncRuns.failures(id);
      return c.json(
        {
          run,
          failures: failures.map((failure) => ({
            id: failure.id,
            cardId: failure.cardId,
            code: failure.code,
            message: failure.message,
            at: failure.at,
          })),
        },
        200,
      );
    })
    .openapi(start, async (c) => {
      const caller = principal(c, 'operator');
      requireRootTenant(caller);
      const { account, full = false } = c.req.valid('json');
      const context = serviceContext(c);
      const stored = await context.store.accounts.get(account);
      if (!stored) {
        throw new SimdockError('not_found', `no account "${account}"`, { details: { account } });
      }
      if (!stored.enabled) {
        throw new SimdockError('conflict', `account "${account}" is disabled`, {
          details: { account },
        });
      }
      const queue = c.get('deps').queue;
      if (queue) {
        // A full sync asked while a plain one waits is queued after it, not folded into it.
        const job = await queue.enqueue({
          name: SYNC_JOB_NAME,
          payload: full ? { account, full } : { account },
          queue: `sync:${account}`,
          key: full ? `sync-full:${account}` : `sync:${account}`,
          createdBy: caller.actor,
        });
        await recordScopedAudit(context.store, caller, {
          action: 'sync.enqueue',
          targetType: 'account',
          targetId: account,
          account,
          outcome: 'succeeded',
          details: { job: job.id, ...(full ? { full } : {}) },
        });
        return c.json({ queued: true as const, jobId: job.id }, 202);
      }
      const summary = await syncAccount(context, account, { actor: caller.actor, full });
      return c.json({ queued: false as const, runId: summary.runId, status: summary.status }, 200);
    });
}
