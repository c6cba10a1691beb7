import { createRoute, z } from '@hono/zod-openapi';
import { SimdockError } from '../../../domain/index.js';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import {
  setAccountFreshnessTargets,
  validateFreshnessTargets,
} from '../../../services/accounts/accounts-freshness.js';
import {
  accountHealth,
  testAccountConnection,
} from '../../../services/accounts/accounts-health.js';
import { saveAccounts } from '../../../services/context.js';
import { TARGET_DURATION_PATTERN } from '../../../services/sync/freshness-targets.js';
import { accountFreshness } from '../../../services/sync/sync-freshness.js';
import { createRouter, principal, requireRootTenant, serviceContext } from '../../api-env.js';
import {
  ERROR_RESPONSES,
  errorContent,
  jsonBody,
  jsonResponse,
  PRINTABLE,
  SupplierTypeSchema,
} from '../../api-schemas.js';
import { AccountFreshnessSchema } from '../sync/sync-status.js';

const SyncRunSchema = z
  .object({
    id: z.number().int(),
    account: z.string(),
    kind: z.string(),
    status: z.enum(['running', 'succeeded', 'partial', 'failed', 'superseded']).openapi({
      description:
        '`superseded`: a newer run of the account that reads all this one would took its place ' +
        'before it finished; cards it had not reached are counted neither synced nor failed',
    }),
    startedAt: z.number(),
    finishedAt: z.number().nullable(),
    cards: z.number().nullable(),
    synced: z.number().nullable(),
    failed: z.number().nullable(),
    calls: z.number().nullable(),
    rowsWritten: z.number().nullable(),
    failuresByReason: z.record(z.string(), z.number()).nullable(),
    durationMs: z.number().nullable(),
  })
  .openapi('SyncRun');

const AccountSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    name: z.string().nullable(),
    enabled: z.boolean(),
    settings: z.record(z.string(), z.unknown()),
    secrets: z.record(z.string(), z.string()).openapi({ description: 'Masked' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    health: z.object({
      lastSyncRun: SyncRunSchema.nullable(),
      callsSinceStart: z.number().int(),
      cards: z.number().int(),
    }),
  })
  .openapi('Account');

const AccountParams = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'cmcc-east' }),
});

const TargetSchema = z
  .string()
  .regex(TARGET_DURATION_PATTERN, 'a duration like 30m, 1h, 6h or 1d')
  .openapi({ example: '1h', description: 'Whole minutes, hours or days (1m to 31d)' });

/** Freshness targets as written: need → duration. */
const FreshnessTargetsSchema = z
  .strictObject({
    status: TargetSchema.nullable().optional(),
    'usage.monthly': TargetSchema.nullable().optional(),
  })
  .openapi('FreshnessTargets', {
    description:
      "How old a card's last read may be, per need; absent or null: the default (status 1h, usage.monthly 6h)",
    example: { status: '1h', 'usage.monthly': '6h' },
  });

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['accounts'],
  summary: 'Supplier accounts with health (root tenant only)',
  responses: {
    200: jsonResponse(z.object({ accounts: z.array(AccountSchema) }), 'Accounts'),
    ...ERROR_RESPONSES,
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['accounts'],
  summary: 'One supplier account with health',
  request: { params: AccountParams },
  responses: { 200: jsonResponse(AccountSchema, 'The account'), ...ERROR_RESPONSES },
});

const add = createRoute({
  method: 'post',
  path: '/',
  tags: ['accounts'],
  summary: 'Add a supplier account (settings validated by the supplier definition)',
  request: {
    body: jsonBody(
      z.strictObject({
        id: AccountParams.shape.id,
        type: SupplierTypeSchema,
        name: z
          .string()
          .max(200)
          .regex(PRINTABLE, 'control characters are not allowed')
          .nullable()
          .optional(),
        rateLimit: z.number().min(0).nullable().optional(),
        settings: z.record(z.string(), z.unknown()),
        sync: z
          .strictObject({
            revisionDays: z.number().int().min(0).optional(),
            budgetShare: z.number().gt(0).max(1).optional(),
            freshness: FreshnessTargetsSchema.optional(),
          })
          .optional()
          .openapi({
            description:
              "How sync spends the account's calls: days open to revision, the schedule's share of the day's calls (default 0.8), freshness targets per need",
          }),
      }),
    ),
  },
  responses: { 201: jsonResponse(AccountSchema, 'The new account'), ...ERROR_RESPONSES },
});

const test = createRoute({
  method: 'post',
  path: '/{id}/test',
  tags: ['accounts'],
  summary: 'Test the connection with one cheap supplier call',
  request: { params: AccountParams },
  responses: {
    200: jsonResponse(
      z.object({
        ok: z.boolean(),
        operation: z.string(),
        calls: z.number().int(),
        durationMs: z.number(),
        error: z.object({ code: z.string(), message: z.string() }).nullable(),
      }),
      'What the call found',
    ),
    ...ERROR_RESPONSES,
  },
});

const freshness = createRoute({
  method: 'get',
  path: '/{id}/freshness',
  tags: ['accounts'],
  summary: "How fresh the account's statuses and usage are, against its targets and call budget",
  description:
    "What `simdock accounts show` shows: per need, the target (the account's own or the default), " +
    'staleness p50/p99/max, the share of cards within the target, the cards never read, and ' +
    '`achievableMs`, the staleness the call budget can hold: above `targetMs`, the target cannot be met.',
  request: { params: AccountParams },
  responses: {
    200: jsonResponse(AccountFreshnessSchema, 'Freshness'),
    ...ERROR_RESPONSES,
    409: errorContent('The account is disabled: its supplier limits cannot be read'),
  },
});

const setFreshness = createRoute({
  method: 'put',
  path: '/{id}/freshness',
  tags: ['accounts'],
  summary: "Set the account's freshness targets per need (the needs left out: the defaults)",
  description:
    "Writes `sync.freshness` of the account's settings. An account configured in simdock.yaml is " +
    'written again from the file when a simdock process starts: set its targets there.',
  request: { params: AccountParams, body: jsonBody(FreshnessTargetsSchema) },
  responses: {
    200: jsonResponse(AccountFreshnessSchema, 'Freshness against the new targets'),
    ...ERROR_RESPONSES,
    409: errorContent('The account is disabled: its supplier limits cannot be read'),
  },
});

const setEnabled = (enabled: boolean) =>
  createRoute({
    method: 'post',
    path: `/{id}/${enabled ? 'enable' : 'disable'}`,
    tags: ['accounts'],
    summary: enabled ? 'Enable an account' : 'Disable an account (no more syncs or actions)',
    request: { params: AccountParams },
    responses: { 200: jsonResponse(AccountSchema, 'The account'), ...ERROR_RESPONSES },
  });

/** `/api/v1/accounts`: supplier connections, the operator's own (root tenant callers only). */
export function accountsRouter() {
  const router = createRouter()
    .openapi(list, async (c) => {
      requireRootTenant(principal(c));
      const context = serviceContext(c);
      const accounts = await context.store.accounts.list();
      return c.json(
        {
          accounts: await Promise.all(
            accounts.map((account) => accountHealth(context, account.id)),
          ),
        },
        200,
      );
    })
    .openapi(get, async (c) => {
      requireRootTenant(principal(c));
      return c.json(await accountHealth(serviceContext(c), c.req.valid('param').id), 200);
    })
    .openapi(add, async (c) => {
      const caller = principal(c, 'admin');
      requireRootTenant(caller);
      const body = c.req.valid('json');
      const context = serviceContext(c);
      if (await context.store.accounts.get(body.id)) {
        throw new SimdockError('already_exists', `account "${body.id}" already exists`, {
          details: { account: body.id },
        });
      }
      // Validates the settings the way the supplier defines them (config_error → 400).
      context.catalog.get(body.type).parseSettings(body.settings);
      if (body.sync?.freshness) validateFreshnessTargets(body.sync.freshness);
      const freshnessWritten = Object.fromEntries(
        Object.entries(body.sync?.freshness ?? {}).filter(([, value]) => typeof value === 'string'),
      );
      const { freshness: _freshness, ...syncRest } = body.sync ?? {};
      const sync = {
        ...syncRest,
        ...(Object.keys(freshnessWritten).length > 0 ? { freshness: freshnessWritten } : {}),
      };
      await saveAccounts(context.store, context.catalog, [
        {
          id: body.id,
          type: body.type,
          name: body.name ?? null,
          rateLimit: body.rateLimit ?? null,
          settings: body.settings,
          ...(Object.keys(sync).length > 0 ? { sync } : {}),
        },
      ]);
      await recordScopedAudit(context.store, caller, {
        action: 'accounts.add',
        targetType: 'account',
        targetId: body.id,
        account: body.id,
        outcome: 'succeeded',
        details: { type: body.type },
      });
      return c.json(await accountHealth(context, body.id), 201);
    })
    .openapi(test, async (c) => {
      const caller = principal(c, 'operator');
      requireRootTenant(caller);
      const { id } = c.req.valid('param');
      const context = serviceContext(c);
      await accountHealth(context, id);
      const result = await testAccountConnection(context, id);
      await recordScopedAudit(context.store, caller, {
        action: 'accounts.test',
        targetType: 'account',
        targetId: id,
        account: id,
        outcome: result.ok ? 'succeeded' : 'failed',
        details: { operation: result.operation, error: result.error?.code ?? null },
      });
      return c.json(result, 200);
    })
    .openapi(freshness, async (c) => {
      requireRootTenant(principal(c));
      const { id } = c.req.valid('param');
      const context = serviceContext(c);
      await accountHealth(context, id);
      return c.json(await accountFreshness(context, id), 200);
    })
    .openapi(setFreshness, async (c) => {
      const caller = principal(c, 'admin');
      requireRootTenant(caller);
      const { id } = c.req.valid('param');
      const targets = c.req.valid('json');
      const context = serviceContext(c);
      // A disabled account's freshness cannot be measured: refused before anything is written.
      if ((await accountHealth(context, id)).enabled === false) {
        throw new SimdockError('conflict', `account "${id}" is disabled`, {
          details: { account: id },
        });
      }
      await setAccountFreshnessTargets(context, id, targets);
      await recordScopedAudit(context.store, caller, {
        action: 'accounts.freshness',
        targetType: 'account',
        targetId: id,
        account: id,
        outcome: 'succeeded',
        details: { targets },
      });
      return c.json(await accountFreshness(context, id), 200);
    });
  for (const enabled of [true, false]) {
    router.openapi(setEnabled(enabled), async (c) => {
      const caller = principal(c, 'admin');
      requireRootTenant(caller);
      const { id } = c.req.valid('param');
      const context = serviceContext(c);
      await accountHealth(context, id);
      await context.store.accounts.setEnabled(id, enabled);
      await recordScopedAudit(context.store, caller, {
        action: enabled ? 'accounts.enable' : 'accounts.disable',
        targetType: 'account',
        targetId: id,
        account: id,
        outcome: 'succeeded',
      });
      return c.json(await accountHealth(context, id), 200);
    });
  }
  return router;
}

export { SyncRunSchema };
