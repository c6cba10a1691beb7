import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnqueueOptions, JobQueue, JobRecord } from '../src/services/job-queue.js';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

type CardBody = { id: number; iccid: string; usageThisMonth: number | null; tags: string[] };

describe('API routes', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open();
  });
  afterEach(() => api.close());

  async function syncInline() {
    const result = await api.json('POST', '/api/v1/sync-runs', {
      body: { account: ONELINK_ACCOUNT },
    });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    return result.body as { queued: false; runId: number; status: string };
  }

  it('syncs inline, then lists runs and shows one with its failures', async () => {
    const started = await syncInline();
    expect(started.status).toBe('succeeded');
    const runs = await api.json('GET', `/api/v1/sync-runs?account=${ONELINK_ACCOUNT}`);
    expect(runs.body.runs[0]).toMatchObject({ id: started.runId, account: ONELINK_ACCOUNT });
    const run = await api.json('GET', `/api/v1/sync-runs/${started.runId}`);
    expect(run.body.run.calls).toBeGreaterThan(0);
    expect(run.body.failures).toEqual([]);
    expect((await api.json('GET', '/api/v1/sync-runs/999999')).status).toBe(404);
    expect(
      (await api.json('POST', '/api/v1/sync-runs', { body: { account: 'nope' } })).status,
    ).toBe(404);
  });

  it.each(['sqlite', 'postgres'] as const)(
    'answers sync requests made at once with the status each run records (%s)',
    async (dialect) => {
      if (dialect === 'postgres' && !process.env.SIMDOCK_TEST_DATABASE_URL) return;
      const own = dialect === 'sqlite' ? api : await ApiHarness.open({ dialect });
      try {
        const answers = await Promise.all(
          Array.from({ length: 4 }, () =>
            own.json('POST', '/api/v1/sync-runs', { body: { account: ONELINK_ACCOUNT } }),
          ),
        );
        // Each later plan may take an earlier run's place; none is left running, none fails.
        for (const answer of answers) {
          expect(answer.status, JSON.stringify(answer.body)).toBe(200);
          expect(['succeeded', 'superseded']).toContain(answer.body.status);
          const run = await own.json('GET', `/api/v1/sync-runs/${answer.body.runId}`);
          expect(run.body.run.status).toBe(answer.body.status);
        }
        expect(answers.some((answer) => answer.body.status === 'succeeded')).toBe(true);
        const runs = await own.json('GET', `/api/v1/sync-runs?account=${ONELINK_ACCOUNT}`);
        expect(runs.body.runs.map((run: { status: string }) => run.status)).not.toContain(
          'running',
        );
        for (const body of [
          {},
          { account: 5 },
          { account: '' },
          { account: ONELINK_ACCOUNT, full: 'yes' },
          { account: ONELINK_ACCOUNT, days: 3 },
        ]) {
          expect((await own.json('POST', '/api/v1/sync-runs', { body })).status).toBe(400);
        }
      } finally {
        if (own !== api) await own.close();
      }
    },
  );

  it('enqueues a sync when a job queue is given', async () => {
    const enqueued: EnqueueOptions<unknown>[] = [];
    const queue = {
      async enqueue(options: EnqueueOptions<unknown>) {
        enqueued.push(options);
        return { id: 'job-1', name: options.name } as JobRecord<unknown>;
      },
    } as unknown as JobQueue;
    const queued = await ApiHarness.open({ queue });
    try {
      const result = await queued.json('POST', '/api/v1/sync-runs', {
        body: { account: ONELINK_ACCOUNT },
      });
      expect(result.status).toBe(202);
      expect(result.body).toEqual({ queued: true, jobId: 'job-1' });
      expect(enqueued[0]).toMatchObject({
        name: 'sync',
        payload: { account: ONELINK_ACCOUNT },
        key: `sync:${ONELINK_ACCOUNT}`,
      });
      // A full sync is its own job, queued behind a plain one rather than folded into it.
      const full = await queued.json('POST', '/api/v1/sync-runs', {
        body: { account: ONELINK_ACCOUNT, full: true },
      });
      expect(full.status).toBe(202);
      expect(enqueued[1]).toMatchObject({
        name: 'sync',
        payload: { account: ONELINK_ACCOUNT, full: true },
        queue: `sync:${ONELINK_ACCOUNT}`,
        key: `sync-full:${ONELINK_ACCOUNT}`,
      });
      const wrong = await queued.json('POST', '/api/v1/sync-runs', {
        body: { account: ONELINK_ACCOUNT, full: 'yes' },
      });
      expect(wrong.status).toBe(400);
      expect(enqueued).toHaveLength(2);
    } finally {
      await queued.close();
    }
  });

  it('filters, sorts and pages cards with a cursor', async () => {
    await syncInline();
    const all = await api.json('GET', '/api/v1/cards?sort=usage&order=desc&limit=5');
    expect(all.status).toBe(200);
    const usages = all.body.cards.map((card: CardBody) => card.usageThisMonth);
    expect(usages.every((value: number | null) => value !== null)).toBe(true);
    expect([...usages].sort((a, b) => b - a)).toEqual(usages);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { cards: CardBody[]; nextCursor: string | null } } = await api.json(
        'GET',
        `/api/v1/cards?sort=iccid&limit=5${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.cards.map((card) => card.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);

    const first = all.body.cards[0] as CardBody;
    const search = await api.json('GET', `/api/v1/cards?q=${first.iccid.slice(-6)}`);
    expect(search.body.cards.map((card: CardBody) => card.id)).toContain(first.id);
    const range = await api.json('GET', `/api/v1/cards?usageMin=${first.usageThisMonth}`);
    expect(
      range.body.cards.every(
        (card: CardBody) => (card.usageThisMonth ?? -1) >= first.usageThisMonth!,
      ),
    ).toBe(true);
    const byTenant = await api.json('GET', '/api/v1/cards?tenant=acme');
    expect(byTenant.body.cards.map((card: CardBody) => card.id)).toEqual(api.cards.acme);
    const byAccount = await api.json(
      'GET',
      `/api/v1/cards?account=${ONELINK_ACCOUNT}&supplier=onelink-v2&status=active`,
    );
    expect(byAccount.status).toBe(200);
    const none = await api.json('GET', '/api/v1/cards?account=elsewhere');
    expect(none.body.cards).toEqual([]);
  });

  it('shows a card, its usage series, status history, and tags it', async () => {
    await syncInline();
    const id = api.cards.root[0];
    const card = await api.json('GET', `/api/v1/cards/${id}`);
    expect(card.body).toMatchObject({ id, account: ONELINK_ACCOUNT, tenant: null, tags: [] });
    const daily = await api.json(
      'GET',
      `/api/v1/cards/${id}/usage/daily?from=2024-11-01&to=2024-11-30`,
    );
    expect(daily.body.days.length).toBeGreaterThan(0);
    expect(Number.isInteger(daily.body.days[0].bytes)).toBe(true);
    const reversed = await api.json(
      'GET',
      `/api/v1/cards/${id}/usage/daily?from=2024-11-30&to=2024-11-01`,
    );
    expect(reversed.status).toBe(400);
    const monthly = await api.json('GET', `/api/v1/cards/${id}/usage/monthly?from=2024-01`);
    expect(monthly.status).toBe(200);
    expect(Array.isArray(monthly.body.months)).toBe(true);
    expect((await api.json('GET', `/api/v1/cards/${id}/usage/monthly?from=2024-13`)).status).toBe(
      400,
    );
    const history = await api.json('GET', `/api/v1/cards/${id}/status-history`);
    expect(history.status).toBe(200);
    expect(Array.isArray(history.body.changes)).toBe(true);
    const tagged = await api.json('POST', `/api/v1/cards/${id}/tags`, {
      body: { add: ['b', 'a', 'a'] },
    });
    expect(tagged.body.tags).toEqual(['a', 'b']);
    const untagged = await api.json('POST', `/api/v1/cards/${id}/tags`, {
      body: { remove: ['a'] },
    });
    expect(untagged.body.tags).toEqual(['b']);
    const byTag = await api.json('GET', '/api/v1/cards?tag=b');
    expect(byTag.body.cards.map((item: CardBody) => item.id)).toEqual([id]);
    expect((await api.json('GET', '/api/v1/cards/999999')).status).toBe(404);
  });

  it('assigns cards to a tenant and takes them back', async () => {
    const ids = api.cards.root.slice(0, 2);
    const assigned = await api.json('POST', '/api/v1/cards/assign', {
      body: { cards: ids, tenant: 'acme-east' },
    });
    expect(assigned.body).toEqual({ assigned: 2, changed: 2 });
    const acme = await api.json('GET', '/api/v1/cards', { key: 'acmeViewer' });
    expect(acme.body.cards.map((card: CardBody) => card.id)).toEqual(expect.arrayContaining(ids));
    // acme's admin passes a card down and takes it back; it stays acme's.
    const down = await api.json('POST', '/api/v1/cards/assign', {
      key: 'acmeAdmin',
      body: { cards: [api.cards.acme[0]], tenant: 'acme-east' },
    });
    expect(down.status).toBe(200);
    const back = await api.json('POST', '/api/v1/cards/unassign', {
      key: 'acmeAdmin',
      body: { cards: [api.cards.acme[0]] },
    });
    expect(back.status).toBe(200);
    expect(
      (await api.json('GET', `/api/v1/cards/${api.cards.acme[0]}`, { key: 'acmeAdmin' })).body
        .tenant,
    ).toBe('acme');
    const rootBack = await api.json('POST', '/api/v1/cards/unassign', { body: { cards: ids } });
    expect(rootBack.status).toBe(200);
    const acmeAfter = await api.json('GET', '/api/v1/cards', { key: 'acmeViewer' });
    expect(acmeAfter.body.cards.map((card: CardBody) => card.id)).not.toContain(ids[0]);
    expect(
      (await api.json('POST', '/api/v1/cards/assign', { body: { cards: ids, tenant: 'nope' } }))
        .status,
    ).toBe(404);
  });

  it('totals usage per account and per tenant', async () => {
    await syncInline();
    const { store } = api;
    await store.usage.upsertMonthly(
      [...api.cards.acme, ...api.cards.root].map((cardId) => ({
        cardId,
        month: '2024-11',
        bytes: 1024,
      })),
    );
    const byAccount = await api.json('GET', '/api/v1/usage/totals?month=2024-11');
    expect(byAccount.body.totals).toEqual([{ key: ONELINK_ACCOUNT, cards: 8, bytes: 8192 }]);
    const byTenant = await api.json('GET', '/api/v1/usage/totals?month=2024-11&groupBy=tenant');
    expect(byTenant.body.totals).toEqual(
      expect.arrayContaining([
        { key: 'acme', cards: 4, bytes: 4096 },
        { key: null, cards: 4, bytes: 4096 },
      ]),
    );
    const acme = await api.json('GET', '/api/v1/usage/totals?month=2024-11', { key: 'acmeViewer' });
    expect(acme.body.totals).toEqual([{ key: ONELINK_ACCOUNT, cards: 4, bytes: 4096 }]);
    expect((await api.json('GET', '/api/v1/usage/totals?month=nope')).status).toBe(400);
  });

  it('lists, adds, tests, disables and enables accounts with secrets masked', async () => {
    const list = await api.json('GET', '/api/v1/accounts');
    expect(list.body.accounts[0]).toMatchObject({
      id: ONELINK_ACCOUNT,
      type: 'onelink-v2',
      enabled: true,
    });
    expect(list.body.accounts[0].secrets.password).toBe('••••••');
    expect(JSON.stringify(list.body)).not.toContain('api-test-password');
    const test = await api.json('POST', `/api/v1/accounts/${ONELINK_ACCOUNT}/test`);
    expect(test.body).toMatchObject({ ok: true, operation: 'identities', error: null });
    expect(test.body.calls).toBeGreaterThanOrEqual(1);
    const one = await api.json('GET', `/api/v1/accounts/${ONELINK_ACCOUNT}`);
    expect(one.body.health.callsSinceStart).toBeGreaterThanOrEqual(1);

    const added = await api.json('POST', '/api/v1/accounts', {
      body: {
        id: 'onelink-wrong',
        type: 'onelink-v2',
        settings: {
          baseUrl: 'http://onelink.test/v2',
          appid: 'api-test',
          password: 'not the password',
          ebids: { batchquerycardinfo: '0001000000036', batchgprsusedbydate: '0001000000346' },
        },
      },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.secrets.password).toBe('••••••');
    await api.context.store.cards.importCards('onelink-wrong', 'onelink-v2', [
      { iccid: api.simulator.fleet.card(0).iccid },
    ]);
    const failing = await api.json('POST', '/api/v1/accounts/onelink-wrong/test');
    expect(failing.body.ok).toBe(false);
    expect(failing.body.error.code).toMatch(/^supplier_/);
    const again = await api.json('POST', '/api/v1/accounts', {
      body: { ...added.body, health: undefined },
    });
    expect(again.status).toBe(400);
    const badSettings = await api.json('POST', '/api/v1/accounts', {
      body: { id: 'bad', type: 'onelink-v2', settings: {} },
    });
    expect(badSettings.status).toBe(400);
    expect(badSettings.body.error.code).toBe('config_error');

    const disabled = await api.json('POST', '/api/v1/accounts/onelink-wrong/disable');
    expect(disabled.body.enabled).toBe(false);
    expect(
      (await api.json('POST', '/api/v1/sync-runs', { body: { account: 'onelink-wrong' } })).status,
    ).toBe(409);
    const enabled = await api.json('POST', '/api/v1/accounts/onelink-wrong/enable');
    expect(enabled.body.enabled).toBe(true);
    expect((await api.json('GET', '/api/v1/accounts/none')).status).toBe(404);
    // Supplier accounts are the operator's: a customer tenant cannot read them.
    expect((await api.json('GET', '/api/v1/accounts', { key: 'acmeAdmin' })).status).toBe(403);
  });

  it('creates, lists and shows tenants within the subtree', async () => {
    const created = await api.json('POST', '/api/v1/tenants', {
      key: 'acmeAdmin',
      body: { id: 'acme-west', name: 'Acme West', kind: 'agent' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ parent: 'acme', path: '/root/acme/acme-west/' });
    const list = await api.json('GET', '/api/v1/tenants', { key: 'acmeViewer' });
    expect(list.body.tenants.map((tenant: { id: string }) => tenant.id)).toEqual([
      'acme',
      'acme-east',
      'acme-west',
    ]);
    expect((await api.json('GET', '/api/v1/tenants/globex', { key: 'acmeViewer' })).status).toBe(
      404,
    );
    expect((await api.json('GET', '/api/v1/tenants/acme-west', { key: 'acmeViewer' })).status).toBe(
      200,
    );
    const duplicate = await api.json('POST', '/api/v1/tenants', {
      body: { id: 'acme', name: 'Again', kind: 'customer' },
    });
    expect(duplicate.status).toBe(409);
    const underOther = await api.json('POST', '/api/v1/tenants', {
      key: 'acmeAdmin',
      body: { id: 'sneak', name: 'Sneak', kind: 'customer', parent: 'globex' },
    });
    expect(underOther.status).toBe(404);
  });

  it('shows the audit log scoped to the caller', async () => {
    await api.json('POST', `/api/v1/cards/${api.cards.acme[0]}/tags`, {
      key: 'acmeOperator',
      body: { add: ['x'] },
    });
    await api.json('POST', `/api/v1/cards/${api.cards.globex[0]}/tags`, {
      key: 'globexAdmin',
      body: { add: ['y'] },
    });
    const acme = await api.json('GET', '/api/v1/audit', { key: 'acmeViewer' });
    expect(acme.body.entries).toHaveLength(1);
    expect(acme.body.entries[0]).toMatchObject({
      action: 'cards.tags',
      targetId: String(api.cards.acme[0]),
    });
    const root = await api.json('GET', '/api/v1/audit?targetType=card&limit=1');
    expect(root.body.entries).toHaveLength(1);
    expect(root.body.nextBefore).toBe(root.body.entries[0].id);
    const older = await api.json(
      'GET',
      `/api/v1/audit?targetType=card&before=${root.body.nextBefore}`,
    );
    expect(older.body.entries).toHaveLength(1);
    expect((await api.json('GET', '/api/v1/audit?limit=0')).status).toBe(400);
  });
});
