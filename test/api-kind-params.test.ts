import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from './api-harness.js';

type Schema = Record<string, unknown>;

/**
 * Rules and bulk jobs take a `kind` / `action` whose other fields differ: the document states
 * one shape per kind (a discriminated `oneOf`), and the server takes exactly those shapes —
 * a conforming request is accepted, anything else is a 400 naming the field.
 */
describe('per-kind requirements of rules and bulk jobs', () => {
  let api: ApiHarness;
  let schemas: Record<string, Schema>;
  beforeAll(async () => {
    api = await ApiHarness.open();
    schemas = (await api.json('GET', '/openapi.json', { key: null })).body.components.schemas;
  });
  afterAll(() => api.close());

  const fieldsOf = (body: { error: { details: { fields?: { path: string }[] } } }) =>
    (body.error.details.fields ?? []).map((field) => field.path);

  it('documents one rule shape per kind, with the thresholds each requires', () => {
    // A oneOf of closed objects, each with its one `kind`: exactly one shape fits a body.
    const rule = schemas.RuleBody as { oneOf: Schema[] };
    expect(rule.oneOf).toHaveLength(6);
    for (const variant of rule.oneOf) {
      expect(variant.additionalProperties).toBe(false);
      expect((variant.properties as Record<string, Schema>).kind).toMatchObject({
        enum: [expect.any(String)],
      });
    }
    const byKind = Object.fromEntries(
      rule.oneOf.map((variant) => {
        const properties = variant.properties as Record<string, { enum?: string[] }>;
        return [properties.kind?.enum?.[0] ?? '', variant];
      }),
    );
    expect(byKind.usage?.required).toContain('thresholds');
    expect(byKind.anomaly?.required).toContain('thresholds');
    expect(byKind.imei_changed?.required).not.toContain('thresholds');
    expect(schemas.UsageRuleThresholds).toMatchObject({
      anyOf: [{ required: ['percent'] }, { required: ['bytes'] }],
    });
    expect(schemas.IdleRuleThresholds).toMatchObject({ required: ['days'] });
    expect((schemas.RuleAction as { oneOf: Schema[] }).oneOf[1]).toMatchObject({
      required: ['type', 'text'],
    });
  });

  it('documents one bulk job shape per action, with the params each requires', () => {
    const job = schemas.BulkJobBody as { oneOf: Schema[] };
    const byAction = Object.fromEntries(
      job.oneOf.map((variant) => {
        const properties = variant.properties as Record<string, Schema>;
        return [(properties.action as { enum: string[] }).enum[0], properties.params];
      }),
    );
    expect(byAction.sms).toMatchObject({ required: ['text'] });
    expect(byAction['speed-limit']).toMatchObject({ required: ['speedCode'] });
    expect(byAction['data-cap-set']).toMatchObject({ required: ['capBytes'] });
    expect(byAction.recharge).toMatchObject({ required: ['productId', 'productName'] });
    expect(byAction.pause).toMatchObject({ additionalProperties: false });
  });

  const conformingRules: Record<string, Schema> = {
    usage: { percent: 80 },
    anomaly: { factor: 3, minBytes: 1024 },
    idle: { days: 7 },
    expiry: { days: 30 },
    imei_changed: {},
    status_changed: { to: ['suspended'] },
  };

  it('creates a rule of each kind from a conforming body', async () => {
    for (const [kind, thresholds] of Object.entries(conformingRules)) {
      const created = await api.json('POST', '/api/v1/rules', {
        body: {
          scope: 'card',
          targetId: api.cards.root[0],
          kind,
          thresholds,
          actions: [{ type: 'webhook' }],
        },
      });
      expect(created.status, `${kind}: ${JSON.stringify(created.body)}`).toBe(201);
      expect(created.body).toMatchObject({ kind, thresholds });
    }
    // Kinds that require nothing may leave the thresholds out.
    const bare = await api.json('POST', '/api/v1/rules', {
      body: { scope: 'card', targetId: api.cards.root[0], kind: 'imei_changed' },
    });
    expect(bare.status).toBe(201);
  });

  it('refuses rule bodies that do not conform, naming the field', async () => {
    const base = { scope: 'card', targetId: api.cards.root[0] };
    const cases: [Schema, string][] = [
      // A usage rule without thresholds, and with both or neither of percent and bytes.
      [{ ...base, kind: 'usage' }, 'thresholds'],
      [{ ...base, kind: 'usage', thresholds: { percent: 80, bytes: 100 } }, 'thresholds'],
      [{ ...base, kind: 'usage', thresholds: {} }, 'thresholds'],
      // Another kind's thresholds, a missing or wrong field.
      [{ ...base, kind: 'idle', thresholds: { percent: 80 } }, 'thresholds'],
      [{ ...base, kind: 'anomaly', thresholds: { factor: 1 } }, 'thresholds.factor'],
      [{ ...base, kind: 'expiry', thresholds: { days: -1 } }, 'thresholds.days'],
      [{ ...base, kind: 'status_changed', thresholds: { to: ['gone'] } }, 'thresholds.to.0'],
      [{ ...base, kind: 'imei_changed', thresholds: { days: 1 } }, 'thresholds'],
      // An unknown kind, an action without its text.
      [{ ...base, kind: 'weather', thresholds: {} }, 'kind'],
      [
        { ...base, kind: 'idle', thresholds: { days: 2 }, actions: [{ type: 'sms' }] },
        'actions.0.text',
      ],
    ];
    for (const [body, field] of cases) {
      const refused = await api.json('POST', '/api/v1/rules', { body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('invalid_argument');
      expect(fieldsOf(refused.body), JSON.stringify(body)).toContain(field);
      // The preview takes the same shapes.
      expect((await api.json('POST', '/api/v1/rules/preview', { body })).status).toBe(400);
    }
  });

  it('changes a rule to another kind only with that kind’s thresholds', async () => {
    const created = await api.json('POST', '/api/v1/rules', {
      body: { scope: 'card', targetId: api.cards.root[1], kind: 'idle', thresholds: { days: 3 } },
    });
    const path = `/api/v1/rules/${created.body.id}`;
    const noThresholds = await api.json('PATCH', path, { body: { kind: 'usage' } });
    expect(noThresholds.status).toBe(400);
    const changed = await api.json('PATCH', path, {
      body: { kind: 'usage', thresholds: { bytes: 1_000_000 } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ kind: 'usage', thresholds: { bytes: 1_000_000 } });
    // Without a kind, the thresholds are the stored kind's.
    expect((await api.json('PATCH', path, { body: { thresholds: { days: 3 } } })).status).toBe(400);
    expect((await api.json('PATCH', path, { body: { thresholds: { percent: 90 } } })).status).toBe(
      200,
    );
  });

  const conformingJobs: Record<string, Schema | undefined> = {
    pause: undefined,
    resume: {},
    activate: {},
    'end-test': {},
    reset: {},
    sms: { text: 'hello' },
    recharge: { productId: 'P1', productName: '1G' },
    renew: { cycle: 1 },
    'speed-limit': { speedCode: '1' },
    'speed-unlimit': {},
    'data-cap-set': { capBytes: 1_000_000 },
    'data-cap-cancel': {},
  };

  it('takes a conforming bulk job body of every action past validation', async () => {
    for (const [action, params] of Object.entries(conformingJobs)) {
      const body = {
        action,
        selection: { cardIds: [api.cards.root[2]] },
        ...(params ? { params } : {}),
      };
      const answer = await api.json('POST', '/api/v1/jobs', { body });
      // 202, or 422 where the OneLink account cannot do the action: never a 400.
      expect([202, 422], `${action}: ${JSON.stringify(answer.body)}`).toContain(answer.status);
    }
  });

  it('refuses bulk job bodies that do not conform, naming the field', async () => {
    const selection = { cardIds: [api.cards.root[2]] };
    const cases: [Schema, string][] = [
      [{ action: 'sms', selection }, 'params'],
      [{ action: 'sms', selection, params: { text: '   ' } }, 'params.text'],
      [{ action: 'speed-limit', selection, params: {} }, 'params.speedCode'],
      [{ action: 'data-cap-set', selection, params: { capBytes: 0 } }, 'params.capBytes'],
      [{ action: 'data-cap-set', selection, params: { capBytes: 1.5 } }, 'params.capBytes'],
      [{ action: 'recharge', selection, params: { productId: 'P1' } }, 'params.productName'],
      [{ action: 'renew', selection, params: { cycle: 0 } }, 'params.cycle'],
      // An action that takes no params refuses some, as every action refuses unknown ones.
      [{ action: 'pause', selection, params: { text: 'hi' } }, 'params'],
      [{ action: 'sms', selection, params: { text: 'hi', extra: 1 } }, 'params'],
      [{ action: 'explode', selection }, 'action'],
    ];
    for (const [body, field] of cases) {
      const refused = await api.json('POST', '/api/v1/jobs', { body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(refused.body), JSON.stringify(body)).toContain(field);
    }
  });
});
