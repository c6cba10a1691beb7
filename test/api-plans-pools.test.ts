import { afterEach, beforeEach, expect, it } from 'vitest';
import { addDays, cstToday } from '../src/domain/index.js';
import { PlansRepository } from '../src/store/repositories/plans-repository.js';
import { describeEachDialect } from '../src/store/store.test-support.js';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

/**
 * The plans page's API (cards per plan from the kept figures, expiry dates, assignment by
 * filter, the cards table's plan column) and pools' create, update and delete.
 */
describeEachDialect('plans and pools API on $dialect', ({ dialect }) => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open({ dialect });
  });
  afterEach(async () => api.close());

  it('lists plans with their card counts and expiry dates, and assigns by filter', async () => {
    const today = cstToday(api.clock.now());
    const created = await api.json('POST', '/api/v1/plans', {
      body: { name: '1GB 月包', quotaBytes: 1024 ** 3 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      cards: 0,
      expiry: { nextExpiresOn: null, lastExpiresOn: null, expiringSoon: 0, expired: 0 },
    });
    const id = created.body.id as number;
    const other = (
      await api.json('POST', '/api/v1/plans', { body: { name: 'open', quotaBytes: null } })
    ).body.id as number;
    const plans = new PlansRepository(api.store, () => api.clock.now());
    await plans.assign(api.cards.root.slice(0, 2), { planId: id, expiresOn: addDays(today, 10) });
    await plans.assign(api.cards.root.slice(2, 3), { planId: id, expiresOn: addDays(today, -3) });
    await plans.assign(api.cards.acme.slice(0, 1), { planId: id, expiresOn: addDays(today, 90) });
    await plans.assign(api.cards.globex, { planId: other });

    const listed = await api.json('GET', '/api/v1/plans');
    expect(listed.status).toBe(200);
    expect(listed.body.plans).toEqual([
      expect.objectContaining({
        id,
        name: '1GB 月包',
        quotaBytes: 1024 ** 3,
        cycleStartDay: 1,
        cards: 4,
        expiry: {
          nextExpiresOn: addDays(today, 10),
          lastExpiresOn: addDays(today, 90),
          expiringSoon: 2,
          expired: 1,
        },
      }),
      expect.objectContaining({
        id: other,
        cards: 4,
        expiry: expect.objectContaining({ expired: 0 }),
      }),
    ]);
    // The counts come from the kept figures and agree with the cards on the plan.
    expect((await plans.cardIds(id)).length).toBe(4);

    // Every card matching a filter: the account's 12 cards move to the second plan.
    const byFilter = await api.json('POST', `/api/v1/plans/${other}/assign`, {
      body: { filter: `account=${ONELINK_ACCOUNT}`, expiresOn: addDays(today, 5) },
    });
    expect(byFilter).toMatchObject({ status: 200, body: { assigned: 12 } });
    const after = (await api.json('GET', `/api/v1/plans/${other}`)).body;
    expect(after).toMatchObject({ cards: 12, expiry: { nextExpiresOn: addDays(today, 5) } });
    expect((await api.json('GET', `/api/v1/plans/${id}`)).body.cards).toBe(0);
    for (const body of [
      {},
      { cards: [api.cards.root[0]], filter: 'status=active' },
      { filter: 'colour=blue' },
      { filter: 'account=nowhere' },
    ]) {
      const refused = await api.json('POST', `/api/v1/plans/${other}/assign`, { body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
    // Neither or both: the error names the two fields, as a validation failure does.
    for (const body of [{}, { cards: [api.cards.root[0]], filter: 'status=active' }]) {
      const refused = await api.json('POST', `/api/v1/plans/${other}/assign`, { body });
      expect(
        refused.body.error.details.fields.map((field: { path: string }) => field.path),
      ).toEqual(['cards', 'filter']);
    }

    // The cards table's plan column: each card's plan and expiry, in the caller's scope.
    const [first, second] = api.cards.acme;
    const column = await api.json('GET', `/api/v1/plans/cards?ids=${first},${second}`);
    expect(column.body.cards).toEqual([
      { cardId: first, plan: { id: other, name: 'open' }, expiresOn: addDays(today, 5) },
      { cardId: second, plan: { id: other, name: 'open' }, expiresOn: addDays(today, 5) },
    ]);
    const tenant = await api.json('GET', `/api/v1/plans/cards?ids=${first}`, { key: 'acmeViewer' });
    expect(tenant.body.cards).toEqual([{ cardId: first, plan: null, expiresOn: null }]);
    expect(
      (
        await api.json('GET', `/api/v1/plans/cards?ids=${api.cards.globex[0]}`, {
          key: 'acmeViewer',
        })
      ).status,
    ).toBe(404);
    expect((await api.json('GET', '/api/v1/plans/cards?ids=1,x')).status).toBe(400);
  });

  it('creates, changes and deletes pools; a pool a rule watches stays', async () => {
    const created = await api.json('POST', '/api/v1/pools', {
      body: {
        name: '共享池',
        account: ONELINK_ACCOUNT,
        quotaBytes: 10 * 1024 ** 3,
        cycleStartDay: 27,
        cards: api.cards.root,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: '共享池',
      account: ONELINK_ACCOUNT,
      source: 'simdock',
      quotaBytes: 10 * 1024 ** 3,
      members: 4,
      cycle: { startDay: 27 },
    });
    const id = created.body.id as number;
    const same = await api.json('POST', '/api/v1/pools', {
      body: { name: '共享池', quotaBytes: null },
    });
    expect(same.status).toBe(409);
    const noAccount = await api.json('POST', '/api/v1/pools', {
      body: { name: 'x', account: 'nowhere', quotaBytes: null },
    });
    expect(noAccount.status).toBe(404);
    const noCard = await api.json('POST', '/api/v1/pools', {
      body: { name: 'y', quotaBytes: null, cards: [999_999] },
    });
    expect(noCard.status).toBe(400);
    const tenant = await api.json('POST', '/api/v1/pools', {
      key: 'acmeAdmin',
      body: { name: 'z', quotaBytes: null },
    });
    expect(tenant.status).toBe(403);
    const viewer = await api.json('POST', '/api/v1/pools', {
      key: 'rootViewer',
      body: { name: 'z', quotaBytes: null },
    });
    expect(viewer.status).toBe(403);

    const changed = await api.json('PATCH', `/api/v1/pools/${id}`, {
      body: { name: 'shared', account: null, quotaBytes: null },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      name: 'shared',
      account: null,
      quotaBytes: null,
      members: 4,
    });
    expect(
      (await api.json('PATCH', `/api/v1/pools/${id}`, { body: { cycleStartDay: 32 } })).status,
    ).toBe(400);
    expect(
      (await api.json('PATCH', `/api/v1/pools/${id}`, { key: 'acmeAdmin', body: { name: 'q' } }))
        .status,
    ).toBe(404);
    expect((await api.json('PATCH', '/api/v1/pools/999', { body: { name: 'q' } })).status).toBe(
      404,
    );

    const added = await api.json('POST', `/api/v1/pools/${id}/cards`, {
      body: { cards: [api.cards.root[0], api.cards.acme[0]] },
    });
    expect(added.body).toEqual({ added: 1, cards: 2 });
    // By filter, and out again: by ids, and by filter; cards not in it are left alone.
    const all = api.cards.root.length + api.cards.acme.length + api.cards.globex.length;
    const before = (await api.json('GET', `/api/v1/pools/${id}`)).body.members;
    const byFilter = await api.json('POST', `/api/v1/pools/${id}/cards`, {
      body: { filter: `account=${ONELINK_ACCOUNT}` },
    });
    expect(byFilter.body).toEqual({ added: all - before, cards: all });
    const out = await api.json('POST', `/api/v1/pools/${id}/cards/remove`, {
      body: { cards: [api.cards.acme[0]] },
    });
    expect(out.body).toEqual({ removed: 1, cards: 1 });
    const again = await api.json('POST', `/api/v1/pools/${id}/cards/remove`, {
      body: { cards: [api.cards.acme[0]] },
    });
    expect(again.body).toEqual({ removed: 0, cards: 1 });
    expect((await api.json('GET', `/api/v1/pools/${id}`)).body.members).toBe(all - 1);
    const rest = await api.json('POST', `/api/v1/pools/${id}/cards/remove`, {
      body: { filter: `account=${ONELINK_ACCOUNT}` },
    });
    expect(rest.body).toEqual({ removed: all - 1, cards: all });
    for (const body of [
      {},
      { cards: [api.cards.root[0]], filter: 'status=active' },
      { filter: 'colour=blue' },
    ]) {
      const bad = await api.json('POST', `/api/v1/pools/${id}/cards/remove`, { body });
      expect(bad.status).toBe(400);
    }
    expect(
      (await api.json('POST', `/api/v1/pools/${id}/cards/remove`, { body: { cards: [999999] } }))
        .status,
    ).toBe(404);
    expect(
      (
        await api.json('POST', `/api/v1/pools/${id}/cards/remove`, {
          key: 'acmeAdmin',
          body: { cards: [api.cards.acme[1]] },
        })
      ).status,
    ).toBe(404);
    await api.json('POST', `/api/v1/pools/${id}/cards`, { body: { cards: [api.cards.root[0]] } });

    const rule = await api.json('POST', '/api/v1/rules', {
      body: { scope: 'pool', targetId: String(id), kind: 'usage', thresholds: { percent: 90 } },
    });
    expect(rule.status).toBe(201);
    const refused = await api.json('DELETE', `/api/v1/pools/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(`rule ${rule.body.id} watches pool ${id}`);
    await api.json('DELETE', `/api/v1/rules/${rule.body.id}`);
    expect((await api.json('DELETE', `/api/v1/pools/${id}`)).body).toEqual({ deleted: id });
    expect((await api.json('DELETE', `/api/v1/pools/${id}`)).status).toBe(404);
    expect((await api.json('GET', '/api/v1/pools')).body.pools).toEqual([]);
    // Its cards stay.
    expect((await api.json('GET', `/api/v1/cards/${api.cards.root[0]}`)).status).toBe(200);
    const audit = await api.store.audit.listInSubtree(null, { targetType: 'pool', limit: 10 });
    expect(audit.map((entry) => entry.action).sort()).toEqual([
      'pools.cards.add',
      'pools.cards.add',
      'pools.cards.add',
      'pools.cards.remove',
      'pools.cards.remove',
      'pools.create',
      'pools.delete',
      'pools.update',
    ]);
  });
});
