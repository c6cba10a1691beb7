import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardViewsById, planStats } from '../src/api/routes/inventory/card-stats-plans.js';
import { ApiKeysRepository } from '../src/services/access/access-keys.js';
import type { Store } from '../src/store/index.js';
import { PlansRepository } from '../src/store/repositories/plans-repository.js';
import { TenantsRepository } from '../src/store/repositories/tenants-repository.js';
import { describeEachDialect, useTestStore } from '../src/store/store.test-support.js';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

/**
 * Seeds eight cards (the clock stands at 2024-11-26 CST) on three plans: `monthly` (1,000 bytes,
 * calendar month), `mid-month` (2,000 bytes, cycles from the 20th) and `open` (no quota); card
 * 4 is acme's. Returns the card ids in order.
 */
async function seedPlans(store: Store, now: () => number): Promise<number[]> {
  await store.accounts.upsert({ id: 'a', type: 'onelink-v2', settings: {}, secrets: {} });
  await store.cards.importCards(
    'a',
    'onelink-v2',
    Array.from({ length: 8 }, (_, index) => ({ iccid: `898604100000000000${index}0` })),
  );
  const ids = (await store.cards.list({ limit: 10 })).cards.map((card) => card.id);
  const card = (index: number) => ids[index]!;
  const plans = new PlansRepository(store, now);
  const monthly = await plans.create({ name: 'monthly', quotaBytes: 1000 });
  const midMonth = await plans.create({ name: 'mid-month', quotaBytes: 2000, cycleStartDay: 20 });
  const open = await plans.create({ name: 'open', quotaBytes: null });
  await plans.assign([card(0), card(1), card(2), card(7)], { planId: monthly.id });
  await plans.assign([card(3), card(4)], { planId: midMonth.id });
  await plans.assign([card(5)], { planId: open.id });
  await plans.assign([card(6)], { expiresOn: '2024-11-26' });
  await plans.assign([card(0)], { expiresOn: '2024-12-01' });
  await plans.assign([card(7)], { expiresOn: '2024-12-26' });
  await plans.assign([card(2)], { expiresOn: '2024-12-27' });
  await plans.assign([card(1)], { expiresOn: '2024-11-25' });
  await store.usage.upsertMonthly([
    // Card 0: the month figure (900) is larger than its days (100) and wins.
    { cardId: card(0), month: '2024-11', bytes: 900 },
    // Card 3's plan cycles from the 20th: a month figure says nothing about its cycle.
    { cardId: card(3), month: '2024-11', bytes: 9000 },
    { cardId: card(5), month: '2024-11', bytes: 1_000_000_000 },
    { cardId: card(7), month: '2024-11', bytes: 800 },
  ]);
  await store.usage.upsertDaily([
    { cardId: card(0), date: '2024-11-02', bytes: 100 },
    { cardId: card(1), date: '2024-10-31', bytes: 999 },
    { cardId: card(1), date: '2024-11-25', bytes: 500 },
    { cardId: card(3), date: '2024-11-19', bytes: 5000 },
    { cardId: card(3), date: '2024-11-21', bytes: 1700 },
    { cardId: card(3), date: '2024-11-26', bytes: 100 },
    { cardId: card(4), date: '2024-11-22', bytes: 2500 },
  ]);
  const tenants = new TenantsRepository(store, now);
  await tenants.root();
  await tenants.create({ id: 'acme', parentId: 'root', name: 'Acme', kind: 'customer' });
  await store.db
    .withTables<{
      card_tenants: {
        card_id: number;
        tenant_id: string;
        tenant_path: string;
        assigned_at: number;
      };
    }>()
    .insertInto('card_tenants')
    .values({ card_id: card(4), tenant_id: 'acme', tenant_path: '/root/acme/', assigned_at: now() })
    .execute();
  return ids;
}

async function principalOf(store: Store, now: () => number, tenantId: string) {
  const keys = new ApiKeysRepository(store, now);
  const created = await keys.create({ name: tenantId, role: 'viewer', tenantId });
  return (await keys.authenticate(created.key))!;
}

describeEachDialect('dashboard plan figures on $dialect', (target) => {
  const test = useTestStore(target);

  it('sums quota use per cycle, ranks the cards near their quota and lists expiries', async () => {
    const { store, clock } = test.current;
    const now = () => clock.now();
    const ids = await seedPlans(store, now);
    const card = (index: number) => ids[index]!;
    const root = await principalOf(store, now, 'root');
    const stats = await planStats(store, root, now());
    // Cards 0, 1, 2, 7 (1,000 each) and 3, 4 (2,000 each); card 2's usage is unknown.
    expect(stats.quota).toEqual({ usedBytes: 6500, quotaBytes: 8000, cards: 6, cardsWithUsage: 5 });
    expect(stats.nearQuota).toEqual([
      { cardId: card(4), plan: 'mid-month', usedBytes: 2500, quotaBytes: 2000, percent: 125 },
      { cardId: card(0), plan: 'monthly', usedBytes: 900, quotaBytes: 1000, percent: 90 },
      { cardId: card(3), plan: 'mid-month', usedBytes: 1800, quotaBytes: 2000, percent: 90 },
      { cardId: card(7), plan: 'monthly', usedBytes: 800, quotaBytes: 1000, percent: 80 },
    ]);
    expect(stats.nearQuotaTotal).toBe(4);
    // Today through 30 days ahead; card 1 expired yesterday, card 2 is a day too far.
    expect(stats.expiringSoon).toEqual([
      { cardId: card(6), expiresOn: '2024-11-26' },
      { cardId: card(0), expiresOn: '2024-12-01' },
      { cardId: card(7), expiresOn: '2024-12-26' },
    ]);
    expect(stats.expiringSoonTotal).toBe(3);

    const short = await planStats(store, root, now(), { limit: 2 });
    expect(short.nearQuota.map((entry) => entry.cardId)).toEqual([card(4), card(0)]);
    expect(short.nearQuotaTotal).toBe(4);
    expect(short.expiringSoon).toHaveLength(2);
    expect(short.expiringSoonTotal).toBe(3);
    expect(short.quota).toEqual(stats.quota);

    const acme = await planStats(store, await principalOf(store, now, 'acme'), now());
    expect(acme).toEqual({
      quota: { usedBytes: 2500, quotaBytes: 2000, cards: 1, cardsWithUsage: 1 },
      nearQuota: [
        { cardId: card(4), plan: 'mid-month', usedBytes: 2500, quotaBytes: 2000, percent: 125 },
      ],
      nearQuotaTotal: 1,
      expiringSoon: [],
      expiringSoonTotal: 0,
    });

    const views = await cardViewsById(store, [card(0), card(4)], now());
    expect(views.get(card(4))).toMatchObject({ id: card(4), tenant: 'acme', usageThisMonth: 2500 });
    expect(views.get(card(0))).toMatchObject({ tenant: null, tags: [], usageThisMonth: 900 });
  });

  it('answers unknown quota use when no card is on a plan with a quota', async () => {
    const { store, clock } = test.current;
    const now = () => clock.now();
    const root = await principalOf(store, now, 'root');
    expect(await planStats(store, root, now())).toEqual({
      quota: { usedBytes: null, quotaBytes: null, cards: 0, cardsWithUsage: 0 },
      nearQuota: [],
      nearQuotaTotal: 0,
      expiringSoon: [],
      expiringSoonTotal: 0,
    });
  });
});

describe('GET /api/v1/cards/stats plan figures', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false } });
    const sync = await api.json('POST', '/api/v1/sync-runs', {
      body: { account: ONELINK_ACCOUNT },
    });
    expect(sync.status).toBe(200);
  });
  afterEach(() => api.close());

  it('shows quota use, near-quota and expiring cards in the caller’s tenant only', async () => {
    const plans = new PlansRepository(api.store, () => api.clock.now());
    // A quota of one byte: every card with any usage this month is over it.
    const tiny = await plans.create({ name: 'tiny', quotaBytes: 1 });
    const everyone = [...api.cards.root, ...api.cards.acme, ...api.cards.globex];
    await plans.assign(everyone, { planId: tiny.id });
    await plans.assign([api.cards.acme[0]!, api.cards.globex[0]!], { expiresOn: '2024-12-01' });

    const acme = await api.json('GET', '/api/v1/cards/stats', { key: 'acmeViewer' });
    expect(acme.status).toBe(200);
    expect(acme.body.quota.cards).toBe(api.cards.acme.length);
    expect(acme.body.quota.quotaBytes).toBe(api.cards.acme.length);
    expect(acme.body.quota.usedBytes).toBeGreaterThan(0);
    expect(acme.body.nearQuota.length).toBeGreaterThan(0);
    for (const entry of acme.body.nearQuota) {
      expect(api.cards.acme).toContain(entry.id);
      expect(entry).toMatchObject({ plan: 'tiny', quotaBytes: 1, tenant: 'acme' });
      expect(entry.percent).toBe(entry.usedBytes * 100);
      expect(entry.iccid).toMatch(/^8986/);
    }
    const percents = acme.body.nearQuota.map((entry: { percent: number }) => entry.percent);
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
    expect(acme.body.expiringSoon).toEqual([
      expect.objectContaining({ id: api.cards.acme[0], expiresOn: '2024-12-01' }),
    ]);
    expect(acme.body.expiringSoonTotal).toBe(1);

    const root = await api.json('GET', '/api/v1/cards/stats');
    expect(root.body.quota.cards).toBe(everyone.length);
    expect(root.body.expiringSoonTotal).toBe(2);
    expect(root.body.nearQuota.length).toBeLessThanOrEqual(10);
  });
});
