import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { CallCounter } from '../spec/index.js';
import { createQuectelAdapter } from './quectel-adapter.js';
import { quectelDefinition } from './quectel-definition.js';
import { createQuectelSimulator } from './quectel-simulator.js';

function setup(size = 1_100) {
  const clock = new ManualClock(Date.UTC(2024, 10, 26, 2, 0, 0));
  const simulator = createQuectelSimulator({ appKey: 'app-1', secret: 's3cret', size, clock });
  const callCounter = new CallCounter();
  const runtime = { fetch: simulator.fetch, clock, callCounter };
  const settings = { baseUrl: simulator.baseURL, appKey: 'app-1', secret: 's3cret' };
  const adapter = createQuectelAdapter('quectel-main', settings, runtime);
  const card = (index: number) => simulator.fleet.pattern.card(index);
  return { clock, simulator, adapter, runtime, settings, card, callCounter };
}

describe('quectel adapter', () => {
  it('is defined as type quectel with its settings described as data', () => {
    expect(quectelDefinition.type).toBe('quectel');
    expect(quectelDefinition.credentialFields.map((field) => field.name)).toEqual([
      'baseUrl',
      'appKey',
      'secret',
      'callbackToken',
    ]);
    expect(quectelDefinition.parseSettings({ appKey: 'a', secret: 'b' }).baseUrl).toBe(
      'https://api.quectel.com/openapi/router',
    );
    expect(() => quectelDefinition.parseSettings({ appKey: 'a' })).toThrow(/secret/);
  });

  it('refreshes statuses of 5,000 cards in 5 calls, normalized with the raw kept', async () => {
    const { adapter, card, callCounter } = setup(5_000);
    const cards = Array.from({ length: 5_000 }, (_, index) => ({
      key: `k${index}`,
      iccid: card(index).iccid,
    }));
    const result = await adapter.doGetStatus({ cards });
    expect(callCounter.total).toBe(5);
    expect(result.items.slice(0, 4).map((item) => item.ok && item.value)).toEqual([
      { status: 'test', raw: '测试期正常' },
      { status: 'inventory', raw: '待激活' },
      { status: 'suspended', raw: '停机' },
      { status: 'active', raw: '正常' },
    ]);
  });

  it('rejects invalid identifiers per card, with reasons, before any call', async () => {
    const { adapter, card, callCounter } = setup(10);
    const result = await adapter.doGetIdentities({
      cards: [
        { key: 'short', iccid: '8986' },
        { key: 'letters', msisdn: '10648ABC' },
        { key: 'good', iccid: card(3).iccid },
      ],
    });
    const byKey = Object.fromEntries(result.items.map((item) => [item.key, item]));
    expect(byKey.short).toMatchObject({ ok: false, error: { code: 'invalid_identifier' } });
    expect(byKey.letters).toMatchObject({ ok: false, error: { code: 'invalid_identifier' } });
    expect(byKey.good).toMatchObject({
      ok: true,
      value: { msisdn: card(3).msisdn, status: { status: 'active' } },
    });
    expect(callCounter.total).toBe(1);
    const none = await adapter.doGetIdentities({ cards: [{ key: 'bad', iccid: 'x' }] });
    expect(none.items[0]!.ok).toBe(false);
    expect(callCounter.total).toBe(1);
  });

  it('monthly usage in bytes in one call per 1000, daily usage one card per call', async () => {
    const { adapter, card, callCounter, simulator } = setup(10);
    const cards = [3, 4].map((index) => ({ key: `m${index}`, iccid: card(index).iccid }));
    const monthly = await adapter.doGetMonthlyUsage({ cards, month: '2024-11' });
    expect(callCounter.total).toBe(1);
    const expected = Math.round(
      (Math.round((simulator.fleet.monthKb(3, '2024-11') / 1024) * 1000) / 1000) * 1024 * 1024,
    );
    expect(monthly.items[0]).toMatchObject({ ok: true, value: { bytes: expected } });
    const daily = await adapter.doGetDailyUsage({ cards, date: '2024-11-20' });
    expect(callCounter.total).toBe(3);
    for (const item of daily.items)
      expect(item.ok && Number.isInteger(item.value.bytes)).toBe(true);
    const future = await adapter.doGetDailyUsage({ cards: cards.slice(0, 1), date: '2024-11-30' });
    expect(future.items[0]).toMatchObject({ ok: true, value: { bytes: null } });
    await expect(adapter.doGetMonthlyUsage({ cards, month: '2023-01' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('pauses and resumes, reporting the status after; a repeated pause does not fail', async () => {
    const { adapter, card } = setup(10);
    const cards = [{ key: 'a', iccid: card(3).iccid }];
    const paused = await adapter.doChangeStatus({ cards, action: 'pause' });
    expect(paused.items[0]).toMatchObject({
      ok: true,
      value: { status: 'suspended', raw: '停机' },
    });
    const again = await adapter.doChangeStatus({ cards, action: 'pause' });
    expect(again.items[0]).toMatchObject({ ok: true, value: { status: 'suspended' } });
    expect(again.warnings).toHaveLength(1);
    const resumed = await adapter.doChangeStatus({ cards, action: 'resume' });
    expect(resumed.items[0]).toMatchObject({ ok: true, value: { status: 'active', raw: '正常' } });
    const testCard = [{ key: 't', msisdn: card(0).msisdn }];
    const ended = await adapter.doChangeStatus({ cards: testCard, action: 'end-test' });
    expect(ended.items[0]).toMatchObject({ ok: true, value: { status: 'inventory' } });
    const activated = await adapter.doChangeStatus({ cards: testCard, action: 'activate' });
    expect(activated.items[0]).toMatchObject({ ok: true, value: { status: 'active' } });
    const refused = await adapter.doChangeStatus({
      cards: [{ key: 'r', iccid: card(1).iccid }],
      action: 'resume',
    });
    expect(refused.items[0]).toMatchObject({ ok: false, error: { code: 'supplier_rejected' } });
    expect(adapter.limits.lifecycleActions).toEqual([
      'pause',
      'resume',
      'activate',
      'end-test',
      'reset',
    ]);
  });

  it('sends SMS and reports numbers the supplier refused', async () => {
    const { adapter, card, simulator } = setup(10);
    simulator.faults.set({ partialFailureRate: 0 });
    const result = await adapter.doSendSms({
      text: 'reboot',
      cards: [
        { key: 'a', iccid: card(3).iccid },
        { key: 'b', msisdn: card(4).msisdn },
      ],
    });
    expect(result.items.every((item) => item.ok && item.value.messageId)).toBe(true);
    simulator.faults.set({ partialFailureRate: 1 });
    const failed = await adapter.doSendSms({
      text: 'x',
      cards: [{ key: 'c', iccid: card(5).iccid }],
    });
    expect(failed.items[0]).toMatchObject({ ok: false, error: { code: 'supplier_rejected' } });
  });

  it('locates cards (telecom fix time in CST)', async () => {
    const { adapter, card } = setup(10);
    const result = await adapter.doGetLocation({
      cards: [
        { key: 't', iccid: card(4).iccid },
        { key: 'm', iccid: card(3).iccid },
      ],
    });
    const [telecom, mobile] = result.items;
    expect(telecom).toMatchObject({
      ok: true,
      value: { description: null, at: Date.UTC(2024, 10, 26, 2, 0, 0) },
    });
    expect(mobile!.ok && mobile!.value.description).toContain('上海');
    expect(mobile!.ok && mobile!.value.latitude).toBeGreaterThan(29);
  });

  it('offers pools, realtime status, orders followed to the end and the wallet', async () => {
    const { adapter, card, clock } = setup(10);
    const pools = await adapter.pools();
    expect(pools.map((pool) => pool.cardCount)).toEqual([5, 5]);
    expect(Number.isInteger(pools[0]!.usedBytes)).toBe(true);
    const realtime = await adapter.realtimeStatus({ iccid: card(3).iccid });
    expect(realtime).toMatchObject({ online: true, totalBytes: 20000 * 1024 * 1024 });
    const product = {
      iccid: card(3).iccid,
      productId: 50,
      productName: '30M-当月',
      externalId: 'job-1/card-3',
    };
    expect(await adapter.recharge({ ...product, preverify: true })).toEqual({
      orderNo: null,
      message: '预校验通过',
    });
    const first = await adapter.recharge(product);
    const retried = await adapter.recharge(product);
    expect(retried.orderNo).toBe(first.orderNo);
    const wallet = await adapter.wallet();
    expect(wallet.balanceYuan).toBe(498.5);
    clock.autoAdvance = true;
    const outcome = await adapter.followOrder(first.orderNo!, { intervalMs: 15_000 });
    expect(outcome.state).toBe('complete');
    const packages = await adapter.quectel.cardFlowpackages({ iccid: card(3).iccid });
    expect(packages.flowpackages[0]).toMatchObject({ tfName: '30M-当月', tfSize: 30 });
  });
});
