import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock, mbToBytes } from '../../domain/index.js';
import { SupplierError } from '../spec/index.js';
import { createQuectel } from './quectel-client.js';

/** Answers every call with one document example (quectel-connectivity-api-v3.15.md). */
function clientAnswering(name: string) {
  const text = readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
  const sent: URLSearchParams[] = [];
  const client = createQuectel({
    appKey: '000001',
    secret: 'abcdef',
    clock: new ManualClock(Date.UTC(2024, 10, 26, 2)),
    fetch: async (_input, init) => {
      sent.push(new URLSearchParams(String(init?.body)));
      return new Response(text, { headers: { 'content-type': 'application/json' } });
    },
  });
  return { client, sent };
}

describe('quectel document examples, parsed leniently', () => {
  it('§2.1.1 billing groups', async () => {
    const { billingGroups } =
      await clientAnswering('billing-group-list.json').client.billingGroupList();
    expect(billingGroups[0]).toMatchObject({
      id: 10,
      code: '1YY-939-2108-55',
      setMeal: null,
      isflowshare: 0,
    });
  });

  it('§2.1.2/§2.1.3 billing-group statistics with and without sub-groups', async () => {
    const single = await clientAnswering(
      'billing-group-statistics.json',
    ).client.billingGroupStatistics({ id: 10 });
    expect(single.data).toMatchObject({ useFlow: 438.424, sumFlow: 1024, cardSum: 2, rows: [] });
    const nested = await clientAnswering(
      'billing-groups-statistics.json',
    ).client.billingGroupsStatistics({ id: 10 });
    expect(nested.data.rows).toHaveLength(1);
    expect(nested.data.rows[0]).toMatchObject({ cardSum: 0, useFlow: 0 });
  });

  it('§2.1.4 card list with paging', async () => {
    const { page, cards } = await clientAnswering('card-list.json').client.cardList();
    expect(page).toEqual({ page: 1, pageSize: 100, totalCount: 1, totalPage: 1 });
    expect(cards[0]).toMatchObject({
      iccid: '898603174920386XXXX',
      msisdn: '106499130XXXX',
      carrier: '中国电信',
      status: '正常',
      callstatus: -2,
      spcode: '106489910XXXX',
      activeDate: '2020-10-27',
    });
  });

  it('§2.1.5 card info: supplier → carrier, activateTime → activeDate', async () => {
    const { card } = await clientAnswering('card-info.json').client.cardInfo({
      msisdn: '106499130XXXX',
    });
    expect(card).toMatchObject({
      carrier: '中国电信',
      activeDate: '2020-10-27',
      flowratenumber: 20000,
    });
    expect(card.cardType).toBeNull();
  });

  it('§2.1.6 batch info: List, numbers as strings, voicewitelist, socode', async () => {
    const { client, sent } = clientAnswering('cards-info.json');
    const { cards } = await client.cardsInfo({ iccids: ['898603174920386XXXX'] });
    expect(sent[0]!.get('iccids')).toBe('898603174920386XXXX');
    expect(cards[0]).toMatchObject({
      realnamestatus: 0,
      flowratenumber: 20000,
      residueFlow: 20000,
      servicecycle: 12,
      billingid: 860,
      callstatus: -2,
      voicewhitelist: '106499130XXXX_106499130XXXX',
      spcode: '106489910XXXX',
      companyid: 123,
      monthflow: 0,
    });
  });

  it('§2.1.7–§2.1.10 flows in MB, to bytes', async () => {
    const list = await clientAnswering('monthflow-list.json').client.monthflowList({
      month: '202411',
    });
    expect(list.flows[0]).toMatchObject({ monthflow: 0, flow: 0 });
    const days = await clientAnswering('dayflow-list.json').client.dayflowList({
      iccid: '1',
      month: '202411',
    });
    expect(days.flows).toEqual([expect.objectContaining({ date: '20201008', flow: 0 })]);
    const single = await clientAnswering('card-monthflow.json').client.cardMonthflow({
      iccid: '1',
      month: '202411',
    });
    expect(mbToBytes(single.monthflow)).toBe(Math.round(10.08 * 1024 * 1024));
    const batch = await clientAnswering('cards-monthflow.json').client.cardsMonthflow({
      msisdns: ['106499130XXX'],
      month: '2024-11',
    });
    expect(batch.data[0]).toMatchObject({
      number: '106499130XXX',
      monthflow: 10.08,
      cycleflow: 10.08,
    });
  });

  it('§2.1.11/§2.1.12 voice usage', async () => {
    const month = await clientAnswering('voice-monthflow-list.json').client.voiceMonthflowList({
      month: '202411',
    });
    expect(month.flows[0]!.monthflow).toBe(8);
    const days = await clientAnswering('voice-dayflow-list.json').client.voiceDayflowList({
      msisdn: '1',
      month: '202411',
    });
    expect(days.flows[0]!.date).toBe('20201008');
  });

  it('§2.1.13–§2.1.17 alarm, packages, year packages at top level, real name, account', async () => {
    const alarm = await clientAnswering('card-alarm-get.json').client.cardAlarmGet({ msisdn: '1' });
    expect(alarm.alarmInfo).toMatchObject({ alarmid: 5, pausestatus: 1, alarmthreshold2: null });
    const packages = await clientAnswering('card-flowpackages.json').client.cardFlowpackages({
      msisdn: '1',
    });
    expect(packages.flowpackages[0]).toMatchObject({ tfSize: 30, tfType: '公网' });
    const year = await clientAnswering('yearmonth-detail.json').client.yearmonthDetail({
      msisdn: '1',
    });
    expect(year.data).toMatchObject({ flow: 100.2, totalFlow: 600, residueFlow: 99.45 });
    expect(year.data.packageGroups[0]).toMatchObject({ orderId: '1', useFlow: 200.55 });
    const realName = await clientAnswering('real-name-status.json').client.cardRealNameStatusQuery({
      msisdn: '1',
    });
    expect(realName).toMatchObject({ rpscode: '0000', realNamed: false });
    const account = await clientAnswering('account-info.json').client.accountInfo();
    expect(account).toMatchObject({ companyid: 123, children: [{ companyid: 321 }] });
  });

  it('§2.2 file tasks; the file list as a bare array; the documented failures', async () => {
    expect((await clientAnswering('file-card-get.json').client.fileCardGet()).taskId).toBe(1);
    expect((await clientAnswering('file-status.json').client.fileStatus({ taskId: 1 })).done).toBe(
      true,
    );
    const tasks = await clientAnswering('file-list.json').client.fileList();
    expect(tasks.tasks[0]).toMatchObject({ TaskId: 1312, TaskStatus: '文件生成成功' });
    const failure = await clientAnswering('file-list-error.json')
      .client.fileList()
      .catch((error: unknown) => error);
    expect((failure as SupplierError).code).toBe('supplier_auth_failed');
    const missing = await clientAnswering('file-down-error.json')
      .client.fileDown({ taskId: 9 })
      .catch((error: unknown) => error);
    expect(SupplierError.isInstance(missing)).toBe(true);
    expect((missing as SupplierError).supplierMessage).toBe('任务不存在');
    const none = await clientAnswering('file-last-down-error.json')
      .client.fileLastDown()
      .catch((error: unknown) => error);
    expect((none as SupplierError).supplierCode).toBe('1');
  });

  it('§2.3.1/§2.3.2 realtime status and location', async () => {
    const status = await clientAnswering('realtime-status.json').client.cardRealtimeStatus({
      iccid: '1',
    });
    expect(status.realTimeStatus).toMatchObject({
      issuccess: true,
      usedFlowb: 0,
      totalFlowb: 100,
      apn: 'CMIIOT',
    });
    const location = await clientAnswering('location.json').client.cardLocation({ iccid: '1' });
    expect(location.location).toMatchObject({
      LATITUDE: '32.34',
      LONGITUDE: '118.83',
      POSITIONRESULT: null,
    });
  });

  it('§2.3.3–§2.3.5 SMS: msisdns in successList, sendlog paging at the top level', async () => {
    const sent = await clientAnswering('sms-send.json').client.smsSend({
      msisdns: ['106499130XXXX'],
      content: 'hi',
    });
    expect(sent.successList[0]).toMatchObject({
      msisdn: '106499130XXXX',
      sms_id: 'YkSzqc66fIE0umbCVD6w',
    });
    expect(sent.errorList).toEqual(['106499130XXXX']);
    const log = await clientAnswering('sms-sendlog.json').client.smsSendlog({ dateStr: '202103' });
    expect(log.page).toEqual({ page: 1, pageSize: 100, totalCount: 1, totalPage: 1 });
    expect(log.infoList[0]).toMatchObject({ sms_id: '3213', status: 200 });
    const count = await clientAnswering('sms-monthcount.json').client.smsMonthcount({
      dateStr: '202103',
    });
    expect(count).toMatchObject({ mt: 0, mo: 2 });
  });

  it('§2.3.7 alarm settings: a partial answer lists the numbers that succeeded', async () => {
    const { client, sent } = clientAnswering('card-alarm-partial.json');
    const result = await client.cardAlarm({
      msisdns: ['14765004176', '14765004177'],
      alarmParam: { alarmstatus: 1 },
    });
    expect(result).toMatchObject({ complete: false, success: ['14765004176'] });
    expect(sent[0]!.get('msisdn')).toBe('14765004176,14765004177');
    expect(sent[0]!.get('alarmParam')).toBe('{"alarmstatus":1}');
    const whole = await clientAnswering('card-alarm.json').client.cardAlarm({
      iccids: ['1'],
      alarmParam: {},
    });
    expect(whole).toMatchObject({ complete: true, success: ['1'] });
  });

  it('§2.5 products, orders and wallet', async () => {
    const products = await clientAnswering('company-flowpackage.json').client.companyFlowpackage();
    expect(products.products[0]).toMatchObject({
      productId: '50',
      price: 1.5,
      flow: 30,
      flowType: '0',
    });
    const renewal = await clientAnswering('setmeal-product.json').client.cardSetmealProduct({
      iccid: '1',
    });
    expect(renewal.product).toMatchObject({ productId: '51', setmealMonths: 12, monthPrice: 0.3 });
    const check = await clientAnswering('recharge-preverify.json').client.cardRecharge({
      iccid: '1',
      productId: 50,
      productName: '30M-当月',
      preverify: true,
    });
    expect(check).toMatchObject({ orderNo: null, message: '预校验通过' });
    const order = await clientAnswering('recharge-order.json').client.cardRecharge({
      iccid: '1',
      productId: 50,
      productName: '30M-当月',
    });
    expect(order.orderNo).toBe('158710745072904g8');
    const recharge = await clientAnswering('order-details-recharge.json').client.orderDetails({
      orderNo: 'x',
    });
    expect(recharge.details).toMatchObject({
      orderType: '充值订单',
      orderStatus: '订单完成',
      productprice: 11,
      cycle: null,
    });
    const renewed = await clientAnswering('order-details-renewal.json').client.orderDetails({
      orderNo: 'x',
    });
    expect(renewed.details.cycle).toBe(2);
    const wallet = await clientAnswering('wallet-details.json').client.walletDetails();
    expect(wallet.money).toBe(237);
    expect(wallet.billingDetails.map((entry) => entry.changeMoney)).toEqual([-0.6, -0.02, 500]);
    expect(wallet.billingDetails[2]!.orderNo).toBeNull();
  });

  it('rejects bad input before any call', async () => {
    const { client, sent } = clientAnswering('card-monthflow.json');
    await expect(client.cardMonthflow({ iccid: '1', month: '202301' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(client.cardList({ pageSize: 1001 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(
      client.cardVoiceAddwhitelist({ iccid: '1', numbers: ['1', '2', '3', '4', '5', '6'] }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(client.cardRenewal({ iccid: '1', cycle: 2, months: 3 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect(sent).toHaveLength(0);
  });
});
