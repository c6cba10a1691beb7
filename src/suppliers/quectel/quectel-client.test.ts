import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import type { SupplierError } from '../spec/index.js';
import { createQuectel } from './quectel-client.js';
import { createQuectelSimulator } from './quectel-simulator.js';

/** A client wired to a fresh simulator; card i follows the simulator's index pattern. */
function setup(size = 30, options: { wireStyle?: 'examples' | 'tables' } = {}) {
  const clock = new ManualClock(Date.UTC(2024, 10, 26, 2, 0, 0));
  const simulator = createQuectelSimulator({
    appKey: 'app-1',
    secret: 's3cret',
    size,
    clock,
    ...options,
  });
  const client = createQuectel({
    appKey: 'app-1',
    secret: 's3cret',
    clock,
    fetch: simulator.fetch,
    baseURL: simulator.baseURL,
  });
  const card = (index: number) => simulator.fleet.pattern.card(index);
  return { clock, simulator, client, card };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error as SupplierError,
  );

describe('quectel client against the simulator: authentication', () => {
  it('is refused with a wrong secret, a wrong appKey, a skewed clock or GET', async () => {
    const { simulator, clock } = setup();
    const wrongSecret = createQuectel({
      appKey: 'app-1',
      secret: 'nope',
      clock,
      fetch: simulator.fetch,
      baseURL: simulator.baseURL,
    });
    expect((await failure(wrongSecret.accountInfo()))?.code).toBe('supplier_auth_failed');
    const wrongKey = createQuectel({
      appKey: 'app-2',
      secret: 's3cret',
      clock,
      fetch: simulator.fetch,
      baseURL: simulator.baseURL,
    });
    expect((await failure(wrongKey.accountInfo()))?.supplierCode).toBe('70031');
    const skewed = new ManualClock(clock.now() + 301_000);
    const late = createQuectel({
      appKey: 'app-1',
      secret: 's3cret',
      clock: skewed,
      fetch: simulator.fetch,
      baseURL: simulator.baseURL,
    });
    expect((await failure(late.accountInfo()))?.code).toBe('supplier_auth_failed');
    const withinWindow = createQuectel({
      appKey: 'app-1',
      secret: 's3cret',
      clock: new ManualClock(clock.now() - 299_000),
      fetch: simulator.fetch,
      baseURL: simulator.baseURL,
    });
    expect((await withinWindow.accountInfo()).companyid).toBe(123);
    const get = await simulator.app.request(simulator.baseURL);
    expect(await get.json()).toMatchObject({ resultCode: 70031 });
  });
});

describe('quectel client against the simulator: queries', () => {
  it('billing groups and their statistics', async () => {
    const { client } = setup(10);
    const { billingGroups } = await client.billingGroupList();
    expect(billingGroups.map((group) => group.id)).toEqual([860, 861]);
    const statistics = await client.billingGroupStatistics({ id: 860 });
    expect(statistics.data.cardSum).toBe(5);
    expect(statistics.data.useFlow).toBeGreaterThan(0);
    const nested = await client.billingGroupsStatistics({ id: 861 });
    expect(nested.data).toMatchObject({ cardSum: 5, rows: [] });
  });

  it('walks card.list to the end, 1000 a page', async () => {
    const { client, simulator } = setup(2_345);
    const iccids = new Set<string>();
    for await (const card of client.cardListAll()) iccids.add(card.iccid!);
    expect(iccids.size).toBe(2_345);
    expect(simulator.callLog.count('fc.function.card.list')).toBe(3);
    const group = await client.cardList({ billingid: 861, pageSize: 5 });
    expect(group.cards.every((card) => card.billingid === 861)).toBe(true);
    expect(group.page.totalCount).toBe(1_172);
  });

  it('card info by msisdn or iccid, batch info in both wire styles, chunked by 1000', async () => {
    const { client, card, simulator } = setup(1_500);
    const single = await client.cardInfo({ msisdn: card(3).msisdn });
    expect(single.card).toMatchObject({
      iccid: card(3).iccid,
      carrier: '中国移动',
      status: '正常',
    });
    const many = await client.cardsInfo({
      iccids: Array.from({ length: 1_200 }, (_, index) => card(index).iccid),
    });
    expect(many.cards).toHaveLength(1_200);
    expect(many.cards[4]).toMatchObject({ billingid: 860, callstatus: 1, msisdn: card(4).msisdn });
    expect(simulator.callLog.count('fc.function.cards.info')).toBe(2);
    const tables = setup(5, { wireStyle: 'tables' });
    const listed = await tables.client.cardsInfo({ msisdns: [tables.card(4).msisdn] });
    expect(listed.cards[0]).toMatchObject({ iccid: tables.card(4).iccid, flowratenumber: 1024 });
  });

  it('month and day flows agree with each other, in MB', async () => {
    const { client, card } = setup(5);
    const days = await client.dayflowList({ iccid: card(3).iccid, month: '202411' });
    expect(days.flows).toHaveLength(26);
    const sum = days.flows.reduce((total, day) => total + day.flow!, 0);
    const month = await client.cardMonthflow({ iccid: card(3).iccid, month: '202411' });
    expect(Math.abs(month.monthflow! - sum)).toBeLessThan(0.05);
    const batch = await client.cardsMonthflow({
      iccids: [card(3).iccid, card(4).iccid],
      month: '202411',
    });
    expect(batch.data.map((row) => row.number)).toEqual([card(3).iccid, card(4).iccid]);
    expect(batch.data[0]!.monthflow).toBe(month.monthflow);
    const list = await client.monthflowList({ month: '202411', pageSize: 2 });
    expect(list.page.totalPage).toBe(3);
    const all = [];
    for await (const row of client.monthflowListAll('202411')) all.push(row);
    expect(all).toHaveLength(5);
    const inactive = await client.cardMonthflow({ iccid: card(1).iccid, month: '202411' });
    expect(inactive.monthflow).toBe(0);
  });

  it('voice usage, flow packages, year packages, real name and account', async () => {
    const { client, card } = setup(10);
    const voice = await client.voiceMonthflowList({ month: '202411' });
    expect(voice.flows).toHaveLength(10);
    const voiceDays = await client.voiceDayflowList({ iccid: card(4).iccid, month: '202411' });
    expect(voiceDays.flows).toHaveLength(26);
    expect((await client.cardFlowpackages({ iccid: card(3).iccid })).flowpackages).toEqual([]);
    const year = await client.yearmonthDetail({ iccid: card(3).iccid });
    expect(year.data.totalFlow).toBe(20000);
    expect((await failure(client.yearmonthDetail({ iccid: card(4).iccid })))?.supplierMessage).toBe(
      '仅支持年卡',
    );
    const tables = setup(5, { wireStyle: 'tables' });
    expect(
      (await tables.client.yearmonthDetail({ iccid: tables.card(3).iccid })).data.totalFlow,
    ).toBe(20000);
    expect((await client.cardRealNameStatusQuery({ iccid: card(3).iccid })).realNamed).toBe(true);
    expect((await client.accountInfo()).children).toHaveLength(1);
  });

  it('realtime status and location (telecom cards carry the extra fields)', async () => {
    const { client, card } = setup(10);
    const status = await client.cardRealtimeStatus({ iccid: card(3).iccid });
    expect(status.realTimeStatus).toMatchObject({
      issuccess: true,
      onlinestatus: '开机工作中',
      gprsstatus: '在线',
    });
    const telecom = await client.cardLocation({ iccid: card(4).iccid });
    expect(telecom.location).toMatchObject({
      ICCID: card(4).iccid,
      POSITIONRESULT: '2',
      MSID_TYPE: '0',
    });
    expect(Number(telecom.location.LATITUDE)).toBeGreaterThan(29);
  });

  it('answers an unknown card as supplier_card_unknown', async () => {
    const { client } = setup(10);
    const error = await failure(client.cardInfo({ iccid: '89860400000000099999' }));
    expect(error?.code).toBe('supplier_card_unknown');
  });
});

describe('quectel client against the simulator: changes', () => {
  it('test period → silent → active ↔ paused', async () => {
    const { client, card } = setup(10);
    const status = async (index: number) =>
      (await client.cardInfo({ iccid: card(index).iccid })).card.status;
    await client.cardOvertest({ iccid: card(0).iccid });
    expect(await status(0)).toBe('待激活');
    expect((await failure(client.cardOvertest({ iccid: card(0).iccid })))?.code).toBe(
      'supplier_rejected',
    );
    await client.cardSilenceactive({ iccid: card(0).iccid });
    expect(await status(0)).toBe('正常');
    await client.cardPause({ msisdn: card(0).msisdn });
    expect(await status(0)).toBe('停机');
    expect((await failure(client.cardPause({ iccid: card(0).iccid })))?.supplierMessage).toContain(
      '正常',
    );
    await client.cardResume({ iccid: card(0).iccid });
    expect(await status(0)).toBe('正常');
    await client.cardSilenceactive({ iccid: card(1).iccid });
    expect(await status(1)).toBe('正常');
  });

  it('reset pauses now and resumes ten minutes later on the simulator clock', async () => {
    const { client, card, clock, simulator } = setup(10);
    await client.cardReset({ iccid: card(3).iccid });
    expect((await client.cardInfo({ iccid: card(3).iccid })).card.status).toBe('停机');
    expect((await failure(client.cardResume({ iccid: card(3).iccid })))?.code).toBe(
      'supplier_rejected',
    );
    clock.advance(10 * 60_000);
    expect((await client.cardInfo({ iccid: card(3).iccid })).card.status).toBe('正常');
    expect(simulator.fleet.changedCount).toBe(1);
  });

  it('GPRS, IMEI unbind (telecom, once per 30 minutes) and voice', async () => {
    const { client, card, clock } = setup(10);
    await client.cardGprsClose({ iccid: card(3).iccid });
    expect((await client.cardInfo({ iccid: card(3).iccid })).card.gprsstatus).toBe('0');
    await client.cardGprsOpen({ iccid: card(3).iccid });
    expect((await client.cardInfo({ iccid: card(3).iccid })).card.gprsstatus).toBe('1');
    await client.cardImeiUnbind({ iccid: card(4).iccid });
    expect(
      (await failure(client.cardImeiUnbind({ iccid: card(4).iccid })))?.supplierMessage,
    ).toContain('30分钟');
    clock.advance(30 * 60_000);
    await client.cardImeiUnbind({ iccid: card(4).iccid });
    expect(
      (await failure(client.cardImeiUnbind({ iccid: card(3).iccid })))?.supplierMessage,
    ).toContain('电信');
    await client.cardVoiceClose({ iccid: card(4).iccid });
    expect((await client.cardInfo({ iccid: card(4).iccid })).card.callstatus).toBe(0);
    await client.cardVoiceOpen({ iccid: card(4).iccid });
    expect(
      (await failure(client.cardVoiceOpen({ iccid: card(3).iccid })))?.supplierMessage,
    ).toContain('语音');
  });

  it('voice whitelist: at most 5 numbers; delete at most 2, once a month', async () => {
    const { client, card, clock } = setup(10);
    const iccid = card(4).iccid;
    await client.cardVoiceAddwhitelist({
      iccid,
      numbers: ['13800000001', '13800000002', '13800000003', '13800000004'],
    });
    expect((await client.cardInfo({ iccid })).card.voicewhitelist!.split('_')).toHaveLength(5);
    expect(
      (await failure(client.cardVoiceAddwhitelist({ iccid, numbers: ['13800000005'] })))
        ?.supplierMessage,
    ).toContain('5');
    await client.cardVoiceDelwhitelist({ iccid, numbers: ['13800000001', '13800000002'] });
    expect(
      (await failure(client.cardVoiceDelwhitelist({ iccid, numbers: ['13800000003'] })))
        ?.supplierMessage,
    ).toContain('1 次');
    clock.set(Date.UTC(2024, 11, 2));
    await client.cardVoiceDelwhitelist({ iccid, numbers: ['13800000003'] });
    expect((await client.cardInfo({ iccid })).card.voicewhitelist!.split('_')).toHaveLength(2);
  });

  it('alarm settings: set (unsigned alarmParam), read, switch, partial failure', async () => {
    const { client, card } = setup(10);
    const set = await client.cardAlarm({
      msisdns: [card(3).msisdn, card(4).msisdn],
      alarmParam: {
        notifyemails: 'ops@example.com',
        alarmthreshold1: '800',
        alarmstatus: 1,
        pauseflowthreshold: 1024,
        pausestatus: 1,
      },
    });
    expect(set).toMatchObject({ complete: true });
    const read = await client.cardAlarmGet({ msisdn: card(3).msisdn });
    expect(read.alarmInfo).toMatchObject({
      alarmthreshold1: '800',
      pauseflowthreshold: '1024',
      alarmstatus: 1,
    });
    await client.cardAlarmStatus({ msisdn: card(3).msisdn, alarmStatus: 0 });
    expect((await client.cardAlarmGet({ msisdn: card(3).msisdn })).alarmInfo.alarmstatus).toBe(0);
    const partial = await client.cardAlarm({
      msisdns: [card(5).msisdn, '1064800009999'],
      alarmParam: { alarmstatus: 1 },
    });
    expect(partial).toMatchObject({ complete: false, success: [card(5).msisdn] });
  });

  it('real-name link: mobile cards, once a minute', async () => {
    const { client, card, clock } = setup(10);
    expect((await client.cardRealName({ iccid: card(3).iccid })).url).toMatch(/^https:/);
    expect(
      (await failure(client.cardRealName({ iccid: card(3).iccid })))?.supplierMessage,
    ).toContain('一分钟');
    clock.advance(60_000);
    expect((await client.cardRealName({ iccid: card(3).iccid })).busiSeq).toBeTruthy();
  });
});

describe('quectel client against the simulator: value-added services', () => {
  it('products, preverify, externalId idempotency and the wallet', async () => {
    const { client, card } = setup(10);
    const { products } = await client.companyFlowpackage();
    expect(products.map((product) => product.productId)).toContain('50');
    const renewal = await client.cardSetmealProduct({ iccid: card(4).iccid });
    expect(renewal.product).toMatchObject({ productId: '60', setmealMonths: 12, monthPrice: 10 });
    const recharge = {
      iccid: card(3).iccid,
      productId: 50,
      productName: '30M-当月',
      externalId: 'x-1',
    };
    expect((await client.cardRecharge({ ...recharge, preverify: true })).orderNo).toBeNull();
    expect((await client.walletDetails()).money).toBe(500);
    const first = await client.cardRecharge(recharge);
    const again = await client.cardRecharge(recharge);
    expect(again.orderNo).toBe(first.orderNo);
    const wallet = await client.walletDetails();
    expect(wallet.money).toBe(498.5);
    expect(wallet.billingDetails.filter((entry) => entry.handleType === '流量包充值')).toHaveLength(
      1,
    );
    expect((await client.orderDetails({ orderNo: first.orderNo! })).details.orderStatus).toBe(
      '订单待处理',
    );
    const wrongCarrier = await failure(
      client.cardRecharge({ iccid: card(4).iccid, productId: 50, productName: '30M-当月' }),
    );
    expect(wrongCarrier?.supplierMessage).toContain('运营商');
    const renewed = await client.cardRenewal({ iccid: card(4).iccid, cycle: 2, externalId: 'r-9' });
    expect((await client.orderDetails({ orderNo: renewed.orderNo! })).details).toMatchObject({
      cycle: 2,
      productprice: 240,
    });
  });
});
