import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveAccounts } from '../src/services/context.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

type NeedBody = {
  need: string;
  cards: number;
  neverRead: number;
  p50Ms: number | null;
  maxMs: number | null;
  withinTarget: number;
  targetMs: number;
  batchSize: number;
  achievableMs: number | null;
};
type AccountBody = {
  account: string;
  supplier: string;
  cards: number;
  settled: number;
  scheduleBudget: number | null;
  needs: NeedBody[];
};

const HOUR = 3_600_000;

describe('GET /api/v1/sync-status', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open();
  });
  afterEach(() => api.close());

  it('shows per account and need how fresh the cards are, against target and budget', async () => {
    // A OneLink v5 account (status one card a call) at 1 call/s, four cards: one deactivated,
    // one read two hours ago, one read now, one never read.
    const catalog = createSupplierCatalog();
    const simulated = catalog.get('onelink-v5').simulator.create({ size: 4, clock: api.clock });
    await saveAccounts(api.store, catalog, [
      {
        id: 'v5',
        type: 'onelink-v5',
        name: null,
        rateLimit: 1,
        settings: simulated.settings('http://onelink-v5.test'),
      },
    ]);
    await api.store.cards.importCards(
      'v5',
      'onelink-v5',
      [0, 1, 2, 3].map((index) => ({ iccid: simulated.card(index).iccid! })),
    );
    const ids = (await api.store.cards.listForSync('v5', { afterId: 0, limit: 10 })).map(
      (card) => card.id,
    );
    await api.store.cards.updateStatuses(
      [
        { id: ids[0]!, status: 'deactivated', statusRaw: '4' },
        { id: ids[1]!, status: 'active', statusRaw: '2' },
      ],
      'sync:v5',
    );
    api.clock.advance(2 * HOUR);
    await api.store.cards.updateStatuses(
      [{ id: ids[2]!, status: 'active', statusRaw: '2' }],
      'sync:v5',
    );

    const answer = await api.json('GET', '/api/v1/sync-status?account=v5');
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const [account] = answer.body.accounts as AccountBody[];
    expect(account).toMatchObject({
      account: 'v5',
      supplier: 'onelink-v5',
      cards: 4,
      settled: 1,
      scheduleBudget: Math.floor(86_400 * 0.8),
    });
    const status = account!.needs.find((need) => need.need === 'status')!;
    expect(status).toMatchObject({
      cards: 3,
      neverRead: 1,
      maxMs: 2 * HOUR,
      targetMs: HOUR,
      batchSize: 1,
      // The budget holds far more than three cards an hour.
      achievableMs: HOUR,
    });
    expect(status.withinTarget).toBeCloseTo(1 / 3);

    // Every enabled account without a filter; an unknown account is a 404.
    const all = await api.json('GET', '/api/v1/sync-status');
    expect((all.body.accounts as AccountBody[]).map((item) => item.account).sort()).toEqual(
      [ONELINK_ACCOUNT, 'v5'].sort(),
    );
    expect((await api.json('GET', '/api/v1/sync-status?account=nope')).status).toBe(404);
  });
});
