import { describe, expect, it } from 'vitest';
import { lastCompleteDays } from '../../domain/index.js';
import { AlertsRepository } from '../../store/repositories/alerts-repository.js';
import { EventOutbox } from '../../store/repositories/event-outbox.js';
import { PlansRepository } from '../../store/repositories/plans-repository.js';
import { PoolsRepository } from '../../store/repositories/pools-repository.js';
import { type RuleInput, RulesRepository } from '../../store/repositories/rules-repository.js';
import { describeEachDialect, useTestStore } from '../../store/store.test-support.js';
import { m2mUsageWarning } from '../../suppliers/m2m10086/index.js';
import { quectelDefinition } from '../../suppliers/quectel/index.js';
import { billingCycleOf } from '../plans/plans-cycle.js';
import { importSupplierPools } from '../pools/pools-supplier.js';
import { poolUsage } from '../pools/pools-usage.js';
import { ingestUsageWarnings } from './alerts-supplier.js';
import { rulesFleet } from './rules.test-support.js';

const MIB = 1024 ** 2;

describe('billing cycles', () => {
  it('are calendar months by default and run from the start day otherwise', () => {
    expect(billingCycleOf('2026-11-26')).toMatchObject({
      key: '2026-11-01',
      start: '2026-11-01',
      end: '2026-11-30',
      calendarMonth: true,
    });
    expect(billingCycleOf('2026-11-26', 27)).toMatchObject({
      start: '2026-10-27',
      end: '2026-11-26',
    });
    expect(billingCycleOf('2026-11-27', 27)).toMatchObject({
      start: '2026-11-27',
      end: '2026-12-26',
    });
    // A start day past a short month's end falls on its last day.
    expect(billingCycleOf('2027-02-28', 31)).toMatchObject({
      start: '2027-02-28',
      end: '2027-03-30',
    });
    expect(billingCycleOf('2027-01-15', 31)).toMatchObject({
      start: '2026-12-31',
      end: '2027-01-30',
    });
  });
});

describeEachDialect('plans, pools, rules and alerts ($dialect)', (target) => {
  const test = useTestStore(target);

  it('creates plans and assigns plans and expiry dates to cards', async () => {
    const { store, clock } = test.current;
    const { cardIds } = await rulesFleet(store, clock, 3);
    const plans = new PlansRepository(store, () => clock.now());
    const plan = await plans.create({ name: '500M', quotaBytes: 500 * MIB, cycleStartDay: 15 });
    await expect(plans.create({ name: '500M', quotaBytes: 1 })).rejects.toMatchObject({
      code: 'already_exists',
    });
    await expect(
      plans.create({ name: 'x', quotaBytes: 1, cycleStartDay: 32 }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect(await plans.require('500M')).toEqual(plan);
    await plans.assign(cardIds.slice(0, 2), { planId: plan.id });
    await plans.assign([cardIds[1]!], { expiresOn: '2027-01-31' });
    const assigned = await plans.forCards(cardIds);
    expect(assigned.get(cardIds[0]!)).toEqual({ cardId: cardIds[0], plan, expiresOn: null });
    expect(assigned.get(cardIds[1]!)).toEqual({
      cardId: cardIds[1],
      plan,
      expiresOn: '2027-01-31',
    });
    expect(assigned.has(cardIds[2]!)).toBe(false);
    expect(await plans.cardIds(plan.id)).toEqual(cardIds.slice(0, 2));
    await expect(plans.assign([cardIds[0]!], { expiresOn: '2027-02-30' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('checks rules: kind, thresholds, actions and target', async () => {
    const { store, clock } = test.current;
    const { cardIds } = await rulesFleet(store, clock, 2);
    const rules = new RulesRepository(store, () => clock.now());
    const rule = await rules.create({
      scope: 'card',
      targetId: cardIds[0]!,
      kind: 'usage',
      thresholds: { bytes: 100 * MIB, resumeNextCycle: true },
      actions: [{ type: 'pause' }, { type: 'sms', text: 'over quota' }],
    });
    expect(rule).toMatchObject({
      severity: 'critical',
      enabled: true,
      targetId: String(cardIds[0]),
    });
    const bad = [
      { kind: 'usage', thresholds: { percent: 80, bytes: 1 } },
      { kind: 'usage', thresholds: { percent: 80, resumeNextCycle: true } },
      { kind: 'anomaly', thresholds: { factor: 1 } },
      { kind: 'idle', thresholds: { days: 0 } },
      { kind: 'status_changed', thresholds: { to: ['paused'] } },
      { kind: 'usage', thresholds: { percent: 80 }, actions: [{ type: 'email' }] },
      { kind: 'nothing', thresholds: {} },
    ] as const;
    for (const input of bad) {
      await expect(
        rules.create({
          scope: 'account',
          targetId: 'quectel-main',
          ...input,
        } as unknown as RuleInput),
      ).rejects.toMatchObject({ code: 'invalid_argument' });
    }
    await expect(
      rules.create({ scope: 'pool', targetId: 99, kind: 'expiry', thresholds: { days: 3 } }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      rules.create({ scope: 'account', targetId: 'nope', kind: 'imei_changed' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await rules.setEnabled(rule.id, false);
    expect(await rules.list({ enabled: true })).toEqual([]);
    await rules.delete(rule.id);
    await expect(rules.delete(rule.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('records an alert once per key and acknowledges it once', async () => {
    const { store, clock } = test.current;
    const alerts = new AlertsRepository(store, () => clock.now());
    const input = {
      cycle: '2026-11-01',
      dedupeKey: 'rule:1:card:1:2026-11-01',
      source: 'rule',
      kind: 'usage',
      severity: 'warning' as const,
      message: 'over 80 %',
    };
    const first = await alerts.raise(input);
    const again = await alerts.raise({ ...input, message: 'changed' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ alert: first.alert, created: false });
    expect(await alerts.list({ open: true })).toHaveLength(1);
    expect(await alerts.acknowledge([first.alert.id], 'ops@example.com')).toBe(1);
    expect(await alerts.acknowledge([first.alert.id], 'someone-else')).toBe(0);
    expect((await alerts.get(first.alert.id))?.acknowledgedBy).toBe('ops@example.com');
    expect(await alerts.list({ open: true })).toEqual([]);
    await expect(alerts.acknowledge([first.alert.id, 999], 'x')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('sums a pool and forecasts the day it runs out', async () => {
    const { store, clock } = test.current;
    const { context, cardIds } = await rulesFleet(store, clock, 3);
    const pools = new PoolsRepository(store, () => clock.now());
    const pool = await pools.create({ name: 'fleet', quotaBytes: 3000 * MIB });
    expect(await pools.addCards(pool.id, cardIds)).toBe(3);
    expect(await pools.addCards(pool.id, cardIds)).toBe(0);
    // Today is 2026-11-26 (CST): November so far 1200 MiB; the last 7 days 70 MiB a day.
    await store.usage.upsertMonthly([
      { cardId: cardIds[0]!, month: '2026-11', bytes: 1000 * MIB },
      { cardId: cardIds[1]!, month: '2026-10', bytes: 9999 * MIB },
    ]);
    await store.usage.upsertDaily(
      lastCompleteDays(7, clock.now()).flatMap((date) => [
        { cardId: cardIds[1]!, date, bytes: 20 * MIB },
        { cardId: cardIds[2]!, date, bytes: 10 * MIB },
      ]),
    );
    // Card 0's November figure (1000) is larger than its known days (none); cards 1 and 2 140 + 70.
    const usage = await poolUsage(context, 'fleet');
    expect(usage).toMatchObject({
      members: 3,
      membersWithUsage: 3,
      usedBytes: 1210 * MIB,
      remainingBytes: 1790 * MIB,
      dailyRateBytes: 30 * MIB,
      cycle: { start: '2026-11-01', end: '2026-11-30' },
    });
    // 1790 / 30 = 59.67 days: runs out on the 60th day from today.
    expect(usage.runOutOn).toBe('2027-01-25');
    const idle = await pools.create({ name: 'idle', quotaBytes: 10 * MIB });
    await pools.addCards(idle.id, [cardIds[0]!]);
    expect(await poolUsage(context, idle.id)).toMatchObject({
      dailyRateBytes: null,
      runOutOn: '2026-11-26',
    });
    const empty = await pools.create({ name: 'empty', quotaBytes: null });
    expect(await poolUsage(context, empty.id)).toMatchObject({
      usedBytes: null,
      remainingBytes: null,
      runOutOn: null,
    });
  });

  it('imports Quectel billing groups as pools with their members, idempotently', async () => {
    const { store, clock } = test.current;
    const { context, cardIds } = await rulesFleet(store, clock, 10);
    const first = await importSupplierPools(context, 'quectel-main');
    expect(
      first.pools.map((entry) => [entry.pool.source, entry.pool.externalId, entry.members]),
    ).toEqual([
      [quectelDefinition.type, '860', 5],
      [quectelDefinition.type, '861', 5],
    ]);
    expect(first.pools[0]!.pool.name).toBe('quectel-main:1G/月');
    expect(first.pools[0]!.pool.quotaBytes).toBeGreaterThan(0);
    await importSupplierPools(context, 'quectel-main');
    const pools = new PoolsRepository(store);
    expect(await pools.list()).toHaveLength(2);
    // The simulator puts card i in group 860 + i % 2.
    expect(await pools.cardIds(first.pools[1]!.pool.id)).toEqual(
      cardIds.filter((_, index) => index % 2 === 1),
    );
  });

  it('feeds M2M flow-monitor notices into the alerts once', async () => {
    const { store, clock } = test.current;
    const { context, cardIds } = await rulesFleet(store, clock, 2);
    const card = await store.cards.get(cardIds[1]!);
    const record = {
      dedupeKey: 'abc',
      cardcode: card!.msisdn,
      taocan: '1G',
      taocanflowBytes: 1024 * MIB,
      nearflowBytes: 800 * MIB,
      overflowBytes: 1000 * MIB,
      useflowBytes: 1010 * MIB,
      billingdate: '2026-11-01',
      billingenddate: '2026-11-30',
      isnear: true,
      isover: true,
      raw: {},
    };
    const quiet = { ...record, dedupeKey: 'def', isnear: false, isover: false };
    const raised = await ingestUsageWarnings(
      context,
      'quectel-main',
      [record, quiet].map(m2mUsageWarning),
    );
    expect(raised.map((alert) => [alert.cardId, alert.kind, alert.severity, alert.cycle])).toEqual([
      [cardIds[1], 'supplier.flow_over', 'critical', '2026-11-01'],
    ]);
    expect(raised[0]!.source).toBe('supplier:quectel');
    expect(await ingestUsageWarnings(context, 'quectel-main', [m2mUsageWarning(record)])).toEqual(
      [],
    );
    const events = await new EventOutbox(store).after(0);
    expect(events.map((event) => [event.type, event.cardId])).toEqual([
      ['alert.raised', cardIds[1]],
    ]);
  });
});
