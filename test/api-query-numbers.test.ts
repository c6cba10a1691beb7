import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from './api-harness.js';

/**
 * Numeric query parameters: the document says `integer`/`number` (never nullable) and the server
 * refuses what is not one — an empty or blank value used to be read as 0.
 */
describe('numeric query parameters', () => {
  let api: ApiHarness;
  let paths: Record<string, Record<string, { parameters?: { in: string; schema: unknown }[] }>>;
  beforeAll(async () => {
    api = await ApiHarness.open();
    paths = (await api.json('GET', '/openapi.json', { key: null })).body.paths;
  });
  afterAll(() => api.close());

  it('are documented without null', () => {
    const nullable: string[] = [];
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const parameter of operation.parameters ?? []) {
          const schema = JSON.stringify(parameter.schema);
          if (parameter.in === 'query' && schema.includes('"null"')) {
            nullable.push(`${method} ${path} ${schema}`);
          }
        }
      }
    }
    expect(nullable).toEqual([]);
  });

  it('refuse empty and blank values with the field, and take numbers', async () => {
    for (const query of [
      'usageMin=',
      'usageMin',
      'usageMax=%20',
      'quotaMin=',
      'expiresWithin=',
      'limit=',
      'usageMin=1e3',
      'usageMin=0x10',
    ]) {
      const refused = await api.json('GET', `/api/v1/cards?${query}`);
      expect(refused.status, query).toBe(400);
      const name = query.split('=')[0];
      expect(refused.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual([
        name,
      ]);
    }
    expect((await api.json('GET', '/api/v1/jobs/1/items?after=')).status).toBe(400);
    expect((await api.json('GET', '/api/v1/cards/count?usageMin=')).status).toBe(400);
    for (const path of ['/api/v1/cards/exports', '/api/v1/cards/1/timeline'])
      for (const limit of ['', '%20', '1e1', '0x10'])
        expect((await api.json('GET', `${path}?limit=${limit}`)).status, `${path} ${limit}`).toBe(
          400,
        );
    expect((await api.json('GET', '/api/v1/cards?usageMin=0&quotaMin=12.5&limit=5')).status).toBe(
      200,
    );
    // Defaults still apply when the parameter is absent.
    expect((await api.json('GET', '/api/v1/sms')).status).toBe(200);
  });
});
