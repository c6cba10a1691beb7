import { describe, expect, it } from 'vitest';
import { cstStartOfDay } from '../../domain/index.js';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import { describeEachDialect, useTestStore } from '../../store/store.test-support.js';
import { ScopedCards } from '../access/access-cards.js';
import { ApiKeysRepository } from '../access/access-keys.js';
import { planBulkSelection } from '../bulk/bulk-jobs.js';
import { carrierFixture } from '../carrier/carrier.test-support.js';
import { currentMonthUsage } from '../inventory/cards.js';
import { computePoolUsage } from '../pools/pools-usage.js';
import { cardCycleStartDay, cardUsageFinding } from '../rules/rules-findings.js';
import type { CardUsage } from '../rules/rules-usage.js';
import { type AccountCycleDay, accountCycleDay, cardCycle, cardCycleUsage } from './card-cycles.js';

/** 10:00 CST on 28 December 2026: a China Unicom-like card is in its cycle of 27 Dec – 26 Jan. */
const DEC_28 = cstStartOfDay('2026-12-28') + 10 * 3_600_000;

describeEachDialect('billing cycles of cards on $dialect', (target) => {
  const test = useTestStore(target);

  async function fleet() {
    const { store, clock } = test.current;
    clock.set(DEC_28);
    const fixture = await carrierFixture({ store, clock });
    const [carrierCard] = fixture.carrierCards;
    const [plainCard] = fixture.plainCards;
    await store.usage.upsertDaily([
      // The carrier card: the 26th closes the old cycle, the 27th and 28th open the new one.
      { cardId: carrierCard!.id, date: '2026-12-26', bytes: 1000 },
      { cardId: carrierCard!.id, date: '2026-12-27', bytes: 200 },
      { cardId: carrierCard!.id, date: '2026-12-28', bytes: 30 },
      { cardId: plainCard!.id, date: '2026-11-30', bytes: 7 },
      { cardId: plainCard!.id, date: '2026-12-01', bytes: 5 },
      { cardId: plainCard!.id, date: '2026-12-28', bytes: 6 },
    ]);
    return { ...fixture, carrierCard: carrierCard!, plainCard: plainCard! };
  }

  it('takes the start day from the supplier, the account override, or the calendar month', async () => {
    const { context, store } = await fleet();
    expect(await accountCycleDay(context, 'carrier')).toEqual({
      startDay: 27,
      supplierStartDay: 27,
      source: 'supplier',
    });
    expect(await accountCycleDay(context, 'plain')).toEqual({
      startDay: 1,
      supplierStartDay: 1,
      source: 'default',
    });
    const account = (await store.accounts.get('carrier'))!;
    await store.accounts.upsert({ ...account, settings: { billingCycleStartDay: 5 } });
    expect(await accountCycleDay(context, 'carrier')).toEqual({
      startDay: 5,
      supplierStartDay: 27,
      source: 'account',
    });
  });

  it('counts a card’s usage on the 28th in the new cycle', async () => {
    const { context, store, carrierCard, plainCard } = await fleet();
    const usage = await cardCycleUsage(context, carrierCard);
    expect(usage).toMatchObject({
      bytes: 230,
      source: 'daily',
      cycle: { start: '2026-12-27', end: '2027-01-26', month: '2027-01', supplierMonth: '2027-01' },
    });
    // The supplier's figure for the cycle (billing month 2027-01) wins; December's is the old one.
    await store.usage.upsertMonthly([
      { cardId: carrierCard.id, month: '2026-12', bytes: 99_999 },
      { cardId: carrierCard.id, month: '2027-01', bytes: 250 },
    ]);
    expect(await cardCycleUsage(context, carrierCard)).toMatchObject({
      bytes: 250,
      source: 'monthly',
    });
    // A calendar-month card keeps today's behaviour.
    expect(await currentMonthUsage(context, plainCard)).toEqual({
      month: '2026-12',
      cycle: {
        start: '2026-12-01',
        end: '2026-12-31',
        month: '2026-12',
        startDay: 1,
        calendarMonth: true,
        source: 'default',
      },
      bytes: 11,
      source: 'daily',
    });
    // The previous cycle, asked for an instant on the 26th.
    const before = await cardCycle(context, carrierCard, cstStartOfDay('2026-12-26'));
    expect(before).toMatchObject({ start: '2026-11-27', end: '2026-12-26' });
  });

  it('counts daily rows only when the account overrides the supplier’s cycle', async () => {
    const { context, store, carrierCard } = await fleet();
    await store.usage.upsertMonthly([{ cardId: carrierCard.id, month: '2027-01', bytes: 250 }]);
    const account = (await store.accounts.get('carrier'))!;
    await store.accounts.upsert({ ...account, settings: { billingCycleStartDay: 1 } });
    expect(await cardCycleUsage(context, carrierCard)).toMatchObject({
      bytes: 1230,
      source: 'daily',
      cycle: { start: '2026-12-01', supplierMonth: null, source: 'account' },
    });
  });

  it('shows each card’s cycle figure in card lists and views, and filters on it', async () => {
    const { context, store, clock, carrierCard, plainCard } = await fleet();
    const now = () => clock.now();
    await new TenantsRepository(store, now).root();
    const { key } = await new ApiKeysRepository(store, now).create({
      name: 'o',
      role: 'owner',
      tenantId: 'root',
    });
    const owner = (await new ApiKeysRepository(store, now).authenticate(key))!;
    const cards = new ScopedCards(context, owner);
    const listed = (await cards.list({ sort: 'usage', order: 'desc' })).cards;
    const byId = new Map(listed.map((card) => [card.id, card]));
    expect(byId.get(carrierCard.id)).toMatchObject({
      usageThisMonth: 230,
      usageCycle: { start: '2026-12-27', end: '2027-01-26', startDay: 27, source: 'supplier' },
    });
    expect(byId.get(plainCard.id)).toMatchObject({
      usageThisMonth: 11,
      usageCycle: { start: '2026-12-01', end: '2026-12-31', calendarMonth: true },
    });
    expect(listed[0]!.id).toBe(carrierCard.id);
    // The old cycle's 1000 bytes on the 26th do not count: 230 is under 500.
    const over = await cards.list({ usageMin: 500 });
    expect(over.cards).toEqual([]);
    expect(await cards.view(carrierCard.id)).toMatchObject({
      usageThisMonth: 230,
      usageCycle: { month: '2027-01' },
    });
    await store.usage.upsertMonthly([{ cardId: carrierCard.id, month: '2027-01', bytes: 600 }]);
    expect((await cards.list({ usageMin: 500 })).cards.map((card) => card.id)).toEqual([
      carrierCard.id,
    ]);
  });

  it('counts each card’s cycle in `usage` filters of bulk selections', async () => {
    const { context, carrierCard } = await fleet();
    const selected = async (filter: string) =>
      (await planBulkSelection(context, { filter })).cards.map((card) => card.cardId);
    // 1230 bytes in December, 230 in its cycle from the 27th.
    expect(await selected('usage>500')).toEqual([]);
    expect(await selected('usage>100')).toEqual([carrierCard.id]);
    expect(await selected('account=carrier AND usage<=230')).toEqual([carrierCard.id]);
  });
});

describe('plans, rules and pools in the card’s cycle', () => {
  const unicom: AccountCycleDay = { startDay: 27, supplierStartDay: 27, source: 'supplier' };
  const usage: CardUsage = {
    daily: new Map([
      ['2026-12-26', 900],
      ['2026-12-27', 60],
    ]),
    monthly: new Map([
      ['2026-12', 5000],
      ['2027-01', 80],
    ]),
  };
  const plan = (cycleStartDay: number) => ({
    id: 1,
    name: 'p',
    quotaBytes: 100,
    cycleStartDay,
    createdAt: 0,
  });

  it('follows the card’s cycle for plans on day 1, a plan’s own other day otherwise', () => {
    const assignment = { cardId: 1, plan: plan(1), expiresOn: null };
    expect(cardCycleStartDay({ assignment, cycleDay: unicom })).toBe(27);
    expect(
      cardCycleStartDay({ assignment: { ...assignment, plan: plan(10) }, cycleDay: unicom }),
    ).toBe(10);
    expect(cardCycleStartDay({ assignment: undefined })).toBe(1);
  });

  it('fires a quota % rule on the cycle’s figure, not the calendar month’s', () => {
    const facts = {
      card: { id: 1 } as never,
      assignment: { cardId: 1, plan: plan(1), expiresOn: null },
      usage,
      today: '2026-12-28',
      now: DEC_28,
    };
    // Billing month 2027-01 (27 Dec – 26 Jan): 80 bytes of 100, under 90 %.
    expect(cardUsageFinding({ percent: 90 }, { ...facts, cycleDay: unicom })).toEqual([]);
    const [finding] = cardUsageFinding({ percent: 75 }, { ...facts, cycleDay: unicom });
    expect(finding).toMatchObject({
      cycle: '2026-12-27',
      data: { usedBytes: 80, cycleStart: '2026-12-27', cycleEnd: '2027-01-26' },
      nextCycleStart: '2027-01-27',
    });
    // A calendar-month card counts December: its 5000 bytes.
    expect(cardUsageFinding({ percent: 90 }, facts)[0]?.data.usedBytes).toBe(5000);
  });

  it('counts a pool on its account’s cycle when the pool names day 1', () => {
    const pool = {
      id: 1,
      name: 'unicom-pool',
      account: 'carrier',
      source: 'simdock',
      externalId: null,
      shared: true,
      quotaBytes: 1000,
      supplierUsedBytes: null,
      cycleStartDay: 1,
      createdAt: 0,
      updatedAt: 0,
    };
    const members = new Map([[1, usage]]);
    expect(computePoolUsage(pool, [1], members, DEC_28, unicom)).toMatchObject({
      cycle: { start: '2026-12-27', end: '2027-01-26', startDay: 27 },
      usedBytes: 80,
    });
    expect(computePoolUsage(pool, [1], members, DEC_28)).toMatchObject({
      cycle: { start: '2026-12-01', startDay: 1 },
      usedBytes: 5000,
    });
  });
});
