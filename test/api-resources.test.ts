import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedCardRecords } from './api-fixtures.js';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

/** Happy paths and failures of the jobs, SMS, alerts, rules, plans, pools, devices routes. */
describe('API resources', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false } });
    const sync = await api.json('POST', '/api/v1/sync-runs', {
      body: { account: ONELINK_ACCOUNT },
    });
    expect(sync.status).toBe(200);
  });
  afterEach(() => api.close());

  it('plans, creates, shows, pages and cancels bulk jobs', async () => {
    const [first, second] = api.cards.acme;
    const plan = await api.json('POST', '/api/v1/jobs/plan', {
      key: 'acmeOperator',
      body: { selection: { cardIds: [first, second] } },
    });
    expect(plan.body).toEqual({
      total: 2,
      accounts: [{ account: ONELINK_ACCOUNT, supplier: 'onelink-v2', cards: 2 }],
      problems: [],
    });
    const filtered = await api.json('POST', '/api/v1/jobs/plan', {
      key: 'acmeOperator',
      body: { selection: { filter: `account=${ONELINK_ACCOUNT}` } },
    });
    // The filter matches every card of the account; acme sees only its own four.
    expect(filtered.body.total).toBe(api.cards.acme.length);
    const viewer = await api.json('POST', '/api/v1/jobs', {
      key: 'acmeViewer',
      body: { action: 'pause', selection: { cardIds: [first] } },
    });
    expect(viewer.status).toBe(403);
    const badSms = await api.json('POST', '/api/v1/jobs', {
      key: 'acmeOperator',
      body: { action: 'sms', selection: { cardIds: [first] }, params: {} },
    });
    expect(badSms.status).toBe(400);
    const created = await api.json('POST', '/api/v1/jobs', {
      key: 'acmeOperator',
      body: { action: 'pause', selection: { cardIds: [first, second] } },
    });
    expect(created.status).toBe(202);
    expect(created.body.job).toMatchObject({ action: 'pause', total: 2, queued: false });
    const id = created.body.job.id;
    let job = await api.json('GET', `/api/v1/jobs/${id}`, { key: 'acmeViewer' });
    for (let turn = 0; turn < 50 && ['pending', 'running'].includes(job.body.state); turn += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      job = await api.json('GET', `/api/v1/jobs/${id}`, { key: 'acmeViewer' });
    }
    // OneLink v2 here changes no status: each card is skipped as unsupported, none failed.
    expect(job.body).toMatchObject({ id, state: 'succeeded', total: 2, skipped: 2, failed: 0 });
    const page = await api.json('GET', `/api/v1/jobs/${id}/items?limit=1`, { key: 'acmeViewer' });
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0]).toMatchObject({ cardId: first, state: 'skipped' });
    const rest = await api.json('GET', `/api/v1/jobs/${id}/items?after=${page.body.nextCursor}`, {
      key: 'acmeViewer',
    });
    expect(rest.body.items.map((item: { cardId: number }) => item.cardId)).toEqual([second]);
    expect(rest.body.nextCursor).toBeNull();
    const list = await api.json('GET', '/api/v1/jobs', { key: 'acmeViewer' });
    expect(list.body.jobs.map((entry: { id: number }) => entry.id)).toEqual([id]);
    const cancel = await api.json('POST', `/api/v1/jobs/${id}/cancel`, { key: 'acmeOperator' });
    expect(cancel.status).toBe(409);
    expect((await api.json('GET', '/api/v1/jobs/999999')).status).toBe(404);
  });

  it('enqueues a job when a queue runs, and cancels it there', async () => {
    const cancelled: string[] = [];
    const queue = {
      async enqueue(options: { name: string }) {
        return { id: 'queue-7', name: options.name };
      },
      async cancel(id: string) {
        cancelled.push(id);
        return true;
      },
    };
    const queued = await ApiHarness.open({ queue: queue as never, api: { rateLimit: false } });
    try {
      const created = await queued.json('POST', '/api/v1/jobs', {
        body: { action: 'resume', selection: { cardIds: [queued.cards.root[0]] } },
      });
      expect(created.body.job).toMatchObject({ state: 'pending', queued: true });
      const cancel = await queued.json('POST', `/api/v1/jobs/${created.body.job.id}/cancel`);
      expect(cancel.body.state).toBe('cancelled');
      expect(cancelled).toEqual(['queue-7']);
    } finally {
      await queued.close();
    }
  });

  it('shows texts per card and across cards, and refuses a send the supplier cannot do', async () => {
    const card = api.cards.acme[0]!;
    const seeded = await seedCardRecords(api, card);
    const thread = await api.json('GET', `/api/v1/cards/${card}/sms`, { key: 'acmeViewer' });
    expect(thread.body.messages).toMatchObject([
      { id: seeded.sms, direction: 'in', status: 'received', cardId: card },
    ]);
    const inbound = await api.json('GET', '/api/v1/sms?direction=in&limit=1', {
      key: 'acmeViewer',
    });
    expect(inbound.body).toMatchObject({ messages: [{ id: seeded.sms }], nextCursor: null });
    expect((await api.json('GET', '/api/v1/sms?direction=out')).body.messages).toEqual([]);
    expect((await api.json('GET', '/api/v1/sms?direction=sideways')).status).toBe(400);
    const send = await api.json('POST', `/api/v1/cards/${card}/sms`, {
      key: 'acmeOperator',
      body: { text: 'hello' },
    });
    expect(send.status).toBe(422);
    expect(send.body.error.code).toBe('unsupported');
    const viewer = await api.json('POST', `/api/v1/cards/${card}/sms`, {
      key: 'acmeViewer',
      body: { text: 'hello' },
    });
    expect(viewer.status).toBe(403);
  });

  it('lists and acknowledges alerts', async () => {
    const card = api.cards.acme[0]!;
    const { alert } = await seedCardRecords(api, card);
    const open = await api.json('GET', `/api/v1/alerts?card=${card}&state=open`, {
      key: 'acmeViewer',
    });
    expect(open.body.alerts).toMatchObject([{ id: alert, kind: 'usage', state: 'open' }]);
    expect(
      (await api.json('POST', `/api/v1/alerts/${alert}/acknowledge`, { key: 'acmeViewer' })).status,
    ).toBe(403);
    const acked = await api.json('POST', `/api/v1/alerts/${alert}/acknowledge`, {
      key: 'acmeOperator',
    });
    expect(acked.body).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: expect.stringMatching(/^key:/),
    });
    const after = await api.json('GET', '/api/v1/alerts?state=open', { key: 'acmeViewer' });
    expect(after.body.alerts).toEqual([]);
    expect((await api.json('GET', '/api/v1/alerts?state=maybe')).status).toBe(400);
  });

  it('creates, previews, changes and deletes rules', async () => {
    const card = api.cards.acme[0]!;
    const usage = (await api.json('GET', `/api/v1/cards/${card}`)).body.usageThisMonth as number;
    expect(usage).toBeGreaterThan(0);
    const matching = { scope: 'card', targetId: card, kind: 'usage', thresholds: { bytes: 1 } };
    const preview = await api.json('POST', '/api/v1/rules/preview', {
      key: 'acmeViewer',
      body: matching,
    });
    expect(preview.body).toMatchObject({
      covered: 1,
      truncated: false,
      matches: [{ cardId: card }],
    });
    const above = await api.json('POST', '/api/v1/rules/preview', {
      key: 'acmeViewer',
      body: { ...matching, thresholds: { bytes: usage * 100 } },
    });
    expect(above.body.matches).toEqual([]);
    const account = await api.json('POST', '/api/v1/rules/preview', {
      body: {
        scope: 'account',
        targetId: ONELINK_ACCOUNT,
        kind: 'usage',
        thresholds: { bytes: 1 },
      },
    });
    expect(account.body.covered).toBe(12);
    expect(
      (
        await api.json('POST', '/api/v1/rules', {
          key: 'acmeAdmin',
          body: { ...matching, scope: 'account', targetId: ONELINK_ACCOUNT },
        })
      ).status,
    ).toBe(403);
    expect(
      (await api.json('POST', '/api/v1/rules', { key: 'acmeOperator', body: matching })).status,
    ).toBe(403);
    const bad = await api.json('POST', '/api/v1/rules', {
      key: 'acmeAdmin',
      body: { ...matching, thresholds: { bytes: 1, percent: 5 } },
    });
    expect(bad.status).toBe(400);
    const created = await api.json('POST', '/api/v1/rules', {
      key: 'acmeAdmin',
      body: { ...matching, name: 'any use', actions: [{ type: 'webhook' }] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'any use', scope: 'card', targetId: String(card) });
    const changed = await api.json('PATCH', `/api/v1/rules/${created.body.id}`, {
      key: 'acmeAdmin',
      body: { enabled: false, thresholds: { percent: 80 } },
    });
    expect(changed.body).toMatchObject({ enabled: false, thresholds: { percent: 80 } });
    // The console sends the whole rule back: same scope and target, another kind.
    const edited = await api.json('PATCH', `/api/v1/rules/${created.body.id}`, {
      key: 'acmeAdmin',
      body: { ...matching, name: null, kind: 'idle', thresholds: { days: 2 }, actions: [] },
    });
    expect(edited.body).toMatchObject({ name: null, kind: 'idle', thresholds: { days: 2 } });
    const retarget = await api.json('PATCH', `/api/v1/rules/${created.body.id}`, {
      key: 'acmeAdmin',
      body: { targetId: api.cards.globex[0] },
    });
    expect(retarget.status).toBe(404);
    const listed = await api.json('GET', '/api/v1/rules?enabled=false', { key: 'acmeViewer' });
    expect(listed.body.rules.map((rule: { id: number }) => rule.id)).toEqual([created.body.id]);
    expect(
      (await api.json('DELETE', `/api/v1/rules/${created.body.id}`, { key: 'acmeAdmin' })).status,
    ).toBe(200);
    expect(
      (await api.json('DELETE', `/api/v1/rules/${created.body.id}`, { key: 'acmeAdmin' })).status,
    ).toBe(404);
  });

  it('creates, changes, assigns and deletes plans; shows pools with usage and forecast', async () => {
    const created = await api.json('POST', '/api/v1/plans', {
      body: { name: 'iot-1g', quotaBytes: 1024 ** 3 },
    });
    expect(created.status).toBe(201);
    expect(
      (await api.json('POST', '/api/v1/plans', { body: { name: 'iot-1g', quotaBytes: 1 } })).status,
    ).toBe(409);
    expect(
      (
        await api.json('POST', '/api/v1/plans', {
          key: 'acmeAdmin',
          body: { name: 'x', quotaBytes: 1 },
        })
      ).status,
    ).toBe(403);
    const id = created.body.id;
    const assigned = await api.json('POST', `/api/v1/plans/${id}/assign`, {
      body: { cards: api.cards.acme, expiresOn: '2025-06-30' },
    });
    expect(assigned.body).toEqual({ assigned: 4, changed: 4 });
    const changed = await api.json('PATCH', `/api/v1/plans/${id}`, { body: { cycleStartDay: 5 } });
    expect(changed.body).toMatchObject({ name: 'iot-1g', cycleStartDay: 5, cards: 4 });
    expect((await api.json('GET', '/api/v1/plans')).body.plans).toHaveLength(1);
    expect(
      (
        await api.json('POST', `/api/v1/plans/${id}/assign`, {
          body: { cards: [1], expiresOn: '2025-02-30' },
        })
      ).status,
    ).toBe(400);
    expect((await api.json('DELETE', `/api/v1/plans/${id}`)).body).toEqual({ deleted: id });
    expect((await api.json('GET', `/api/v1/plans/${id}`)).status).toBe(404);

    const { PoolsRepository } = await import('../src/store/repositories/pools-repository.js');
    const pools = new PoolsRepository(api.store, () => api.clock.now());
    const pool = await pools.create({
      name: 'shared',
      account: ONELINK_ACCOUNT,
      quotaBytes: 1024 ** 4,
    });
    await pools.addCards(pool.id, api.cards.root);
    const listed = await api.json('GET', '/api/v1/pools');
    expect(listed.body.pools[0]).toMatchObject({ id: pool.id, members: 4, quotaBytes: 1024 ** 4 });
    expect(listed.body.pools[0].usedBytes).toBeGreaterThan(0);
    expect(listed.body.pools[0].runOutDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const shown = await api.json('GET', `/api/v1/pools/${pool.id}`);
    expect(shown.body.cardIds).toEqual(api.cards.root);
    expect((await api.json('GET', `/api/v1/pools/${pool.id}`, { key: 'acmeAdmin' })).status).toBe(
      404,
    );
  });

  it('shows devices with passwords masked, reveals them to admins only, and refuses bad commands', async () => {
    const card = api.cards.acme[0]!;
    const { device } = await seedCardRecords(api, card);
    const list = await api.json('GET', '/api/v1/devices', { key: 'acmeViewer' });
    expect(list.body.devices[0]).toMatchObject({
      id: device,
      online: true,
      battery: 64,
      signal: -71,
    });
    const masked = await api.json('GET', `/api/v1/devices/${device}`, { key: 'acmeViewer' });
    expect(masked.body.wifi[0].password).toBe('********');
    expect(masked.body.slots[0]).toMatchObject({ slot: 'main', cardId: card });
    expect(
      (await api.json('GET', `/api/v1/devices/${device}?reveal=true`, { key: 'acmeOperator' }))
        .status,
    ).toBe(403);
    const revealed = await api.json('GET', `/api/v1/devices/${device}?reveal=true`, {
      key: 'acmeAdmin',
    });
    expect(revealed.body.wifi[0].password).toBe('hunter2-secret');
    const audit = await api.json('GET', '/api/v1/audit?targetType=device', { key: 'acmeAdmin' });
    expect(audit.body.entries[0]).toMatchObject({ action: 'devices.reveal' });
    const bad = await api.json('POST', `/api/v1/devices/${device}/commands`, {
      key: 'acmeOperator',
      body: { type: 'switch-network', slot: 'sim9' },
    });
    expect(bad.status).toBe(400);
    // OneLink v2 manages no devices: a well-formed command is refused before any supplier call.
    const unsupported = await api.json('POST', `/api/v1/devices/${device}/commands`, {
      key: 'acmeOperator',
      body: { type: 'reboot' },
    });
    expect(unsupported.status).toBe(422);
  });

  it('answers supplier types, card capabilities, dashboard stats and the fleet daily series', async () => {
    const suppliers = await api.json('GET', '/api/v1/suppliers', { key: 'acmeViewer' });
    const types = suppliers.body.suppliers.map((supplier: { type: string }) => supplier.type);
    expect(types).toEqual(
      expect.arrayContaining(['onelink-v2', 'onelink-v5', 'm2m10086', 'agent', 'quectel']),
    );
    expect((await api.json('GET', '/api/v1/suppliers', { key: null })).status).toBe(401);
    const card = await api.json('GET', `/api/v1/cards/${api.cards.acme[0]}`, { key: 'acmeViewer' });
    expect(card.body.capabilities).toContain('usage.daily');
    expect(card.body.lifecycleActions).toEqual([]);
    const stats = await api.json('GET', '/api/v1/cards/stats?top=3', { key: 'acmeViewer' });
    expect(stats.body.total).toBe(4);
    expect(stats.body.byAccount).toEqual([
      { account: ONELINK_ACCOUNT, supplier: 'onelink-v2', cards: 4 },
    ]);
    expect(stats.body.topConsumers).toHaveLength(3);
    const usages = stats.body.topConsumers.map(
      (entry: { usageThisMonth: number }) => entry.usageThisMonth,
    );
    expect(usages).toEqual([...usages].sort((a, b) => b - a));
    expect(stats.body.monthBytes).toBeGreaterThanOrEqual(usages[0]);
    expect((await api.json('GET', '/api/v1/cards/stats?top=0')).status).toBe(400);
    const daily = await api.json('GET', '/api/v1/usage/daily?days=30', { key: 'acmeViewer' });
    expect(daily.body.days).toHaveLength(30);
    expect(daily.body.days.at(-1).date).toBe('2024-11-26');
    const known = daily.body.days.filter((day: { bytes: number | null }) => day.bytes !== null);
    expect(known.length).toBeGreaterThan(0);
    for (const day of known) expect(day.cards).toBeLessThanOrEqual(4);
    expect((await api.json('GET', '/api/v1/usage/daily?days=999')).status).toBe(400);
  });
});
