import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from './api-harness.js';

type Operation = { method: string; path: string };

/** A valid body for each write route that names cards, so only the scope can refuse it. */
function bodyFor(operation: Operation, card: number): unknown {
  if (operation.path.endsWith('/tags')) return { add: ['stolen'] };
  if (operation.path.endsWith('/cards/assign')) return { cards: [card], tenant: 'acme' };
  if (operation.path.endsWith('/cards/unassign')) return { cards: [card] };
  return {};
}

/**
 * Tenant isolation acceptance: two sibling tenants with cards; for every route of the OpenAPI
 * document that names a card (in its path or body), acme's key neither sees nor changes globex's
 * cards — 404, not 403 — and list routes never show them.
 */
describe('tenant isolation across every card route of the OpenAPI document', () => {
  let api: ApiHarness;
  let operations: Operation[];
  beforeAll(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false } });
    const document = await api.json('GET', '/openapi.json', { key: null });
    operations = Object.entries(document.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method, path })))
      .filter((operation) => operation.path.startsWith('/api/v1/cards'));
  });
  afterAll(() => api.close());

  it('finds the card routes in the document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(8);
  });

  it("answers 404 for the sibling's card on every read and write route naming one", async () => {
    const theirs = api.cards.globex[0]!;
    const mine = api.cards.acme[0]!;
    const checked: string[] = [];
    for (const operation of operations) {
      const namesCard = operation.path.includes('{id}') || operation.method === 'post';
      if (!namesCard) continue;
      const path = operation.path.replace('{id}', String(theirs));
      for (const key of ['acmeAdmin', 'acmeOperator']) {
        const result = await api.json(operation.method.toUpperCase(), path, {
          key,
          body: operation.method === 'get' ? undefined : bodyFor(operation, theirs),
        });
        const expected = key === 'acmeOperator' && operation.path.includes('assign') ? 403 : 404;
        expect(result.status, `${key} ${operation.method} ${path}`).toBe(expected);
        expect(result.body.error.code).toBe(expected === 404 ? 'not_found' : 'permission_denied');
      }
      // The same route works on the caller's own card: the 404 is the scope, not the route.
      const own = await api.json(
        operation.method.toUpperCase(),
        operation.path.replace('{id}', String(mine)),
        {
          key: 'acmeAdmin',
          body: operation.method === 'get' ? undefined : bodyFor(operation, mine),
        },
      );
      expect(own.status, `own ${operation.method} ${operation.path}`).toBe(200);
      checked.push(`${operation.method} ${operation.path}`);
    }
    expect(checked.length).toBeGreaterThanOrEqual(7);
    // Nothing changed on globex's card.
    const card = await api.json('GET', `/api/v1/cards/${theirs}`, { key: 'globexAdmin' });
    expect(card.body).toMatchObject({ tenant: 'globex', tags: [] });
  });

  it("never lists the sibling's cards, whatever the filter", async () => {
    for (const query of [
      '',
      '?tenant=globex',
      '?sort=usage&order=desc',
      `?q=${'8986'}`,
      '?status=active',
    ]) {
      const result = await api.json('GET', `/api/v1/cards${query}`, { key: 'acmeViewer' });
      const ids = (result.body.cards ?? []).map((card: { id: number }) => card.id);
      for (const id of api.cards.globex) expect(ids, query).not.toContain(id);
      if (query === '?tenant=globex') expect(result.status).toBe(404);
    }
    const totals = await api.json('GET', '/api/v1/usage/totals?groupBy=tenant', {
      key: 'acmeViewer',
    });
    for (const row of totals.body.totals) expect(row.key).not.toBe('globex');
  });

  it('lets the root see both, and a key of a sibling only its own', async () => {
    const root = await api.json('GET', '/api/v1/cards', { key: 'owner' });
    expect(root.body.cards).toHaveLength(12);
    const globex = await api.json('GET', '/api/v1/cards', { key: 'globexAdmin' });
    expect(globex.body.cards.map((card: { id: number }) => card.id)).toEqual(api.cards.globex);
  });
});
