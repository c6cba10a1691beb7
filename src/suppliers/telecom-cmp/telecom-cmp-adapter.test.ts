import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { SupplierError } from '../spec/index.js';
import { appFetch } from '../spec/simulator-kit.js';
import { createTelecomCmp } from './telecom-cmp-adapter.js';
import { createTelecomCmpSimulator } from './telecom-cmp-simulator.js';

const CREDENTIALS = { userId: 'u-test', password: 'p-test-1', key: 'K1aK2bK3c' };

function setup(options: { size?: number; key?: string; paths?: Record<string, string> } = {}) {
  const clock = new ManualClock(Date.UTC(2024, 10, 26, 2, 0, 0), { autoAdvance: true });
  const simulator = createTelecomCmpSimulator({ ...CREDENTIALS, size: options.size ?? 120, clock });
  const adapter = createTelecomCmp({
    accountId: 'cmp-test',
    baseUrl: 'http://cmp.test',
    ...CREDENTIALS,
    ...(options.key ? { key: options.key } : {}),
    ...(options.paths ? { paths: options.paths } : {}),
    fetch: appFetch(simulator.app),
    clock,
  });
  const ref = (index: number, by: 'msisdn' | 'iccid' = 'msisdn') => ({
    key: `c${index}`,
    [by]: simulator.card(index)[by],
  });
  return { simulator, adapter, clock, ref };
}

describe('telecom-cmp adapter against its simulator', () => {
  it('reads statuses by access number or ICCID, the raw code kept', async () => {
    const { adapter, simulator, ref } = setup();
    const result = await adapter.doGetStatus!({ cards: [ref(0), ref(1, 'iccid')] });
    expect(result.items.map((item) => item.ok && item.value.raw)).toEqual([
      simulator.status(0),
      simulator.status(1),
    ]);
    expect(simulator.calls.entries.map((entry) => entry.params.method)).toEqual([
      'queryCardMainStatus',
      'queryCardMainStatus',
    ]);
    expect(simulator.calls.entries[1]!.params.iccid).toBe(simulator.card(1).iccid);
  });

  it('pauses, resumes and ends a test period through disabledNumber 19/20/21', async () => {
    const { adapter, simulator, ref } = setup();
    const paused = await adapter.doChangeStatus!({ action: 'pause', cards: [ref(0)] });
    expect(paused.items[0]).toMatchObject({ ok: true, value: { status: 'suspended', raw: '5' } });
    expect(simulator.status(0)).toBe('5');
    expect(simulator.calls.entries.at(-1)!.params).toMatchObject({ orderTypeId: '19', acctCd: '' });
    expect(simulator.calls.entries.at(-1)!.path).toContain('/m2m_ec/app/serviceAccept.do');
    const resumed = await adapter.doChangeStatus!({ action: 'resume', cards: [ref(0)] });
    expect(resumed.items[0]).toMatchObject({ ok: true, value: { status: 'active', raw: '4' } });

    const testCard = Array.from({ length: 120 }, (_, index) => index).find(
      (index) => simulator.status(index) === '2',
    )!;
    const ended = await adapter.doChangeStatus!({ action: 'end-test', cards: [ref(testCard)] });
    expect(ended.items[0]).toMatchObject({ ok: true, value: { status: 'inventory', raw: '3' } });
  });

  it('reports a refused transition and an unknown card per item, the batch going on', async () => {
    const { adapter, ref } = setup();
    const result = await adapter.doChangeStatus!({
      action: 'resume',
      cards: [ref(0), { key: 'ghost', msisdn: '1410999999999' }],
    });
    const [inUse, ghost] = result.items;
    expect(inUse?.ok).toBe(false);
    if (inUse && !inUse.ok) expect(inUse.error.code).toBe('conflict');
    expect(ghost?.ok).toBe(false);
    if (ghost && !ghost.ok) expect(ghost.error.code).toBe('supplier_card_unknown');
  });

  it('refuses an action the CMP does not offer before any call', async () => {
    const { adapter, simulator, ref } = setup();
    await expect(adapter.doChangeStatus!({ action: 'activate', cards: [ref(0)] })).rejects.toThrow(
      /does not offer/,
    );
    expect(simulator.calls.total).toBe(0);
  });

  it('reads daily and monthly usage in bytes, past months through queryTrafficByDate', async () => {
    const { adapter, simulator, ref } = setup();
    const daily = await adapter.doGetDailyUsage!({ date: '2024-11-25', cards: [ref(3)] });
    const dailyItem = daily.items[0]!;
    if (!dailyItem.ok) throw dailyItem.error;
    expect(Number.isInteger(dailyItem.value.bytes)).toBe(true);
    const past = await adapter.doGetMonthlyUsage!({ month: '2024-10', cards: [ref(3)] });
    expect(simulator.calls.entries.at(-1)!.params).toMatchObject({
      method: 'queryTrafficByDate',
      startDate: '20241001',
      endDate: '20241031',
    });
    const current = await adapter.doGetMonthlyUsage!({ month: '2024-11', cards: [ref(3)] });
    expect(simulator.calls.entries.at(-1)!.params.method).toBe('queryTraffic');
    for (const result of [past, current]) {
      const item = result.items[0]!;
      if (!item.ok) throw item.error;
      expect(item.value.bytes).toBeGreaterThanOrEqual(0);
    }
    await expect(adapter.doGetMonthlyUsage!({ month: '2025-01', cards: [ref(3)] })).rejects.toThrow(
      /past or current month/,
    );
  });

  it('lists the fleet 50 a page from the encrypted getSIMList answers', async () => {
    const { adapter, simulator } = setup({ size: 120 });
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await adapter.doListCards!(cursor === undefined ? {} : { cursor });
      pages.push(page.cards.length);
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual([50, 50, 20]);
    const first = await adapter.doListCards!({});
    expect(first.cards[0]).toMatchObject({
      iccid: simulator.card(0).iccid,
      msisdn: simulator.card(0).msisdn,
      status: { status: 'active', raw: '4' },
    });
  });

  it('reads the session from getOnlineStatus', async () => {
    const { adapter, ref } = setup();
    const result = await adapter.doGetSession!({ cards: [ref(0), ref(5)] });
    for (const item of result.items) {
      if (!item.ok) throw item.error;
      expect([true, false]).toContain(item.value.online);
      expect(item.value.apn).toBe('simdock.cmp.sim');
      expect(item.value.rat).toBe('LTE');
      if (item.value.online) expect(item.value.startedAt).toBeGreaterThan(0);
    }
  });

  it('sets, changes and cancels a carrier-side cap through offNetAction 1/2/3', async () => {
    const { adapter, simulator, ref } = setup();
    const set = await adapter.doSetDataCap!({ capBytes: 100 * 1024 * 1024, cards: [ref(0)] });
    expect(set.items[0]?.ok).toBe(true);
    expect(simulator.offNet(0)).toEqual({ quotaMb: 100, type: '1' });
    const changed = await adapter.doSetDataCap!({ capBytes: 1024 * 1024 + 1, cards: [ref(0)] });
    expect(changed.items[0]?.ok).toBe(true);
    expect(changed.warnings[0]?.message).toMatch(/whole MB/);
    expect(simulator.offNet(0)).toEqual({ quotaMb: 2, type: '1' });
    expect(simulator.calls.entries.slice(-2).map((entry) => entry.params.action)).toEqual([
      '1',
      '2',
    ]);
    const cancelled = await adapter.doSetDataCap!({ capBytes: null, cards: [ref(0)] });
    expect(cancelled.items[0]?.ok).toBe(true);
    expect(simulator.offNet(0)).toBeUndefined();
    const again = await adapter.doSetDataCap!({ capBytes: null, cards: [ref(0)] });
    expect(again.items[0]?.ok).toBe(false);
  });

  it('cuts the card once its usage reaches the cap', async () => {
    const { adapter, simulator, ref } = setup();
    await adapter.doSetDataCap!({ capBytes: 1024 * 1024, cards: [ref(0)] });
    // Card 0 has used more than 1 MB by the 26th; its session stops and the status says 已断网.
    const session = await adapter.doGetSession!({ cards: [ref(0)] });
    expect(session.items[0]).toMatchObject({ ok: true, value: { online: false } });
    const status = await adapter.doGetStatus!({ cards: [ref(0)] });
    expect(status.response.bodies[0]).toMatchObject({ netBlockStatusName: '已断网' });
    expect(simulator.offNet(0)?.quotaMb).toBe(1);
  });

  it('limits and lifts speed through speedLimitAction, reading its short text answer', async () => {
    const { adapter, simulator, ref } = setup();
    const limited = await adapter.doChangeSpeed!({ speedCode: '33', cards: [ref(0)] });
    expect(limited.items[0]?.ok).toBe(true);
    expect(simulator.speed(0)).toBe('33');
    const lifted = await adapter.doChangeSpeed!({ speedCode: null, cards: [ref(0)] });
    expect(lifted.items[0]?.ok).toBe(true);
    expect(simulator.speed(0)).toBeUndefined();
    await expect(adapter.doChangeSpeed!({ speedCode: '99', cards: [ref(0)] })).rejects.toThrow(
      /speed code/,
    );
  });

  it('fails the whole call with supplier_auth_failed when the key is wrong (sign refused)', async () => {
    const { adapter } = setup({ key: 'K1aK2bK3d' });
    const error = await adapter.doGetStatus!({
      cards: [{ key: 'a', msisdn: '1410000000000' }],
    }).then(
      () => null,
      (caught: unknown) => caught as SupplierError,
    );
    expect(SupplierError.isInstance(error)).toBe(true);
    expect(error?.code).toBe('supplier_auth_failed');
  });

  it('follows a per-method path override', async () => {
    const { adapter, simulator, ref } = setup({ paths: { disabledNumber: '/m2m_ec/query.do' } });
    await adapter.doChangeStatus!({ action: 'pause', cards: [ref(0)] });
    expect(simulator.calls.entries.at(-1)!.path).toBe('/m2m_ec/query.do?disabledNumber');
  });

  it('turns a per-call system error into a retryable item', async () => {
    const { adapter, simulator, ref } = setup();
    simulator.faults.set({ partialFailureRate: 1 });
    const result = await adapter.doGetStatus!({ cards: [ref(0)] });
    const item = result.items[0]!;
    expect(item.ok).toBe(false);
    if (!item.ok) expect(item.error.retryable).toBe(true);
  });
});
