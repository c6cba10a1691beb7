import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { simulatedDailyKb } from '../spec/simulator-kit.js';
import { createAgentClient } from './agent-client.js';
import { createAgentSimulator } from './agent-simulator.js';

const DOCUMENT_DEVICE = '865214078636124';
const START = Date.UTC(2025, 8, 18, 2, 0, 0); // 2025-09-18 10:00 CST

function setup(options: { secret?: string; appId?: string; faults?: object } = {}) {
  const clock = new ManualClock(START);
  const simulator = createAgentSimulator({
    appId: 'app001',
    secret: 'SECRETKEY123',
    size: 300,
    devices: 2,
    clock,
    faults: options.faults,
  });
  const client = createAgentClient({
    baseUrl: 'http://agent.test',
    appId: options.appId ?? 'app001',
    secret: options.secret ?? 'SECRETKEY123',
    clock,
    fetch: simulator.fetch,
  });
  const card = (index: number) => simulator.fleet.cards.card(index);
  return { clock, simulator, client, card };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) =>
      error as { code: string; supplierCode: string | null; retryAfterMs?: number },
  );

describe('agent client: cards', () => {
  it('reads card info by ICCID and by number, unknown cards in failList', async () => {
    const { client, card } = setup();
    const byIccid = await client.batchQueryCardInfo({ iccids: [card(10).iccid, card(11).iccid] });
    expect(byIccid.data.list.map((sim) => sim.simNo)).toEqual([card(10).msisdn, card(11).msisdn]);
    const byNumber = await client.batchQueryCardInfo({
      simNos: [card(12).msisdn, '1449999999999'],
    });
    expect(byNumber.data.list[0]?.iccid).toBe(card(12).iccid);
    expect(byNumber.data.failList).toEqual([
      expect.objectContaining({ simNo: '1449999999999', code: 2001 }),
    ]);
    // Usage from this API is bytes: the card's month to date.
    const used = byIccid.data.list[0]!.useFlow!;
    let kb = 0;
    for (let day = 1; day <= 18; day += 1) {
      kb += simulatedDailyKb(card(10).iccid, `2025-09-${String(day).padStart(2, '0')}`);
    }
    expect(used).toBe(kb * 1024);
  });

  it('refuses more than 100 cards before any call', async () => {
    const { client, simulator, card } = setup();
    const iccids = Array.from({ length: 101 }, (_, index) => card(index).iccid);
    expect(await failure(client.batchQueryCardInfo({ iccids }))).toMatchObject({
      code: 'invalid_argument',
    });
    expect(simulator.calls.total).toBe(0);
  });

  it('subscribes cards to a notification URL', async () => {
    const { client, card } = setup();
    const result = await client.batchSubscribeCardInfo(
      { iccids: [card(20).iccid] },
      'https://ops.example.com/agent-notices',
    );
    expect(result.data.list).toEqual([
      expect.objectContaining({ iccid: card(20).iccid, simNo: card(20).msisdn }),
    ]);
    const info = await client.batchQueryCardInfo({ iccids: [card(20).iccid] });
    expect(info.data.list[0]?.subscribeUrl).toBe('https://ops.example.com/agent-notices');
  });

  it('reads the latest status at most 3 times per card per minute', async () => {
    const { client, clock, simulator, card } = setup();
    const cards = { iccids: [card(30).iccid] };
    for (let read = 0; read < 3; read += 1) {
      const result = await client.batchQueryCardStatus(cards);
      expect(result.data.list[0]?.simStatus).toBeTypeOf('number');
    }
    const refused = await failure(client.batchQueryCardStatus(cards));
    expect(refused).toMatchObject({ code: 'rate_limited' });
    expect(refused.retryAfterMs).toBe(60_000);
    expect(simulator.calls.count('/openapi/iot/batchQueryCardStatus')).toBe(3);
    // The platform enforces the same budget on a caller that does not count.
    const careless = createAgentClient({
      baseUrl: 'http://agent.test',
      appId: 'app001',
      secret: 'SECRETKEY123',
      clock,
      fetch: simulator.fetch,
    });
    const answer = await careless.batchQueryCardStatus(cards);
    expect(answer.data.failList[0]).toMatchObject({ iccid: card(30).iccid, code: 1007 });
    clock.advance(60_001);
    expect((await client.batchQueryCardStatus(cards)).data.list).toHaveLength(1);
  });

  it('reads realtime and month usage in bytes; a future month is refused', async () => {
    const { client, card } = setup();
    const cards = { simNos: [card(40).msisdn] };
    const realtime = await client.batchQueryCardRealtimeFlow(cards);
    expect(realtime.data.list[0]).toMatchObject({ totalFlow: 104_857_600 });
    const august = await client.batchQueryCardMonthFlow(cards, '202508');
    let kb = 0;
    for (let day = 1; day <= 31; day += 1) {
      kb += simulatedDailyKb(card(40).iccid, `2025-08-${String(day).padStart(2, '0')}`);
    }
    expect(august.data.list[0]).toMatchObject({ month: '202508', useFlow: kb * 1024 });
    expect(await failure(client.batchQueryCardMonthFlow(cards, '202510'))).toMatchObject({
      code: 'invalid_argument',
      supplierCode: '1001',
    });
  });

  it('stops cards asynchronously: records stay processing until the batch settles', async () => {
    const { client, clock, simulator, card } = setup();
    const active = Array.from({ length: 20 }, (_, index) => card(50 + index).iccid)
      .filter((iccid) => simulator.fleet.card({ iccid })?.simStatus === 4)
      .slice(0, 3);
    const stop = await client.batchStopCard({ iccids: active });
    expect(stop.data.list).toHaveLength(3);
    const { batchNo } = stop.data;
    const early = await client.queryCardOperationRecords({ batchNo });
    expect(early.data.total).toBe(3);
    expect(early.data.list.every((record) => record.status === 0)).toBe(true);
    // A second stop while the first is processing is refused per card.
    const again = await client.batchStopCard({ iccids: [active[0]!] });
    expect(again.data.failList[0]).toMatchObject({ code: 2002 });
    clock.advance(30_000);
    const settled = await client.queryCardOperationRecords({ batchNo });
    expect(settled.data.list.every((record) => record.status === 1)).toBe(true);
    const info = await client.batchQueryCardInfo({ iccids: active });
    expect(info.data.list.map((sim) => sim.simStatus)).toEqual([5, 5, 5]);
    const restore = await client.batchRestoreCard({ iccids: active });
    clock.advance(30_000);
    const restored = await client.queryCardOperationRecords({ batchNo: restore.data.batchNo });
    expect(restored.data.list.map((record) => record.operateType)).toEqual([
      'restore',
      'restore',
      'restore',
    ]);
    const byCard = await client.queryCardOperationRecords({ iccid: active[0] });
    expect(byCard.data.total).toBe(2);
  });

  it('binds an IMEI and limits speed with a per-card cooldown checked before any call', async () => {
    const { client, clock, simulator, card } = setup();
    const one = { iccid: card(60).iccid };
    await client.bindCardImei(one, '865214078699999');
    await client.limitCardSpeed(one, '1M');
    const info = await client.batchQueryCardInfo({ iccids: [one.iccid] });
    expect(info.data.list[0]).toMatchObject({ imei: '865214078699999', speedCode: '1M' });
    const calls = simulator.calls.total;
    const refused = await failure(client.unlimitCardSpeed(one));
    expect(refused).toMatchObject({ code: 'cooldown' });
    expect(refused.retryAfterMs).toBe(5 * 60_000);
    expect(simulator.calls.total).toBe(calls);
    clock.advance(5 * 60_000);
    await client.unlimitCardSpeed(one);
    const after = await client.batchQueryCardInfo({ iccids: [one.iccid] });
    expect(after.data.list[0]?.speedCode).toBe('');
  });

  it('orders a package once per order number and charges the account', async () => {
    const { client, card } = setup();
    const before = (await client.queryAccountAssets()).data.balance!;
    const order = await client.orderPackage({ iccid: card(70).iccid }, 'P1G', 'simdock-0001');
    expect(order.data).toMatchObject({ outOrderNo: 'simdock-0001', status: 1 });
    expect(
      await failure(client.orderPackage({ iccid: card(70).iccid }, 'P1G', 'simdock-0001')),
    ).toMatchObject({ code: 'already_exists', supplierCode: '2007' });
    await client.orderPackage({ deviceNo: DOCUMENT_DEVICE }, 'P10G', 'simdock-0002');
    const after = (await client.queryAccountAssets()).data;
    expect(after.balance).toBe(before - 60);
    expect(after.deviceCount).toBe(3);
  });

  it('hands out a real-name link and clears real-name registration', async () => {
    const { client, card } = setup();
    const one = { simNo: card(80).msisdn };
    const link = await client.getRealNameUrl(one);
    expect(link.data.url).toContain(card(80).iccid);
    await client.clearRealName(one);
    const info = await client.batchQueryCardInfo({ simNos: [one.simNo] });
    expect(info.data.list[0]).toMatchObject({ authStatus: 1, cleanAuthAt: '2025-09-18 10:00:00' });
    expect(await failure(client.clearRealName({ iccid: '89861199999999999999' }))).toMatchObject({
      code: 'supplier_card_unknown',
    });
  });

  it('turns injected partial failures into failList items with a retryable code', async () => {
    const { client, card } = setup({ faults: { partialFailureRate: 1 } });
    const result = await client.batchQueryCardInfo({ iccids: [card(1).iccid] });
    expect(result.data.list).toHaveLength(0);
    expect(result.data.failList[0]).toMatchObject({ code: 5000 });
  });
});

describe('agent client: authentication', () => {
  it('refuses a wrong secret, an unknown appID and a skewed clock', async () => {
    const wrongSecret = setup({ secret: 'WRONG' });
    expect(await failure(wrongSecret.client.queryAccountAssets())).toMatchObject({
      code: 'supplier_auth_failed',
      supplierCode: '1002',
    });
    const wrongApp = setup({ appId: 'nobody' });
    expect(await failure(wrongApp.client.queryAccountAssets())).toMatchObject({
      code: 'supplier_auth_failed',
      supplierCode: '1003',
    });
    const { simulator } = setup();
    const skewed = createAgentClient({
      baseUrl: 'http://agent.test',
      appId: 'app001',
      secret: 'SECRETKEY123',
      clock: new ManualClock(START + 601_000),
      fetch: simulator.fetch,
    });
    expect(await failure(skewed.queryAccountAssets())).toMatchObject({ supplierCode: '1004' });
    const within = createAgentClient({
      baseUrl: 'http://agent.test',
      appId: 'app001',
      secret: 'SECRETKEY123',
      clock: new ManualClock(START - 599_000),
      fetch: simulator.fetch,
    });
    expect((await within.queryAccountAssets()).data.balance).toBeGreaterThan(0);
  });

  it('refuses a JSON body: the API takes forms', async () => {
    const { simulator, client } = setup();
    const headers = new Headers();
    const signedFetch = createAgentClient({
      baseUrl: 'http://agent.test',
      appId: 'app001',
      secret: 'SECRETKEY123',
      clock: client.transport.clock,
      fetch: async (input, init) => {
        new Headers(init?.headers).forEach((value, name) => {
          headers.set(name, value);
        });
        headers.set('content-type', 'application/json');
        return simulator.fetch(input, { ...init, headers, body: '{"deviceNo":"1"}' });
      },
    });
    expect(await failure(signedFetch.queryDeviceInfo(DOCUMENT_DEVICE))).toMatchObject({
      code: 'invalid_argument',
      supplierCode: '1001',
    });
  });
});
