import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveAccounts } from '../src/services/context.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { ApiHarness } from './api-harness.js';

type NeedBody = {
  need: string;
  cards: number;
  neverRead: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  withinTarget: number;
  targetMs: number;
  targetSource: string;
  achievableMs: number | null;
};

const HOUR = 3_600_000;

describe('/api/v1/accounts/{id}/freshness', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open();
  });
  afterEach(() => api.close());

  async function v5Account(rateLimit: number, sync?: Record<string, unknown>) {
    const catalog = createSupplierCatalog();
    const simulated = catalog.get('onelink-v5').simulator.create({ size: 4, clock: api.clock });
    await saveAccounts(api.store, catalog, [
      {
        id: 'v5',
        type: 'onelink-v5',
        name: null,
        rateLimit,
        settings: simulated.settings('http://onelink-v5.test'),
        ...(sync ? { sync } : {}),
      },
    ]);
    await api.store.cards.importCards(
      'v5',
      'onelink-v5',
      [0, 1, 2, 3].map((index) => ({ iccid: simulated.card(index).iccid! })),
    );
    return (await api.store.cards.listForSync('v5', { afterId: 0, limit: 10 })).map(
      (card) => card.id,
    );
  }

  it("shows each need against the account's targets, and sets them", async () => {
    const ids = await v5Account(1, { freshness: { status: '3h' } });
    // Two cards read 2 h ago, one now, one never: within the account's 3 h status target.
    await api.store.cards.updateStatuses(
      [
        { id: ids[0]!, status: 'active', statusRaw: '2' },
        { id: ids[1]!, status: 'active', statusRaw: '2' },
      ],
      'sync:v5',
    );
    api.clock.advance(2 * HOUR);
    await api.store.cards.updateStatuses(
      [{ id: ids[2]!, status: 'active', statusRaw: '2' }],
      'sync:v5',
    );

    const answer = await api.json('GET', '/api/v1/accounts/v5/freshness');
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ account: 'v5', supplier: 'onelink-v5', cards: 4 });
    const status = (answer.body.needs as NeedBody[]).find((need) => need.need === 'status')!;
    expect(status).toMatchObject({
      cards: 4,
      neverRead: 1,
      targetMs: 3 * HOUR,
      targetSource: 'account',
      p50Ms: 2 * HOUR,
      maxMs: 2 * HOUR,
      withinTarget: 0.75,
    });

    // Back to the default status target (1 h), usage.monthly 30 minutes.
    const set = await api.json('PUT', '/api/v1/accounts/v5/freshness', {
      body: { status: null, 'usage.monthly': '30m' },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const needs = set.body.needs as NeedBody[];
    expect(needs.find((need) => need.need === 'status')).toMatchObject({
      targetMs: HOUR,
      targetSource: 'default',
      withinTarget: 0.25,
    });
    expect(needs.find((need) => need.need === 'usage.monthly')).toMatchObject({
      targetMs: 30 * 60_000,
      targetSource: 'account',
    });
    const stored = await api.store.accounts.get('v5');
    expect(stored!.settings.sync).toEqual({ freshness: { 'usage.monthly': '30m' } });
    // The account's answer shows the targets among its settings.
    const account = await api.json('GET', '/api/v1/accounts/v5');
    expect(account.body.settings.sync).toEqual({ freshness: { 'usage.monthly': '30m' } });
  });

  it('says what the budget can hold when it cannot hold the target', async () => {
    // 0.0001 calls/s: about 7 calls a day for 4 one-card-per-call statuses.
    await v5Account(0.0001);
    const answer = await api.json('GET', '/api/v1/accounts/v5/freshness');
    const status = (answer.body.needs as NeedBody[]).find((need) => need.need === 'status')!;
    expect(status.achievableMs).toBeGreaterThan(status.targetMs);
    expect(status.achievableMs! % HOUR).toBe(0);
  });

  it('refuses bad targets with the need and the problem, and writes nothing', async () => {
    await v5Account(1, { freshness: { status: '2h' } });
    for (const [body, pattern] of [
      [{ status: '90s' }, /status/],
      [{ status: '40d' }, /freshness\.status: must be a duration like 30m.*1m to 31d/],
      [{ 'usage.daily': '1h' }, /usage\.daily/],
      [{ status: 1 }, /status/],
    ] as const) {
      const answer = await api.json('PUT', '/api/v1/accounts/v5/freshness', { body });
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(JSON.stringify(answer.body)).toMatch(pattern);
    }
    expect((await api.store.accounts.get('v5'))!.settings.sync).toEqual({
      freshness: { status: '2h' },
    });
    // A viewer reads but does not set; an unknown account is a 404.
    expect(
      (await api.json('GET', '/api/v1/accounts/v5/freshness', { key: 'rootViewer' })).status,
    ).toBe(200);
    expect(
      (
        await api.json('PUT', '/api/v1/accounts/v5/freshness', {
          key: 'rootViewer',
          body: { status: '1h' },
        })
      ).status,
    ).toBe(403);
    expect((await api.json('GET', '/api/v1/accounts/nope/freshness')).status).toBe(404);
    // A disabled account: 409, nothing written.
    await api.store.accounts.setEnabled('v5', false);
    expect(
      (await api.json('PUT', '/api/v1/accounts/v5/freshness', { body: { status: '1h' } })).status,
    ).toBe(409);
    expect((await api.json('GET', '/api/v1/accounts/v5/freshness')).status).toBe(409);
  });

  it('takes targets when an account is added', async () => {
    const catalog = createSupplierCatalog();
    const simulated = catalog.get('onelink-v5').simulator.create({ size: 1, clock: api.clock });
    const added = await api.json('POST', '/api/v1/accounts', {
      body: {
        id: 'v5-new',
        type: 'onelink-v5',
        rateLimit: 2,
        settings: simulated.settings('http://onelink-v5.test'),
        sync: { budgetShare: 0.6, freshness: { status: '45m' } },
      },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.settings.sync).toEqual({ budgetShare: 0.6, freshness: { status: '45m' } });
    const refused = await api.json('POST', '/api/v1/accounts', {
      body: {
        id: 'v5-bad',
        type: 'onelink-v5',
        settings: simulated.settings('http://onelink-v5.test'),
        sync: { freshness: { status: '0m' } },
      },
    });
    expect(refused.status).toBe(400);
    expect(await api.store.accounts.get('v5-bad')).toBeNull();
  });
});
