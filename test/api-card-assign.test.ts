import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

const DIALECTS = process.env.SIMDOCK_TEST_DATABASE_URL
  ? (['sqlite', 'postgres'] as const)
  : (['sqlite'] as const);

/** 划卡 by a pasted identifier list and by a card filter (POST /api/v1/cards/assign|unassign). */
describe.each(DIALECTS)('API: assigning cards by identifiers and by filter on %s', (dialect) => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false }, dialect });
  });
  afterEach(() => api.close());

  const iccidOf = async (id: number) =>
    (await api.json('GET', `/api/v1/cards/${id}`)).body.iccid as string;
  const tenantOf = async (id: number) =>
    (await api.json('GET', `/api/v1/cards/${id}`)).body.tenant as string | null;

  it('assigns pasted ICCIDs, reporting those matching no card, and takes them back', async () => {
    const [first, second] = api.cards.root;
    const iccids = [await iccidOf(first!), await iccidOf(second!)];
    const assigned = await api.json('POST', '/api/v1/cards/assign', {
      body: { identifiers: [...iccids, '89860000000000000000'], tenant: 'acme' },
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.assigned).toBe(2);
    expect(assigned.body.problems).toEqual([
      { identifier: '89860000000000000000', reason: expect.stringMatching(/no card/) },
    ]);
    expect(await tenantOf(first!)).toBe('acme');
    const back = await api.json('POST', '/api/v1/cards/unassign', {
      body: { identifiers: iccids },
    });
    expect(back.body).toMatchObject({ assigned: 2, problems: [] });
    expect(await tenantOf(first!)).toBeNull();
  });

  it('assigns every card matching a filter, within the caller’s own cards', async () => {
    const byFilter = await api.json('POST', '/api/v1/cards/assign', {
      key: 'acmeAdmin',
      body: { filter: `account=${ONELINK_ACCOUNT}`, tenant: 'acme-east' },
    });
    expect(byFilter.status).toBe(200);
    // The account holds twelve cards; acme's admin sees (and moves) its own four only.
    expect(byFilter.body).toEqual({
      assigned: api.cards.acme.length,
      changed: api.cards.acme.length,
    });
    expect(await tenantOf(api.cards.acme[0]!)).toBe('acme-east');
    expect(await tenantOf(api.cards.globex[0]!)).toBe('globex');
    // Another tenant's ICCID reads as unknown to acme.
    const theirs = await iccidOf(api.cards.globex[0]!);
    const hidden = await api.json('POST', '/api/v1/cards/assign', {
      key: 'acmeAdmin',
      body: { identifiers: [theirs], tenant: 'acme-east' },
    });
    expect(hidden.status).toBe(404);
    expect(await tenantOf(api.cards.globex[0]!)).toBe('globex');
  });

  it('refuses none or several selections, and a bad filter', async () => {
    const none = await api.json('POST', '/api/v1/cards/assign', { body: { tenant: 'acme' } });
    expect(none.status).toBe(400);
    const both = await api.json('POST', '/api/v1/cards/assign', {
      body: { cards: [api.cards.root[0]], filter: 'status=active', tenant: 'acme' },
    });
    expect(both.status).toBe(400);
    const bad = await api.json('POST', '/api/v1/cards/assign', {
      body: { filter: 'colour=blue', tenant: 'acme' },
    });
    expect(bad.status).toBe(400);
    expect(await tenantOf(api.cards.root[0]!)).toBeNull();
  });
});
