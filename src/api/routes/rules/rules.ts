import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SimdockError } from '../../../domain/index.js';
import {
  defaultSeverity,
  parseActions,
  parseThresholds,
  RULE_KINDS,
  RULE_SCOPES,
  type RuleKind,
  SEVERITIES,
  type StoredRule,
  THRESHOLD_SCHEMAS,
} from '../../../domain/rules-model.js';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import type { Principal } from '../../../services/access/access-roles.js';
import { ALERT_CODES } from '../../../services/rules/alert-codes.js';
import {
  type RuleColumnChanges,
  RulesRepository,
} from '../../../store/repositories/rules-repository.js';
import {
  type ApiEnv,
  createRouter,
  principal,
  requireRootTenant,
  scopedCards,
  serviceContext,
} from '../../api-env.js';
import {
  ERROR_RESPONSES,
  IdParams,
  isoInstant,
  jsonBody,
  jsonResponse,
  nameSchema,
} from '../../api-schemas.js';
import { AlertParamsSchema } from './alerts.js';
import { previewRule } from './rules-preview.js';

const RuleSchema = z
  .object({
    id: z.number().int(),
    name: z.string().nullable(),
    scope: z.enum(RULE_SCOPES),
    targetId: z.string(),
    kind: z.enum(RULE_KINDS),
    thresholds: z.record(z.string(), z.unknown()),
    actions: z.array(z.record(z.string(), z.unknown())),
    severity: z.enum(SEVERITIES),
    enabled: z.boolean(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .openapi('Rule');

/**
 * The thresholds each kind requires, as the server checks them (THRESHOLD_SCHEMAS in
 * src/domain/rules-model.ts). A usage rule takes exactly one of `percent` or `bytes`: two
 * closed objects, so the document states it too.
 */
const USAGE_THRESHOLDS = z
  .union([
    z.strictObject({
      percent: z.number().positive().max(10_000),
      resumeNextCycle: z.boolean().optional(),
    }),
    z.strictObject({ bytes: z.number().int().positive(), resumeNextCycle: z.boolean().optional() }),
  ])
  .openapi('UsageRuleThresholds', {
    description:
      'Usage this cycle at `percent` % of the plan’s (or pool’s) quota, or at `bytes`; ' +
      '`resumeNextCycle`: with a pause action, resume the paused cards when the next cycle starts',
  });

const THRESHOLDS_BY_KIND = {
  usage: USAGE_THRESHOLDS,
  anomaly: z.strictObject(THRESHOLD_SCHEMAS.anomaly.shape).openapi('AnomalyRuleThresholds', {
    description:
      'One day above `factor` × the card’s median of the 7 days before (days under `minBytes` never count)',
  }),
  idle: z.strictObject(THRESHOLD_SCHEMAS.idle.shape).openapi('IdleRuleThresholds', {
    description: 'No usage on each of the last `days` complete CST days',
  }),
  expiry: z.strictObject(THRESHOLD_SCHEMAS.expiry.shape).openapi('ExpiryRuleThresholds', {
    description: 'The card’s service ends within `days` days (or has ended)',
  }),
  imei_changed: z
    .strictObject(THRESHOLD_SCHEMAS.imei_changed.shape)
    .openapi('ImeiChangedRuleThresholds'),
  status_changed: z
    .strictObject(THRESHOLD_SCHEMAS.status_changed.shape)
    .openapi('StatusChangedRuleThresholds', {
      description: 'Optionally only changes to the statuses in `to`',
    }),
} as const;

/** Kinds whose thresholds have nothing required: they may be left out (`{}`). */
const OPTIONAL_THRESHOLDS = new Set(['imei_changed', 'status_changed']);

/** `ruleActionSchema` (src/domain/rules-model.ts), stated for the document. */
const RuleActionBody = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('pause') }),
    z.strictObject({ type: z.literal('sms'), text: z.string().min(1).max(500) }),
    z.strictObject({ type: z.literal('webhook') }),
  ])
  .openapi('RuleAction', {
    description: '`{type: pause}`, `{type: sms, text}` (1–500 characters) or `{type: webhook}`',
  });

const ruleFields = {
  name: nameSchema(100).nullable().optional(),
  scope: z.enum(RULE_SCOPES),
  targetId: z.union([z.string().min(1).max(100), z.number().int().positive()]),
  actions: z.array(RuleActionBody).max(10).optional(),
  severity: z.enum(SEVERITIES).optional(),
  enabled: z.boolean().optional(),
};

function ruleVariant<Kind extends RuleKind>(kind: Kind) {
  const thresholds = THRESHOLDS_BY_KIND[kind];
  return z.strictObject({
    ...ruleFields,
    kind: z.literal(kind),
    thresholds: OPTIONAL_THRESHOLDS.has(kind) ? thresholds.optional() : thresholds,
  });
}

/** A rule as created or previewed: one shape per kind, each with the thresholds it requires. */
const RuleBody = z
  .discriminatedUnion('kind', [
    ruleVariant('usage'),
    ruleVariant('anomaly'),
    ruleVariant('idle'),
    ruleVariant('expiry'),
    ruleVariant('imei_changed'),
    ruleVariant('status_changed'),
  ])
  .openapi('RuleBody');

/**
 * A change to a rule: with `kind`, the shape of that kind (every field optional but the
 * thresholds it requires, since a new kind needs its thresholds); without, any fields, and
 * thresholds are checked against the rule's stored kind.
 */
const RulePatch = z
  .union([
    z.discriminatedUnion('kind', [
      ruleVariant('usage').partial().required({ kind: true, thresholds: true }),
      ruleVariant('anomaly').partial().required({ kind: true, thresholds: true }),
      ruleVariant('idle').partial().required({ kind: true, thresholds: true }),
      ruleVariant('expiry').partial().required({ kind: true, thresholds: true }),
      ruleVariant('imei_changed').partial().required({ kind: true }),
      ruleVariant('status_changed').partial().required({ kind: true }),
    ]),
    z
      .strictObject({
        ...ruleFields,
        thresholds: z
          .union(Object.values(THRESHOLDS_BY_KIND))
          .optional()
          .openapi({ description: 'The thresholds of the rule’s kind' }),
      })
      .partial(),
  ])
  .openapi('RulePatch');

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['rules'],
  summary: 'Rules the caller may see (a tenant: rules on its own cards)',
  request: {
    query: z.strictObject({
      kind: z.enum(RULE_KINDS).optional(),
      enabled: z.enum(['true', 'false']).optional(),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ rules: z.array(RuleSchema) }), 'Rules'),
    ...ERROR_RESPONSES,
  },
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['rules'],
  summary: 'Create a rule (admin role; account, plan and pool rules: the root tenant)',
  request: { body: jsonBody(RuleBody) },
  responses: { 201: jsonResponse(RuleSchema, 'The rule'), ...ERROR_RESPONSES },
});

const preview = createRoute({
  method: 'post',
  path: '/preview',
  tags: ['rules'],
  summary: 'The cards a rule matches now, without raising alerts or acting',
  request: { body: jsonBody(RuleBody) },
  responses: {
    200: jsonResponse(
      z.object({
        covered: z.number().int(),
        truncated: z.boolean(),
        matches: z.array(
          z.object({
            cardId: z.number().int(),
            iccid: z.string().nullable(),
            message: z.string(),
            code: z.enum(ALERT_CODES),
            params: AlertParamsSchema,
          }),
        ),
      }),
      'Covered cards and the ones whose condition holds',
    ),
    ...ERROR_RESPONSES,
  },
});

const update = createRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['rules'],
  summary: 'Change any field of a rule; a new kind needs its thresholds (admin role)',
  request: {
    params: IdParams,
    body: jsonBody(RulePatch),
  },
  responses: { 200: jsonResponse(RuleSchema, 'The rule'), ...ERROR_RESPONSES },
});

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['rules'],
  summary: 'Delete a rule; its alerts stay (admin role)',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(z.object({ deleted: z.number().int() }), 'Deleted'),
    ...ERROR_RESPONSES,
  },
});

function ruleView(rule: StoredRule) {
  return {
    ...rule,
    thresholds: rule.thresholds as Record<string, unknown>,
    actions: rule.actions as Record<string, unknown>[],
    createdAt: isoInstant(rule.createdAt) as string,
  };
}

/**
 * Rules on cards belong to the cards' tenants; rules on accounts, plans and pools are the
 * operator's. Checks the caller may see (or write) a rule with this scope and target.
 */
async function requireTarget(
  c: Context<ApiEnv>,
  caller: Principal,
  scope: StoredRule['scope'],
  targetId: string,
): Promise<void> {
  if (scope === 'card') {
    const id = Number(targetId);
    if (!Number.isSafeInteger(id)) throw new SimdockError('not_found', `no card ${targetId}`);
    await scopedCards(c).get(id);
  } else requireRootTenant(caller);
}

/** Accounts, plans and pools a rule names must exist (cards are checked by `requireTarget`). */
async function requireTargetExists(
  c: Context<ApiEnv>,
  scope: StoredRule['scope'],
  targetId: string,
): Promise<void> {
  const store = serviceContext(c).store;
  if (scope === 'card') return;
  const found =
    scope === 'account'
      ? await store.accounts.get(targetId)
      : /^\d+$/.test(targetId) &&
        (await new RulesRepository(store).targetExists(scope, Number(targetId)));
  if (!found) throw new SimdockError('not_found', `no ${scope} "${targetId}" for the rule`);
}

/** The rule when the caller may see it; `not_found` otherwise. */
async function scopedRule(c: Context<ApiEnv>, id: number, caller: Principal) {
  const rule = await new RulesRepository(serviceContext(c).store).get(id);
  if (!rule) throw new SimdockError('not_found', `no rule ${id}`, { details: { rule: id } });
  try {
    await requireTarget(c, caller, rule.scope, rule.targetId);
  } catch {
    throw new SimdockError('not_found', `no rule ${id}`, { details: { rule: id } });
  }
  return rule;
}

/** `/api/v1/rules`: usage, anomaly, idle, expiry and event rules, and their preview. */
export function rulesRouter() {
  return createRouter()
    .openapi(list, async (c) => {
      const caller = principal(c);
      const query = c.req.valid('query');
      const rules = await new RulesRepository(serviceContext(c).store).list({
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.enabled ? { enabled: query.enabled === 'true' } : {}),
      });
      const visible: StoredRule[] = [];
      for (const rule of rules) {
        if (caller.isRoot) visible.push(rule);
        else if (rule.scope === 'card') {
          const ok = await scopedCards(c)
            .get(Number(rule.targetId))
            .then(() => true)
            .catch(() => false);
          if (ok) visible.push(rule);
        }
      }
      return c.json({ rules: visible.map(ruleView) }, 200);
    })
    .openapi(preview, async (c) => {
      const caller = principal(c);
      const body = c.req.valid('json');
      const targetId = String(body.targetId);
      await requireTarget(c, caller, body.scope, targetId);
      const context = serviceContext(c);
      const actions = parseActions(body.actions);
      const rule: StoredRule = {
        id: 0,
        name: body.name ?? null,
        scope: body.scope,
        targetId,
        kind: body.kind,
        thresholds: parseThresholds(body.kind, body.thresholds),
        actions,
        severity: body.severity ?? defaultSeverity(body.kind, actions),
        enabled: true,
        createdBy: caller.actor,
        // Event rules look back over the recorded history, as far as the evaluation would.
        createdAt: 0,
      };
      return c.json(await previewRule(context, caller, rule), 200);
    })
    .openapi(create, async (c) => {
      const caller = principal(c, 'admin');
      const body = c.req.valid('json');
      await requireTarget(c, caller, body.scope, String(body.targetId));
      const context = serviceContext(c);
      const rule = await new RulesRepository(context.store, () => context.clock.now()).create({
        ...body,
        createdBy: caller.actor,
      });
      await recordScopedAudit(context.store, caller, {
        action: 'rules.create',
        targetType: 'rule',
        targetId: String(rule.id),
        outcome: 'succeeded',
        details: { kind: rule.kind, scope: rule.scope, target: rule.targetId },
      });
      return c.json(ruleView(rule), 201);
    })
    .openapi(update, async (c) => {
      const caller = principal(c, 'admin');
      const rule = await scopedRule(c, c.req.valid('param').id, caller);
      const body = c.req.valid('json');
      const context = serviceContext(c);
      const changes: RuleColumnChanges = {};
      const scope = body.scope ?? rule.scope;
      const targetId = body.targetId === undefined ? rule.targetId : String(body.targetId);
      if (scope !== rule.scope || targetId !== rule.targetId) {
        await requireTarget(c, caller, scope, targetId);
        await requireTargetExists(c, scope, targetId);
        changes.scope = scope;
        changes.target_id = targetId;
      }
      const kind = ('kind' in body ? body.kind : undefined) ?? rule.kind;
      if (kind !== rule.kind) changes.kind = kind;
      if (body.name !== undefined) changes.name = body.name;
      if (body.thresholds !== undefined || kind !== rule.kind) {
        const thresholds = body.thresholds ?? rule.thresholds;
        changes.thresholds = JSON.stringify(parseThresholds(kind, thresholds));
      }
      if (body.actions !== undefined) {
        changes.actions = JSON.stringify(parseActions(body.actions));
      }
      if (body.severity !== undefined) changes.severity = body.severity;
      if (body.enabled !== undefined) changes.enabled = body.enabled ? 1 : 0;
      await new RulesRepository(context.store).updateColumns(rule.id, changes);
      await recordScopedAudit(context.store, caller, {
        action: 'rules.update',
        targetType: 'rule',
        targetId: String(rule.id),
        outcome: 'succeeded',
        details: { fields: Object.keys(changes) },
      });
      const after = await new RulesRepository(context.store).get(rule.id);
      return c.json(ruleView(after ?? rule), 200);
    })
    .openapi(remove, async (c) => {
      const caller = principal(c, 'admin');
      const rule = await scopedRule(c, c.req.valid('param').id, caller);
      const context = serviceContext(c);
      await new RulesRepository(context.store).delete(rule.id);
      await recordScopedAudit(context.store, caller, {
        action: 'rules.delete',
        targetType: 'rule',
        targetId: String(rule.id),
        outcome: 'succeeded',
        details: { kind: rule.kind },
      });
      return c.json({ deleted: rule.id }, 200);
    });
}
