import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import {
  parseCardFilter,
  selectCardsByFilter,
  selectCardsByIdentifiers,
} from '../../store/card-filter.js';
import { PlansRepository } from '../../store/repositories/plans-repository.js';
import {
  describeEachDialect,
  openTestStore,
  type TestStore,
} from '../../store/store.test-support.js';
import { agentDefinition } from '../../suppliers/agent/index.js';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import { quectelDefinition } from '../../suppliers/quectel/index.js';
import { createServiceContext } from '../context.js';

describe('card filter syntax', () => {
  it('parses conditions joined by AND, with lists, prefixes and byte units', () => {
    expect(
      parseCardFilter('status=active,test and account!=old AND iccid=898604b* AND usage>=1.5MB')
        .conditions,
    ).toEqual([
      { field: 'status', op: '=', values: ['active', 'test'] },
      { field: 'account', op: '!=', values: ['old'] },
      { field: 'iccid', op: 'prefix', value: '898604B' },
      { field: 'usage', op: '>=', bytes: 1_572_864 },
    ]);
    expect(parseCardFilter('usage<2048').conditions).toEqual([
      { field: 'usage', op: '<', bytes: 2048 },
    ]);
    expect(parseCardFilter('status=active AND usage>90%').conditions[1]).toEqual({
      field: 'usage',
      op: '>',
      percent: 90,
    });
  });

  it('names what is wrong', () => {
    expect(() => parseCardFilter('status=paused')).toThrow(/unknown status "paused"/);
    expect(() => parseCardFilter('colour=red')).toThrow(/unknown field "colour"/);
    expect(() => parseCardFilter('status>active')).toThrow(/status takes = or !=/);
    expect(() => parseCardFilter('msisdn=10648x*')).toThrow(/not a msisdn/);
    expect(() => parseCardFilter('account')).toThrow(/not "field op value"/);
  });
});

describeEachDialect('card selection ($dialect)', ({ dialect }) => {
  let opened: TestStore;
  afterEach(async () => opened?.dispose());

  it("selects by status, account, prefix and this month's usage (monthly, else summed days)", async () => {
    opened = await openTestStore(dialect);
    const { store } = opened;
    await store.accounts.upsert({
      id: 'a',
      type: quectelDefinition.type,
      settings: {},
      secrets: {},
    });
    await store.accounts.upsert({ id: 'b', type: agentDefinition.type, settings: {}, secrets: {} });
    await store.cards.importCards('a', quectelDefinition.type, [
      { iccid: '89860400000000000001', msisdn: '1064800000001' },
      { iccid: '89860400000000000002', msisdn: '1064800000002' },
      { iccid: '89861100000000000003', msisdn: '1064800000003' },
    ]);
    await store.cards.importCards('b', agentDefinition.type, [{ iccid: '89860400000000000004' }]);
    const [one, two, three] = await store.cards.listForSync('a', { limit: 10 });
    const [four] = await store.cards.listForSync('b', { limit: 10 });
    await store.cards.updateStatuses(
      [
        { id: one!.id, status: 'active', statusRaw: '正常' },
        { id: two!.id, status: 'suspended', statusRaw: '停机' },
        { id: three!.id, status: 'active', statusRaw: '正常' },
        { id: four!.id, status: 'active', statusRaw: '4' },
      ],
      'sync',
    );
    // 2026-11: card one has a monthly figure; card three only days; card two nothing (unknown).
    await store.usage.upsertMonthly([
      { cardId: one!.id, month: '2026-11', bytes: 600 * 1024 * 1024 },
    ]);
    await store.usage.upsertDaily([
      { cardId: three!.id, date: '2026-11-01', bytes: 300 * 1024 * 1024 },
      { cardId: three!.id, date: '2026-11-02', bytes: 300 * 1024 * 1024 },
      { cardId: three!.id, date: '2026-10-31', bytes: 900 * 1024 * 1024 },
      { cardId: four!.id, date: '2026-11-03', bytes: 1024 },
    ]);
    const context = createServiceContext({
      store,
      catalog: createSupplierCatalog(),
      clock: new ManualClock(Date.UTC(2026, 10, 20)),
    });
    const ids = async (text: string) =>
      (await selectCardsByFilter(context, parseCardFilter(text), { limit: 100 })).map(
        (card) => card.cardId,
      );
    expect(await ids('status=active AND account=a')).toEqual([one!.id, three!.id]);
    expect(await ids('iccid=898604* AND status!=suspended')).toEqual([one!.id, four!.id]);
    expect(await ids('usage>500MB')).toEqual([one!.id, three!.id]);
    expect(await ids('usage>=600MB AND supplier=quectel')).toEqual([one!.id, three!.id]);
    expect(await ids('usage<1MB')).toEqual([four!.id]);
    expect(await ids('msisdn=1064800000002')).toEqual([two!.id]);
    // Percentages are of the plan's quota: one (600 MB) and three (600 MB of days) are at 93.75 %
    // of 640 MB; two has no usage, four no plan.
    const plans = new PlansRepository(store);
    const plan = await plans.create({ name: '640MB', quotaBytes: 640 * 1024 * 1024 });
    await plans.assign([one!.id, three!.id, two!.id], { planId: plan.id });
    expect(await ids('usage>90%')).toEqual([one!.id, three!.id]);
    expect(await ids('status=active AND account=a AND usage>=93%')).toEqual([one!.id, three!.id]);
    expect(await ids('usage>94%')).toEqual([]);

    const listed = await selectCardsByIdentifiers(context, [
      '89860400000000000001',
      '1064800000003',
      '89860499999999999999',
      'nonsense',
    ]);
    expect(listed.cards.map((card) => card.cardId)).toEqual([one!.id, three!.id]);
    expect(listed.problems.map((problem) => problem.value)).toEqual([
      'nonsense',
      '89860499999999999999',
    ]);
  });
});
