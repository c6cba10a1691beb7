import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from './api-harness.js';

type Schema = Record<string, unknown>;
type Parameter = { name: string; in: string; schema: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
};

/**
 * The published document states the constraints the server enforces on requests:
 * date formats, id maxima, email and URI formats, tag patterns, the supplier-type enum.
 */
describe('OpenAPI request constraints', () => {
  let api: ApiHarness;
  let paths: Record<string, Record<string, Operation>>;
  let schemas: Record<string, Schema>;
  beforeAll(async () => {
    api = await ApiHarness.open();
    const { body } = await api.json('GET', '/openapi.json', { key: null });
    paths = body.paths;
    schemas = body.components?.schemas ?? {};
  });
  afterAll(() => api.close());

  const resolve = (schema: Schema): Schema =>
    typeof schema.$ref === 'string'
      ? resolve(schemas[schema.$ref.replace('#/components/schemas/', '')]!)
      : schema;
  const query = (path: string, name: string): Schema => {
    const parameter = paths[path]!.get!.parameters!.find(
      (item) => item.in === 'query' && item.name === name,
    );
    expect(parameter, `${path} ?${name}`).toBeDefined();
    return parameter!.schema;
  };
  const bodyField = (path: string, method: string, name: string): Schema => {
    const schema = resolve(paths[path]![method]!.requestBody!.content['application/json'].schema);
    const properties = schema.properties as Record<string, Schema>;
    expect(properties[name], `${method} ${path} .${name}`).toBeDefined();
    return resolve(properties[name]!);
  };

  it('states date formats and id maxima of query filters', () => {
    for (const name of ['from', 'to']) {
      expect(query('/api/v1/alerts', name)).toMatchObject({
        type: 'string',
        format: 'date',
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      });
    }
    for (const name of ['from', 'to']) {
      expect(query('/api/v1/cards/{id}/usage/daily', name)).toMatchObject({ format: 'date' });
      expect(query('/api/v1/cards/{id}/usage/monthly', name)).toMatchObject({
        pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
      });
    }
    expect(query('/api/v1/usage/totals', 'month')).toMatchObject({
      pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
    });
    for (const [path, name] of [
      ['/api/v1/alerts', 'card'],
      ['/api/v1/alerts', 'rule'],
      ['/api/v1/alerts', 'before'],
      ['/api/v1/audit', 'before'],
      ['/api/v1/webhooks/deliveries', 'endpoint'],
      ['/api/v1/webhooks/deliveries', 'before'],
      ['/api/v1/notifications/messages', 'channel'],
      ['/api/v1/notifications/messages', 'before'],
    ] as const) {
      expect(query(path, name), `${path} ?${name}`).toMatchObject({
        type: 'integer',
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
      });
    }
  });

  it('states email and URI formats, tag patterns and the supplier types', () => {
    expect(bodyField('/api/v1/users', 'post', 'email')).toMatchObject({
      format: 'email',
      pattern: expect.any(String),
      maxLength: 254,
    });
    expect(bodyField('/api/v1/webhooks', 'post', 'url')).toMatchObject({
      format: 'uri',
      pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
    });
    const tags = bodyField('/api/v1/cards/{id}/tags', 'post', 'add');
    expect(resolve(tags.items as Schema)).toMatchObject({
      pattern: '^[\\p{L}\\p{N}_.:-]{1,64}$',
    });
    const type = bodyField('/api/v1/accounts', 'post', 'type');
    expect(type.enum).toEqual(expect.arrayContaining(['onelink-v5', 'quectel', 'agent']));
  });

  it('refuses what the document refuses', async () => {
    const badDate = await api.json('GET', '/api/v1/alerts?from=2026-02-30');
    expect(badDate.status).toBe(400);
    const hugeId = await api.json('GET', '/api/v1/alerts?card=9007199254740993');
    expect(hugeId.status).toBe(400);
    const badEmail = await api.json('POST', '/api/v1/users', {
      body: { email: 'not an email', password: 'a-long-password', role: 'viewer' },
    });
    expect(badEmail.status).toBe(400);
  });
});
