import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from './api-harness.js';
import { OpenApiResponseValidator } from './openapi-responses.js';

/**
 * Issue 17, "The OpenAPI document tells the truth": every answer the API test suites produce
 * is checked against the published document (ApiHarness does it for each request); here every
 * operation is called with no credentials, a viewer's, an owner's with an empty body and with
 * unknown ids, and each answer must be declared with its body matching.
 */
describe('answers match the OpenAPI document', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false } });
  });
  afterAll(() => api.close());

  it('declares the status and body of every answer of every operation', async () => {
    const document = (await api.json('GET', '/openapi.json', { key: null })).body;
    const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ path, method })))
      .filter(({ path }) => !path.includes('/auth/logout'));
    expect(operations.length).toBeGreaterThan(60);
    const statuses = new Set<number>();
    for (const { path, method } of operations) {
      for (const [key, id] of [
        [null, '1'],
        ['acmeViewer', '1'],
        ['owner', '999999'],
        ['owner', String(api.cards.root[0])],
      ] as const) {
        const concrete = path.replace(/\{[^}]+\}/g, id);
        const body = method === 'get' || method === 'delete' ? undefined : {};
        const answer = await api.request(method.toUpperCase(), concrete, { key, body });
        statuses.add(answer.status);
      }
    }
    expect(api.openApiViolations).toEqual([]);
    for (const status of [200, 400, 401, 403, 404]) expect(statuses).toContain(status);
  });

  it('flags an undocumented status and an undocumented field', async () => {
    const validator = new OpenApiResponseValidator({
      openapi: '3.1.0',
      paths: {
        '/things/{id}': {
          get: {
            responses: {
              200: {
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: { id: { type: 'integer' } },
                      required: ['id'],
                    },
                  },
                },
              },
            },
          },
        },
      },
    });
    const json = (value: unknown, status = 200) =>
      new Response(JSON.stringify(value), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    await validator.check('GET', '/things/1', json({ id: 1 }));
    expect(validator.violations).toEqual([]);
    await validator.check('GET', '/things/1', json({ id: 1, secret: 'x' }));
    await validator.check('GET', '/things/1', json({ error: {} }, 409));
    await validator.check('GET', '/things/1', json({ id: 'one' }));
    expect(validator.violations).toHaveLength(3);
    expect(validator.violations[0]).toMatch(/additional|unevaluated/);
    expect(validator.violations[1]).toMatch(/409: status not documented/);
  });
});
