import { expect, it } from 'vitest';
import { describeEachDialect, useTestStore } from './store.test-support.js';

type AssignmentTables = {
  card_tenants: { card_id: number; tenant_id: string; tenant_path: string; assigned_at: number };
};

describeEachDialect('card scope and fleet figures on $dialect', (target) => {
  const context = useTestStore(target);
  const root = { isRoot: true, tenantPath: '/root/' };
  const acme = { isRoot: false, tenantPath: '/root/acme/' };

  /** Three cards: one of acme, one of acme's child, one assigned to no tenant. */
  async function fleet(): Promise<[number, number, number]> {
    const { store } = context.current;
    await store.cards.importCards('a', 'onelink-v2', [
      { iccid: '898602b2221340000001', msisdn: '1064000000001' },
      { iccid: '898602B2221340000002', msisdn: '1064000000002' },
      { iccid: '898602B2221340000003', msisdn: '1064000000003' },
    ]);
    const [first, second, third] = await store.cards.listForSync('a', { limit: 3 });
    const ids: [number, number, number] = [first!.id, second!.id, third!.id];
    await store.db
      .withTables<AssignmentTables>()
      .insertInto('card_tenants')
      .values([
        { card_id: ids[0], tenant_id: 'acme', tenant_path: '/root/acme/', assigned_at: 1 },
        {
          card_id: ids[1],
          tenant_id: 'acme-east',
          tenant_path: '/root/acme/east/',
          assigned_at: 1,
        },
      ])
      .execute();
    return ids;
  }

  it('finds the cards a tenant may see: its subtree; the root also sees unassigned cards', async () => {
    const { store } = context.current;
    const [first, second, third] = await fleet();
    expect(await store.cardScope.visibleIds(acme, [first, second, third, first])).toEqual(
      new Set([first, second]),
    );
    expect(await store.cardScope.visibleIds(root, [third, 999])).toEqual(new Set([third, 999]));
    expect(await store.cardScope.countInSubtree('/root/acme/')).toBe(2);
    expect(await store.cardScope.countInSubtree('/root/acme/east/')).toBe(1);
    const iccids = ['898602B2221340000001', '898602B2221340000003'];
    expect(await store.cardScope.idsByIdentifier(acme, 'iccid', iccids)).toEqual([first]);
    expect(await store.cardScope.idsByIdentifier(root, 'iccid', iccids)).toEqual([first, third]);
    expect(await store.cardScope.idsByIdentifier(acme, 'msisdn', ['1064000000002'])).toEqual([
      second,
    ]);
  });

  it('counts the cards and sums the month and the days within the scope', async () => {
    const { store } = context.current;
    const [first, second, third] = await fleet();
    await store.usage.upsertDaily([
      { cardId: first, date: '2026-03-01', bytes: 10 },
      { cardId: first, date: '2026-03-02', bytes: 20 },
      { cardId: second, date: '2026-03-02', bytes: 5 },
      { cardId: third, date: '2026-03-02', bytes: 1000 },
    ]);
    await store.usage.upsertMonthly([{ cardId: second, month: '2026-03', bytes: 700 }]);
    expect(await store.cardStats.countByAccount(acme)).toEqual([
      { account: 'a', supplier: 'onelink-v2', cards: 2 },
    ]);
    expect(await store.cardStats.countByStatus(root)).toEqual([
      { status: expect.any(String), cards: 3 },
    ]);
    // The month figure where there is one, else the days: 30 + 700.
    expect(await store.cardStats.monthBytes(acme, '2026-03')).toBe(730);
    expect(await store.cardStats.monthBytes(acme, '2026-04')).toBeNull();
    expect(await store.usage.fleetDaily(acme, '2026-03-01', '2026-03-31')).toEqual(
      expect.arrayContaining([
        { date: '2026-03-01', bytes: 10, cards: 1 },
        { date: '2026-03-02', bytes: 25, cards: 2 },
      ]),
    );
    expect(await store.usage.fleetDaily(root, '2026-03-02', '2026-03-02')).toEqual([
      { date: '2026-03-02', bytes: 1025, cards: 3 },
    ]);
    const views = await store.cardStats.cardsWithScope([second, first, second], '2026-03');
    expect(views.map((view) => [view.card.id, view.tenant, view.usageThisMonth]).sort()).toEqual(
      [
        [first, 'acme', 30],
        [second, 'acme-east', 700],
      ].sort(),
    );
    expect(await store.cards.idsOfAccount('a', 2)).toEqual([first, second]);
  });

  it('records a schedule period once', async () => {
    const { store } = context.current;
    expect(await store.jobSchedules.claimPeriod('sync', '2026-03-01', 1)).toBe(true);
    expect(await store.jobSchedules.claimPeriod('sync', '2026-03-01', 2)).toBe(false);
    await store.jobSchedules.releasePeriod('sync', '2026-03-01');
    expect(await store.jobSchedules.claimPeriod('sync', '2026-03-01', 3)).toBe(true);
    await store.jobSchedules.setJob('sync', 7);
    expect(await store.jobSchedules.claimPeriod('sync', '2026-03-02', 4)).toBe(true);
  });
});
