import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COUNT_CAP } from '../src/services/access/access-cards.js';
import { PlansRepository } from '../src/store/repositories/plans-repository.js';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

/** The card list's count, page size and the quota and expiry filters the dashboard opens. */
const DIALECTS = process.env.SIMDOCK_TEST_DATABASE_URL
  ? (['sqlite', 'postgres'] as const)
  : (['sqlite'] as const);

describe.each(DIALECTS)(
  'GET /api/v1/cards/count and the quota and expiry filters on %s',
  (dialect) => {
    let api: ApiHarness;
    beforeEach(async () => {
      api = await ApiHarness.open({ api: { rateLimit: false }, dialect });
      const sync = await api.json('POST', '/api/v1/sync-runs', {
        body: { account: ONELINK_ACCOUNT },
      });
      expect(sync.status).toBe(200);
    });
    afterEach(() => api.close());

    it('counts what the list pages through, in the caller’s tenant', async () => {
      const everyone = [...api.cards.root, ...api.cards.acme, ...api.cards.globex];
      const all = await api.json('GET', '/api/v1/cards/count');
      expect(all.status).toBe(200);
      expect(all.body).toEqual({ total: everyone.length, exact: true });

      const active = await api.json('GET', '/api/v1/cards?status=active&limit=1000');
      const activeCount = await api.json('GET', '/api/v1/cards/count?status=active');
      expect(activeCount.body).toEqual({ total: active.body.cards.length, exact: true });

      const acme = await api.json('GET', '/api/v1/cards/count', { key: 'acmeViewer' });
      expect(acme.body).toEqual({ total: api.cards.acme.length, exact: true });

      const used = await api.json('GET', '/api/v1/cards?usageMin=1&limit=1000');
      const usedCount = await api.json('GET', '/api/v1/cards/count?usageMin=1');
      expect(usedCount.body).toEqual({ total: used.body.cards.length, exact: true });

      const bad = await api.json('GET', '/api/v1/cards/count?status=lost');
      expect(bad.status).toBe(400);
      const paged = await api.json('GET', '/api/v1/cards/count?limit=5');
      expect(paged.status).toBe(400);
    });

    it('lists the cards near their quota and expiring within a window, as the dashboard counts them', async () => {
      const plans = new PlansRepository(api.store, () => api.clock.now());
      const tiny = await plans.create({ name: 'tiny', quotaBytes: 1 });
      const huge = await plans.create({ name: 'huge', quotaBytes: 1e15 });
      const [first, second, third] = api.cards.root;
      await plans.assign([first!, second!], { planId: tiny.id });
      await plans.assign([third!], { planId: huge.id });
      // The clock stands at 2024-11-26 CST.
      await plans.assign([first!], { expiresOn: '2024-12-01' });
      await plans.assign([second!], { expiresOn: '2025-02-01' });
      await plans.assign([third!], { expiresOn: '2024-11-25' });

      const stats = await api.json('GET', '/api/v1/cards/stats');
      const near = await api.json('GET', '/api/v1/cards?quotaMin=80&limit=1000');
      expect(near.status).toBe(200);
      const nearIds = near.body.cards.map((card: { id: number }) => card.id).sort();
      const used = near.body.cards.filter((card: { usageThisMonth: number | null }) =>
        Boolean(card.usageThisMonth),
      );
      expect(used.length).toBe(nearIds.length);
      expect(nearIds).toEqual(stats.body.nearQuota.map((card: { id: number }) => card.id).sort());
      expect(nearIds).not.toContain(third);
      const nearCount = await api.json('GET', '/api/v1/cards/count?quotaMin=80');
      expect(nearCount.body).toEqual({ total: stats.body.nearQuotaTotal, exact: true });

      const expiring = await api.json('GET', '/api/v1/cards?expiresWithin=30');
      expect(expiring.body.cards.map((card: { id: number }) => card.id)).toEqual([first]);
      const expiringCount = await api.json('GET', '/api/v1/cards/count?expiresWithin=30');
      expect(expiringCount.body).toEqual({ total: stats.body.expiringSoonTotal, exact: true });
      const later = await api.json('GET', '/api/v1/cards/count?expiresWithin=90');
      expect(later.body.total).toBe(2);

      const negative = await api.json('GET', '/api/v1/cards?expiresWithin=-1');
      expect(negative.status).toBe(400);
    });

    it('stops a scanning count past 10,000 and says so, while an indexed count stays exact', async () => {
      const before = (await api.json('GET', '/api/v1/cards/count')).body.total;
      await api.store.cards.importCards(
        ONELINK_ACCOUNT,
        'onelink-v2',
        Array.from({ length: COUNT_CAP + 1 }, (_, index) => ({
          iccid: `8986990${String(index).padStart(13, '0')}`,
        })),
      );
      const all = await api.json('GET', '/api/v1/cards/count');
      expect(all.body).toEqual({ total: before + COUNT_CAP + 1, exact: true });
      const searched = await api.json('GET', '/api/v1/cards/count?q=8986990');
      expect(searched.body).toEqual({ total: COUNT_CAP, exact: false });
      const few = await api.json('GET', '/api/v1/cards/count?q=89869900000000000012');
      expect(few.body).toEqual({ total: 1, exact: true });
    });
  },
);
