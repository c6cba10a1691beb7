import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from './api-harness.js';

type Operation = {
  responses?: Record<string, unknown>;
  parameters?: { name: string; in: string }[];
};

describe('OpenAPI document and Swagger UI', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await ApiHarness.open();
  });
  afterAll(() => api.close());

  it('serves a structurally valid OpenAPI 3.1 document', async () => {
    const { status, body } = await api.json('GET', '/openapi.json', { key: null });
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\.1\.\d+$/);
    expect(body.info).toMatchObject({ title: 'simdock API' });
    const paths = Object.entries(body.paths as Record<string, Record<string, Operation>>);
    expect(paths.length).toBeGreaterThanOrEqual(20);
    for (const [path, methods] of paths) {
      expect(path.startsWith('/')).toBe(true);
      for (const [method, operation] of Object.entries(methods)) {
        expect(['get', 'post', 'put', 'patch', 'delete']).toContain(method);
        expect(Object.keys(operation.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(
          0,
        );
        for (const name of path.match(/\{(\w+)\}/g) ?? []) {
          const parameter = (operation.parameters ?? []).find(
            (item) => `{${item.name}}` === name && item.in === 'path',
          );
          expect(parameter, `${method} ${path} ${name}`).toBeDefined();
        }
      }
    }
    expect(body.components.schemas.Error).toBeDefined();
    expect(body.components.securitySchemes.apiKey).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    // Every $ref points at a component that exists.
    const refs = JSON.stringify(body).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const ref of refs) {
      const name = ref.slice('"#/components/schemas/'.length, -1);
      expect(body.components.schemas[name], ref).toBeDefined();
    }
  });

  it('serves Swagger UI from the local package, with no outside URL', async () => {
    const page = await api.request('GET', '/docs', { key: null });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/docs/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of [
      'swagger-ui-bundle.js',
      'swagger-ui-standalone-preset.js',
      'swagger-ui.css',
      'init.js',
    ]) {
      const response = await api.request('GET', `/docs/${asset}`, { key: null });
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(
        asset === 'init.js' ? 50 : 10_000,
      );
    }
    const script = await (await api.request('GET', '/docs/init.js', { key: null })).text();
    expect(script).toContain("url: '/openapi.json'");
    expect((await api.request('GET', '/docs/../package.json', { key: null })).status).toBe(404);
  });
});
