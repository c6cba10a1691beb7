import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { appFetch } from '../spec/simulator-kit.js';
import { createQuectel } from './quectel-client.js';
import {
  createQuectelNoticeApp,
  parseQuectelOrderNotice,
  parseQuectelSmsNotice,
  type QuectelNotice,
} from './quectel-notices.js';
import { createQuectelSimulator } from './quectel-simulator.js';

/** Bodies built from the §2.3.6 and §2.5.6 field tables (the document gives no body example). */
const report = {
  type: 'report',
  msisdn: '1064991300001',
  iccid: '89860317492038600001',
  sms_id: 'YkSzqc66fIE0umbCVD6w',
  status: '200',
  msg: '',
};
const inbox = {
  type: 'inbox',
  msisdn: '1064991300001',
  iccid: '89860317492038600001',
  sms_id: 'M1',
  content: 'hello',
  recievetime: '2024-11-26 10:00:00',
};
const order = {
  orderNo: '158710745072904g8',
  orderType: '充值订单',
  orderStatusDesc: '订单完成',
  orderStatus: 1,
  iccid: '89860412091880130001',
  productName: '1G-定向',
  productPrice: 11.0,
  remark: '',
  result: 'ok',
  createTime: '2020-01-16 11:43:23',
  completeTime: '2020-01-16 11:47:57',
  externalId: '',
};

describe('quectel notices', () => {
  it('parses SMS reports and inbox messages with stable dedupe keys', () => {
    const parsed = parseQuectelSmsNotice(report);
    expect(parsed).toMatchObject({
      kind: 'sms-report',
      delivered: true,
      messageId: 'YkSzqc66fIE0umbCVD6w',
    });
    expect(parseQuectelSmsNotice({ ...report }).dedupeKey).toBe(parsed.dedupeKey);
    expect(parseQuectelSmsNotice({ ...report, status: '400' }).dedupeKey).not.toBe(
      parsed.dedupeKey,
    );
    expect(parseQuectelSmsNotice(inbox)).toMatchObject({
      kind: 'sms-inbox',
      text: 'hello',
      receivedAtCst: '2024-11-26 10:00:00',
    });
  });

  it('refuses malformed notices', () => {
    expect(() => parseQuectelSmsNotice({ ...report, status: '300' })).toThrow(/status/);
    expect(() => parseQuectelSmsNotice({ ...report, iccid: 'nope', msisdn: null })).toThrow();
    expect(() => parseQuectelSmsNotice({ ...report, type: 'other' })).toThrow(/type/);
    expect(() => parseQuectelOrderNotice({ ...order, orderStatus: 0 })).toThrow(/orderStatus/);
  });

  it('parses order results, externalId "" as null', () => {
    expect(parseQuectelOrderNotice(order)).toMatchObject({
      kind: 'order',
      state: 'complete',
      externalId: null,
      productPriceYuan: 11,
    });
    expect(parseQuectelOrderNotice({ ...order, orderStatus: '-1' })).toMatchObject({
      state: 'failed',
    });
  });

  it('answers exactly success and {"code":200,"msg":""}, checks the token, and 500s when not recorded', async () => {
    const seen: QuectelNotice[] = [];
    let failNext = false;
    const app = createQuectelNoticeApp({
      token: 't0k3n',
      onNotice: async (notice) => {
        if (failNext) throw new Error('database down');
        seen.push(notice);
      },
    });
    const post = (path: string, body: unknown) =>
      app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(await (await post('/sms?token=t0k3n', report)).text()).toBe('success');
    expect(await (await post('/orders?token=t0k3n', order)).text()).toBe('{"code":200,"msg":""}');
    expect((await post('/sms?token=wrong', report)).status).toBe(403);
    expect((await post('/sms?token=t0k3n', { type: 'report' })).status).toBe(400);
    failNext = true;
    expect((await post('/?token=t0k3n', inbox)).status).toBe(500);
    expect(seen.map((notice) => notice.kind)).toEqual(['sms-report', 'order']);
  });
});

describe('quectel simulator pushes, end to end', () => {
  it('delivers SMS reports, inbox messages and order results; duplicates keep one key', async () => {
    const clock = new ManualClock(Date.UTC(2024, 10, 26, 2));
    const stored = new Map<string, QuectelNotice>();
    let deliveries = 0;
    const notices = createQuectelNoticeApp({
      onNotice: async (notice) => {
        deliveries += 1;
        stored.set(notice.dedupeKey, notice);
      },
    });
    const simulator = createQuectelSimulator({
      appKey: 'a',
      secret: 's',
      size: 10,
      clock,
      callbackUrl: 'http://simdock.test/',
      callbackFetch: appFetch(notices),
    });
    const client = createQuectel({
      appKey: 'a',
      secret: 's',
      clock,
      fetch: simulator.fetch,
      baseURL: simulator.baseURL,
    });
    const card = simulator.fleet.pattern.card(3);
    await client.smsSend({ iccids: [card.iccid], content: 'ping', smsId: 'job-7' });
    simulator.receiveDeviceSms({ iccid: card.iccid, content: 'pong' });
    const { orderNo } = await client.cardRecharge({
      iccid: card.iccid,
      productId: 50,
      productName: '30M-当月',
      externalId: 'e-1',
    });
    expect(await simulator.deliverNotices()).toEqual({ delivered: 2, failed: 0 });
    clock.advance(60_000);
    expect(await simulator.deliverNotices()).toEqual({ delivered: 1, failed: 0 });
    const kinds = [...stored.values()].map((notice) => notice.kind).sort();
    expect(kinds).toEqual(['order', 'sms-inbox', 'sms-report']);
    const orderNotice = [...stored.values()].find((notice) => notice.kind === 'order');
    expect(orderNotice).toMatchObject({ orderNo, state: 'complete', externalId: 'e-1' });
    const log = await client.smsSendlog({ dateStr: '202411' });
    expect(log.infoList[0]).toMatchObject({ sms_id: 'job-7', status: 200 });
    expect((await client.smsMonthcount({ dateStr: '202411' })).mo).toBe(1);
    // A supplier retry of the same notice maps to the same key: stored once.
    for (const notice of [...stored.values()]) {
      await notices.request('/', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(notice.raw),
      });
    }
    expect(deliveries).toBe(6);
    expect(stored.size).toBe(3);
  });

  it('keeps notices queued until answered exactly as documented', async () => {
    const clock = new ManualClock(Date.UTC(2024, 10, 26, 2));
    const simulator = createQuectelSimulator({
      appKey: 'a',
      secret: 's',
      size: 10,
      clock,
      callbackUrl: 'http://simdock.test/',
      callbackFetch: async () => new Response('ok'),
    });
    simulator.receiveDeviceSms({ iccid: simulator.fleet.pattern.card(3).iccid, content: 'x' });
    expect(await simulator.deliverNotices()).toEqual({ delivered: 0, failed: 1 });
    expect(simulator.pendingNotices()[0]!.attempts).toBe(1);
  });

  it('a failed order is refunded and reported failed; the wallet follows', async () => {
    const clock = new ManualClock(Date.UTC(2024, 10, 26, 2));
    const simulator = createQuectelSimulator({
      appKey: 'a',
      secret: 's',
      size: 10,
      clock,
      walletYuan: 10,
    });
    const client = createQuectel({
      appKey: 'a',
      secret: 's',
      clock,
      fetch: simulator.fetch,
      baseURL: simulator.baseURL,
    });
    const card = simulator.fleet.pattern.card(4);
    const renewal = await client.cardRenewal({
      iccid: card.iccid,
      cycle: 1,
      months: 1,
      externalId: 'r-1',
    });
    expect((await client.walletDetails()).money).toBe(0);
    const broke = await client
      .cardRenewal({ iccid: card.iccid, cycle: 1, months: 1, externalId: 'r-2' })
      .catch((error) => error);
    expect(broke.code).toBe('supplier_balance_exhausted');
    simulator.deactivate(card.iccid);
    clock.advance(60_000);
    const details = await client.orderDetails({ orderNo: renewal.orderNo! });
    expect(details.details).toMatchObject({
      orderType: '续费订单',
      orderStatus: '订单失败',
      months: 1,
    });
    expect((await client.walletDetails()).money).toBe(10);
  });
});

describe('quectel card-list files', () => {
  it('at most 3 tasks a day, one at a time, status 1 → 2, a real zip streamed row by row', async () => {
    const clock = new ManualClock(Date.UTC(2024, 10, 26, 2));
    const simulator = createQuectelSimulator({ appKey: 'a', secret: 's', size: 1_234, clock });
    const client = createQuectel({
      appKey: 'a',
      secret: 's',
      clock,
      fetch: simulator.fetch,
      baseURL: simulator.baseURL,
    });
    await expect(client.fileLastDown()).rejects.toMatchObject({
      supplierMessage: '没有可下载的文件',
    });
    const { taskId } = await client.fileCardGet();
    expect((await client.fileStatus({ taskId: taskId! })).taskStatus).toBe('1');
    await expect(client.fileCardGet()).rejects.toMatchObject({ code: 'supplier_rejected' });
    await expect(client.fileDown({ taskId: taskId! })).rejects.toMatchObject({
      code: 'supplier_rejected',
    });
    clock.advance(20_000);
    expect((await client.fileStatus({ taskId: taskId! })).done).toBe(true);
    const rows = [];
    for await (const row of await client.fileDown({ taskId: taskId! })) rows.push(row);
    expect(rows).toHaveLength(1_234);
    expect(rows[3]).toMatchObject({ iccid: simulator.fleet.pattern.card(3).iccid, status: '正常' });
    let latest = 0;
    for await (const _row of await client.fileLastDown()) latest += 1;
    expect(latest).toBe(1_234);
    await client.fileCardGet();
    clock.advance(20_000);
    await client.fileCardGet();
    clock.advance(20_000);
    await expect(client.fileCardGet()).rejects.toMatchObject({
      supplierMessage: expect.stringContaining('3 次'),
    });
    const { tasks } = await client.fileList();
    expect(tasks.map((task) => task.TaskStatus)).toEqual([
      '文件生成成功',
      '文件生成成功',
      '文件生成成功',
    ]);
    await expect(client.fileDown({ taskId: 9 })).rejects.toMatchObject({
      supplierMessage: '任务不存在',
    });
  });
});
