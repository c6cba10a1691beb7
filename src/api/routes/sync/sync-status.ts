import { createRoute, z } from '@hono/zod-openapi';
import { SimdockError } from '../../../domain/index.js';
import { accountFreshness } from '../../../services/sync/sync-freshness.js';
import { createRouter, principal, requireRootTenant, serviceContext } from '../../api-env.js';
import { ERROR_RESPONSES, errorContent, jsonResponse } from '../../api-schemas.js';

const ms = (description: string) => z.number().nullable().describe(description);

export const NeedFreshnessSchema = z
  .object({
    need: z.enum(['status', 'usage.monthly']),
    cards: z
      .number()
      .int()
      .describe('Cards whose figure can still change (deactivated cards left out)'),
    neverRead: z.number().int(),
    p50Ms: ms('Median staleness of the cards read at least once, ms'),
    p99Ms: ms('99th percentile staleness, ms'),
    maxMs: ms('Largest staleness, ms'),
    targetMs: z.number().describe('The freshness target, ms'),
    targetSource: z
      .enum(['account', 'default'])
      .describe("Whether the target is the account's own (`sync.freshness`) or the default"),
    withinTarget: z
      .number()
      .min(0)
      .max(1)
      .describe('Share of cards read within the target (never-read cards count outside)'),
    batchSize: z.number().int().describe('Cards per supplier call for this need'),
    achievableMs: ms(
      'The staleness the call budget can hold for every card (one-card-per-call needs); null: no bound',
    ),
  })
  .openapi('NeedFreshness');

export const AccountFreshnessSchema = z
  .object({
    account: z.string(),
    supplier: z.string(),
    cards: z.number().int(),
    settled: z.number().int().describe('Deactivated cards: nothing to poll'),
    rateLimit: z.number().describe('Calls per second (0: no limit)'),
    dayCapacity: z.number().int().nullable(),
    scheduleBudget: z.number().int().nullable(),
    needs: z.array(NeedFreshnessSchema),
  })
  .openapi('AccountFreshness');

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['sync'],
  summary: "How fresh each account's statuses and usage are, against targets and call budget",
  description:
    'What `simdock sync status` shows: per account and need, staleness p50/p99/max, the share of ' +
    'cards within the target, and the staleness the call budget can hold when it cannot hold the target.',
  request: {
    query: z.strictObject({ account: z.string().min(1).optional() }),
  },
  responses: {
    200: jsonResponse(z.object({ accounts: z.array(AccountFreshnessSchema) }), 'Freshness'),
    ...ERROR_RESPONSES,
    409: errorContent('An account is disabled: its supplier limits cannot be read'),
  },
});

/** `/api/v1/sync-status`: sync freshness per account and need. */
export function syncStatusRouter() {
  return createRouter().openapi(list, async (c) => {
    requireRootTenant(principal(c));
    const { account } = c.req.valid('query');
    const context = serviceContext(c);
    let ids: string[];
    if (account) {
      if (!(await context.store.accounts.get(account))) {
        throw new SimdockError('not_found', `no account "${account}"`, { details: { account } });
      }
      ids = [account];
    } else {
      ids = (await context.store.accounts.list())
        .filter((stored) => stored.enabled)
        .map((stored) => stored.id);
    }
    const accounts = [];
    for (const id of ids) accounts.push(await accountFreshness(context, id));
    return c.json({ accounts }, 200);
  });
}
