import { describe, expect, it } from 'vitest';
import { addDays, lastCompleteDays } from '../../domain/index.js';
import { AlertsRepository } from '../../store/repositories/alerts-repository.js';
import { EventOutbox } from '../../store/repositories/event-outbox.js';
import { PlansRepository } from '../../store/repositories/plans-repository.js';
import { PoolsRepository } from '../../store/repositories/pools-repository.js';
import { RulesRepository } from '../../store/repositories/rules-repository.js';
import { describeEachDialect, useTestStore } from '../../store/store.test-support.js';
import { syncAccount } from '../sync/sync.js';
import { rulesFleet } from './rules.test-support.js';
import { evaluateRules } from './rules-evaluate.js';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
/** November usage of the ten cards, in percent of a 1 GiB plan. Card 2 is suspended already. */
const PERCENT_USED = [50, 90, 120, 85, 10, 100, 150, 79, 81, 30];

describeEachDialect('rule evaluation ($dialect)', (target) => {
  const test = useTestStore(target);

  async function fleet() {
    const { store, clock } = test.current;
    const setup = await rulesFleet(store, clock);
    const { cardIds } = setup;
    const now = () => clock.now();
    const plans = new PlansRepository(store, now);
    const plan = await plans.create({ name: '1G', quotaBytes: GIB });
    await plans.assign(cardIds, { planId: plan.id });
    await plans.assign([cardIds[3]!], { expiresOn: '2026-12-01' });
    await plans.assign([cardIds[4]!], { expiresOn: '2027-01-01' });
    await store.usage.upsertMonthly(
      cardIds.map((cardId, index) => ({
        cardId,
        month: '2026-11',
        bytes: Math.round((PERCENT_USED[index]! / 100) * GIB),
      })),
    );
    // Card 4: 10 MiB a day, then 100 MiB yesterday (an anomaly at factor 5); card 9: idle.
    const yesterday = '2026-11-25';
    await store.usage.upsertDaily([
      ...Array.from({ length: 7 }, (_, back) => ({
        cardId: cardIds[4]!,
        date: addDays(yesterday, -7 + back),
        bytes: 10 * MIB,
      })),
      { cardId: cardIds[4]!, date: yesterday, bytes: 100 * MIB },
      ...lastCompleteDays(3, clock.now()).map((date) => ({ cardId: cardIds[9]!, date, bytes: 0 })),
    ]);
    await store.cards.updateIdentities([{ id: cardIds[8]!, imei: '860000000000001' }], 'sync');
    const rules = new RulesRepository(store, now);
    const planScope = { scope: 'plan' as const, targetId: plan.id };
    const warn = await rules.create({
      ...planScope,
      kind: 'usage',
      thresholds: { percent: 80 },
      actions: [{ type: 'webhook' }],
    });
    const pause = await rules.create({
      ...planScope,
      kind: 'usage',
      thresholds: { percent: 100, resumeNextCycle: true },
      actions: [{ type: 'pause' }],
    });
    const account = { scope: 'account' as const, targetId: 'quectel-main' };
    await rules.create({ ...account, kind: 'anomaly', thresholds: { factor: 5 } });
    await rules.create({ ...account, kind: 'idle', thresholds: { days: 3 } });
    await rules.create({ ...account, kind: 'expiry', thresholds: { days: 7 } });
    await rules.create({ ...account, kind: 'imei_changed' });
    await rules.create({ ...account, kind: 'status_changed' });
    return { ...setup, warn, pause };
  }

  const alertsOf = async () =>
    (await new AlertsRepository(test.current.store).list({ limit: 1000 })).map(
      (alert) => `${alert.kind}:${alert.ruleId}:${alert.cardId}:${alert.cycle}`,
    );

  it('raises exactly the expected alerts and pauses exactly the cards over the line', async () => {
    const { store } = test.current;
    const { context, quectel, cardIds, warn, pause } = await fleet();
    const card = (index: number) => cardIds[index]!;
    const first = await evaluateRules(context, { account: 'quectel-main', actor: 'test' });
    expect(first.cards).toBe(10);
    const warned = [1, 2, 3, 5, 6, 8].map((index) => `usage:${warn.id}:${card(index)}:2026-11-01`);
    const paused = [2, 5, 6].map((index) => `usage:${pause.id}:${card(index)}:2026-11-01`);
    expect((await alertsOf()).sort()).toEqual(
      [
        ...warned,
        ...paused,
        `anomaly:3:${card(4)}:2026-11-25`,
        `idle:4:${card(9)}:2026-11-01`,
        `expiry:5:${card(3)}:expires:2026-12-01`,
      ].sort(),
    );
    // Card 2 was suspended already: its alert stands, no pause is sent.
    expect(first.paused.sort()).toEqual([card(5), card(6)].sort());
    expect(first.actionFailures).toEqual([]);
    expect(quectel.fleet.state(5).status).toBe('停机');
    expect(quectel.fleet.state(6).status).toBe('停机');
    expect(quectel.fleet.state(3).status).toBe('正常');
    expect((await store.cards.get(card(5)))!.status).toBe('suspended');
    const audit = await store.audit.list({ limit: 100 });
    expect(
      audit
        .filter((entry) => entry.action === 'pause')
        .map((entry) => entry.targetId)
        .sort(),
    ).toEqual([String(card(5)), String(card(6))].sort());
    const pausedAlert = (
      await new AlertsRepository(store).list({ cardId: card(5), kind: 'usage' })
    ).find((alert) => alert.ruleId === pause.id);
    expect(pausedAlert?.data.actions).toEqual({ pause: { [card(5)]: 'succeeded' } });
    // The webhook action emitted one event per warning, with a stable id.
    const events = await new EventOutbox(store).after(0, { limit: 100 });
    expect(events.map((event) => event.type)).toEqual(Array(6).fill('usage.threshold_crossed'));

    // A second evaluation of the same data raises nothing and calls no supplier.
    const callsBefore = context.callCounter('quectel-main').total;
    const second = await evaluateRules(context, { account: 'quectel-main' });
    expect(second.alerts).toEqual([]);
    expect(second.paused).toEqual([]);
    expect(context.callCounter('quectel-main').total).toBe(callsBefore);
    expect(await alertsOf()).toHaveLength(first.alerts.length);
    expect(await new EventOutbox(store).after(0, { limit: 100 })).toHaveLength(6);

    // The supplier suspends card 7 and card 8 moves to another device: one alert each, once.
    await store.cards.updateStatuses(
      [{ id: card(7), status: 'suspended', statusRaw: '停机' }],
      'sync:quectel-main',
    );
    await store.cards.updateIdentities([{ id: card(8), imei: '860000000000002' }], 'sync');
    const third = await evaluateRules(context, { cardIds: [card(7), card(8)] });
    expect(third.alerts.map((alert) => `${alert.kind}:${alert.cardId}`).sort()).toEqual(
      [`imei_changed:${card(8)}`, `status_changed:${card(7)}`].sort(),
    );
    expect(third.alerts.find((alert) => alert.kind === 'status_changed')?.data).toMatchObject({
      previousStatus: 'active',
      status: 'suspended',
    });
    expect((await evaluateRules(context, { cardIds: [card(7), card(8)] })).alerts).toEqual([]);
  });

  it('resumes what a rule paused once the next cycle starts, and alerts afresh per cycle', async () => {
    const { store, clock } = test.current;
    const { context, quectel, cardIds, pause } = await fleet();
    await evaluateRules(context, { account: 'quectel-main' });
    expect(quectel.fleet.state(5).status).toBe('停机');
    clock.set(Date.UTC(2026, 10, 30, 15, 0, 0)); // 23:00 CST on 30 November: same cycle
    expect((await evaluateRules(context, { account: 'quectel-main' })).resumed).toEqual([]);
    clock.set(Date.UTC(2026, 10, 30, 16, 30, 0)); // 00:30 CST on 1 December
    const december = await evaluateRules(context, { account: 'quectel-main' });
    expect(december.resumed.sort()).toEqual([cardIds[5], cardIds[6]].sort());
    expect(quectel.fleet.state(5).status).toBe('正常');
    expect((await store.cards.get(cardIds[6]!))!.status).toBe('active');
    // December has no usage yet: no usage alert; the expiry alert of card 3 stays single.
    expect(december.alerts.filter((alert) => alert.kind === 'usage')).toEqual([]);
    await store.usage.upsertMonthly([{ cardId: cardIds[5]!, month: '2026-12', bytes: 2 * GIB }]);
    const again = await evaluateRules(context, { cardIds: [cardIds[5]!] });
    expect(again.alerts.map((alert) => `${alert.ruleId}:${alert.cycle}`).sort()).toEqual(
      [`${pause.id}:2026-12-01`, `1:2026-12-01`].sort(),
    );
    expect(again.paused).toEqual([cardIds[5]]);
    expect((await evaluateRules(context, { account: 'quectel-main' })).resumed).toEqual([]);
  });

  it('evaluates pool usage against the pool quota, once per cycle', async () => {
    const { store, clock } = test.current;
    const { context, cardIds } = await fleet();
    const pools = new PoolsRepository(store, () => clock.now());
    // Cards 0 and 9 used 50 % and 30 % of 1 GiB: 80 % of a 1 GiB pool.
    const pool = await pools.create({ name: 'spare', quotaBytes: GIB });
    await pools.addCards(pool.id, [cardIds[0]!, cardIds[9]!]);
    const rules = new RulesRepository(store, () => clock.now());
    const at75 = await rules.create({
      scope: 'pool',
      targetId: pool.id,
      kind: 'usage',
      thresholds: { percent: 75 },
    });
    await rules.create({
      scope: 'pool',
      targetId: pool.id,
      kind: 'usage',
      thresholds: { percent: 85 },
    });
    const first = await evaluateRules(context, { cardIds: [cardIds[9]!] });
    const poolAlerts = first.alerts.filter((alert) => alert.poolId === pool.id);
    expect(poolAlerts.map((alert) => [alert.ruleId, alert.cardId, alert.cycle])).toEqual([
      [at75.id, null, '2026-11-01'],
    ]);
    expect(poolAlerts[0]!.data).toMatchObject({
      percentUsed: 80,
      quotaBytes: GIB,
      usedBytes: Math.round(0.5 * GIB) + Math.round(0.3 * GIB),
    });
    const second = await evaluateRules(context, { cardIds: [cardIds[0]!] });
    expect(second.alerts.filter((alert) => alert.poolId === pool.id)).toEqual([]);
  });
});

describeEachDialect('rules after a sync ($dialect)', (target) => {
  const test = useTestStore(target);

  it('evaluates the account at the end of each sync, once per cycle', async () => {
    const { store, clock } = test.current;
    const { context, cardIds } = await rulesFleet(store, clock, 4);
    await new PlansRepository(store).assign([cardIds[3]!], { expiresOn: '2026-11-30' });
    await new RulesRepository(store).create({
      scope: 'account',
      targetId: 'quectel-main',
      kind: 'expiry',
      thresholds: { days: 5 },
    });
    await syncAccount(context, 'quectel-main', { days: 1 });
    await syncAccount(context, 'quectel-main', { days: 1 });
    const alerts = await new AlertsRepository(store).list();
    expect(alerts.map((alert) => [alert.cardId, alert.cycle])).toEqual([
      [cardIds[3], 'expires:2026-11-30'],
    ]);
  });
});

describe('rule evaluation without rules', () => {
  it('returns at once', async () => {
    const { openTestStore } = await import('../../store/store.test-support.js');
    const testStore = await openTestStore('sqlite');
    try {
      const { context } = await rulesFleet(testStore.store, testStore.clock, 3);
      const summary = await evaluateRules(context, {});
      expect(summary).toMatchObject({ rules: 0, cards: 0, alerts: [] });
    } finally {
      await testStore.dispose();
    }
  });
});
