import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness } from '../api-harness.js';
import { propertyParameters } from '../hostile/hostile-support.js';

/** A random tenant tree: each tenant's parent is the root (-1) or an earlier tenant. */
const tree = fc
  .array(fc.record({ parent: fc.nat(), kind: fc.constantFrom('customer', 'agent') }), {
    minLength: 1,
    maxLength: 6,
  })
  .chain((tenants) =>
    fc.record({
      tenants: fc.constant(
        tenants.map((tenant, index) => ({
          kind: tenant.kind as 'customer' | 'agent',
          parent: tenant.parent % (index + 1) === index ? -1 : tenant.parent % (index + 1),
        })),
      ),
      // Where each of the harness's 12 cards goes: a tenant index, or -1 (kept by the root).
      holders: fc.array(fc.integer({ min: -1, max: tenants.length - 1 }), {
        minLength: 12,
        maxLength: 12,
      }),
      viewer: fc.nat({ max: tenants.length - 1 }),
    }),
  );

/**
 * Tenant isolation over random tenant trees, through the API: a tenant's key sees exactly the
 * cards assigned in its subtree and the tenants of its subtree; every card and tenant outside
 * answers 404 (existence does not leak), reads and writes alike.
 */
describe('tenant isolation over random tenant trees', () => {
  let api: ApiHarness;
  let run = 0;
  beforeAll(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false } });
  });
  afterAll(() => api.close());

  it('shows each tenant its subtree and nothing else', async () => {
    const allCards = [...api.cards.root, ...api.cards.acme, ...api.cards.globex];
    await fc.assert(
      fc.asyncProperty(tree, async ({ tenants, holders, viewer }) => {
        run += 1;
        const ids = tenants.map((_, index) => `t${run}-${index}`);
        // Build the tree as the operator, then hand out the cards.
        expect(
          (await api.json('POST', '/api/v1/cards/unassign', { body: { cards: allCards } })).status,
        ).toBe(200);
        for (const [index, tenant] of tenants.entries()) {
          const created = await api.json('POST', '/api/v1/tenants', {
            body: {
              id: ids[index],
              name: `Tenant ${index}`,
              kind: tenant.kind,
              parent: tenant.parent === -1 ? 'root' : ids[tenant.parent],
            },
          });
          expect(created.status, JSON.stringify(created.body)).toBe(201);
        }
        for (const [index] of tenants.entries()) {
          const mine = allCards.filter((_, card) => holders[card] === index);
          if (mine.length === 0) continue;
          const assigned = await api.json('POST', '/api/v1/cards/assign', {
            body: { cards: mine, tenant: ids[index] },
          });
          expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
        }
        const key = await api.json('POST', '/api/v1/keys', {
          body: { name: `viewer ${run}`, role: 'admin', tenant: ids[viewer] },
        });
        expect(key.status).toBe(201);
        const secret = key.body.key as string;

        // The subtree of the viewer: itself and every tenant whose ancestors include it.
        const inSubtree = (index: number): boolean => {
          for (let at = index; at !== -1; at = tenants[at]!.parent) if (at === viewer) return true;
          return false;
        };
        const visible = allCards.filter(
          (_, card) => holders[card]! >= 0 && inSubtree(holders[card]!),
        );
        const hidden = allCards.filter((card) => !visible.includes(card));

        const listed = await api.json('GET', '/api/v1/cards?limit=1000', { key: secret });
        expect(listed.status).toBe(200);
        expect(listed.body.cards.map((card: { id: number }) => card.id).sort()).toEqual(
          [...visible].sort(),
        );
        for (const card of visible) {
          expect((await api.json('GET', `/api/v1/cards/${card}`, { key: secret })).status).toBe(
            200,
          );
        }
        for (const card of hidden) {
          for (const [method, path, body] of [
            ['GET', `/api/v1/cards/${card}`, undefined],
            ['GET', `/api/v1/cards/${card}/status-history`, undefined],
            ['POST', `/api/v1/cards/${card}/tags`, { add: ['probe'] }],
            ['POST', '/api/v1/cards/assign', { cards: [card], tenant: ids[viewer] }],
          ] as const) {
            const answer = await api.json(method, path, { key: secret, body });
            expect(answer.status, `${method} ${path} as ${ids[viewer]}`).toBe(404);
            expect(answer.body.error.code).toBe('not_found');
          }
        }
        const tenantList = await api.json('GET', '/api/v1/tenants', { key: secret });
        const seen = new Set(
          (tenantList.body.tenants as { id: string }[]).map((tenant) => tenant.id),
        );
        for (const [index, id] of ids.entries()) {
          expect(seen.has(id), `${id} listed for ${ids[viewer]}`).toBe(inSubtree(index));
          const one = await api.json('GET', `/api/v1/tenants/${id}`, { key: secret });
          expect(one.status, `${id} for ${ids[viewer]}`).toBe(inSubtree(index) ? 200 : 404);
        }
        for (const other of ['root', 'acme', 'globex']) expect(seen.has(other)).toBe(false);
        const totals = await api.json('GET', '/api/v1/usage/totals?groupBy=tenant', {
          key: secret,
        });
        for (const row of totals.body.totals as { key: string }[]) {
          const index = ids.indexOf(row.key);
          expect(index >= 0 && inSubtree(index), `totals row ${row.key}`).toBe(true);
        }
      }),
      propertyParameters(15),
    );
  });
});
