import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { createServiceContext, type ServiceContext } from '../../services/context.js';
import { CALLBACK_SOURCE_POLICY } from '../../services/events/inbound-notices.js';
import { EventOutbox } from '../../store/repositories/event-outbox.js';
import { NoticesRepository } from '../../store/repositories/inbound-notices-repository.js';
import { SmsRepository } from '../../store/repositories/sms-repository.js';
import { describeEachDialect, useTestStore } from '../../store/store.test-support.js';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import examples from '../../suppliers/m2m10086/__fixtures__/m2m10086-notice-examples.json' with {
  type: 'json',
};
import { m2m10086Definition } from '../../suppliers/m2m10086/index.js';
import { quectelDefinition } from '../../suppliers/quectel/index.js';
import { createCallbackRouter } from './callback-router.js';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** Signs a notice the way m2m10086-api-v3.txt §3.1.3 says: md5(password+requesttime+msgtype+count). */
function signed(notice: { requesttime: string; msgtype: string; count: string }, password: string) {
  return { ...notice, sign: md5(password + notice.requesttime + notice.msgtype + notice.count) };
}

const quectelInbox = {
  type: 'inbox',
  msisdn: '1064991300001',
  iccid: '89860317492038600001',
  sms_id: 'M1',
  content: 'hello',
  recievetime: '2024-11-26 10:00:00',
};
const quectelOrder = {
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

describeEachDialect('supplier callbacks ($dialect)', (target) => {
  const test = useTestStore(target);

  async function setup() {
    const { store, clock } = test.current;
    clock.set(Date.UTC(2024, 10, 26, 8));
    await store.accounts.upsert({
      id: 'm2m-1',
      type: m2m10086Definition.type,
      settings: { baseUrl: 'http://m2m.test', partnercode: 'p', servicecode: 's' },
      secrets: { password: examples.password },
    });
    await store.accounts.upsert({
      id: 'quectel-1',
      type: quectelDefinition.type,
      settings: { appKey: 'a', callbackToken: 't0k3n' },
      secrets: { secret: 's' },
    });
    await store.cards.importCards('m2m-1', m2m10086Definition.type, [
      { msisdn: '1064837284388' },
      { msisdn: '1064837284389' },
    ]);
    await store.cards.importCards('quectel-1', quectelDefinition.type, [
      { iccid: '89860317492038600001' },
    ]);
    const context: ServiceContext = createServiceContext({
      store,
      catalog: createSupplierCatalog(),
      clock,
    });
    const logged: string[] = [];
    const router = createCallbackRouter(context, { log: (line) => logged.push(line) });
    const post = async (path: string, body: unknown) => {
      const response = await router.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: response.status, text: await response.text() };
    };
    return { store, context, router, post, logged };
  }

  it('M2M: a signed SMS reply is stored once, answered exactly OK, and raises one event', async () => {
    const { store, post } = await setup();
    const notice = signed(examples.notice_smsreceive, examples.password);
    expect(await post('/m2m-1/m2m', notice)).toEqual({ status: 200, text: 'OK' });
    // The platform resends every 5 minutes until it reads OK: the repeat changes nothing.
    expect(await post('/m2m-1/m2m', notice)).toEqual({ status: 200, text: 'OK' });
    const texts = await new SmsRepository(store).list({ account: 'm2m-1' });
    expect(texts.map((text) => [text.msisdn, text.text, text.status]).sort()).toEqual([
      ['1064837284388', '浙江', 'received'],
      ['1064837284389', 'OK', 'received'],
    ]);
    expect(texts.every((text) => text.cardId !== null)).toBe(true);
    // 2024-11-26 15:20:00 CST.
    expect(texts.find((text) => text.text === '浙江')?.supplierAt).toBe(
      Date.UTC(2024, 10, 26, 7, 20),
    );
    const events = await new EventOutbox(store).after(0, { type: 'sms.received' });
    expect(events).toHaveLength(2);
    const notices = await new NoticesRepository(store).list('m2m-1');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'm2m:notice_smsreceive', verified: true, repeats: 1 });
  });

  it('M2M: a forged notice is refused, recorded as rejected, logged without the password', async () => {
    const { store, post, logged } = await setup();
    const forged = signed(examples.notice_smsreceive, 'not-the-password');
    const answer = await post('/m2m-1/m2m', forged);
    expect(answer.status).toBe(400);
    expect(answer.text).not.toBe('OK');
    expect(await new SmsRepository(store).list({ account: 'm2m-1' })).toEqual([]);
    expect(await new EventOutbox(store).after(0)).toEqual([]);
    const rejected = await new NoticesRepository(store).list('m2m-1', { verified: false });
    expect(rejected).toMatchObject([{ kind: 'm2m10086:rejected', rejectedReason: 'bad_sign' }]);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/refused a m2m10086 notice for account m2m-1: bad_sign/);
    expect(logged[0]).not.toContain(examples.password);
    // A tampered count (not covered by the data) is refused too.
    const tampered = { ...signed(examples.notice_smsreceive, examples.password), count: '3' };
    expect((await post('/m2m-1/m2m', tampered)).status).toBe(400);
    expect((await post('/unknown/m2m', forged)).status).toBe(404);
  });

  it('M2M: send results update the sent text once; flow warnings become threshold events', async () => {
    const { store, context, post } = await setup();
    const sms = new SmsRepository(store);
    const [card] = await store.cards.findByIdentifier('1064837284388');
    const queued = await sms.queueOutbound({
      account: 'm2m-1',
      cardId: card!.id,
      msisdn: card!.msisdn,
      iccid: null,
      text: '{"cmd":"RESET"}',
      idempotencyKey: 'k1',
      actor: 'test',
    });
    await sms.markSent(queued.id, { status: 'sent', supplierMessageId: 'a1b2c3d4e5f6a7b8' });
    const sendNotice = signed(examples.notice_smssend, examples.password);
    expect((await post('/m2m-1/m2m', sendNotice)).text).toBe('OK');
    expect((await post('/m2m-1/m2m', sendNotice)).text).toBe('OK');
    expect((await sms.thread(card!.id))[0]).toMatchObject({
      status: 'delivered',
      supplierCode: '1',
    });
    const flow = signed(examples.notice_flowmonitor, examples.password);
    expect((await post('/m2m-1/m2m', flow)).text).toBe('OK');
    expect((await post('/m2m-1/m2m', flow)).text).toBe('OK');
    const outbox = new EventOutbox(context.store);
    expect(await outbox.after(0, { type: 'sms.delivery' })).toHaveLength(2);
    const thresholds = await outbox.after(0, { type: 'usage.threshold_crossed' });
    expect(thresholds).toHaveLength(2);
    // The alerts got one per card and cycle, the resend adding none.
    expect(await outbox.after(0, { type: 'alert.raised' })).toHaveLength(2);
    expect(thresholds[1]).toMatchObject({
      subject: '1064837284389',
      data: { usedBytes: 10_500 * 1024, planBytes: 10_240 * 1024, over: true },
    });
  });

  it('Quectel: inbox and order answered exactly, repeats stored once, bad token refused', async () => {
    const { store, post, logged } = await setup();
    expect(await post('/quectel-1/quectel/sms?token=t0k3n', quectelInbox)).toEqual({
      status: 200,
      text: 'success',
    });
    expect((await post('/quectel-1/quectel/sms?token=t0k3n', quectelInbox)).text).toBe('success');
    expect((await post('/quectel-1/quectel/orders?token=t0k3n', quectelOrder)).text).toBe(
      '{"code":200,"msg":""}',
    );
    expect((await post('/quectel-1/quectel?token=t0k3n', quectelOrder)).text).toBe(
      '{"code":200,"msg":""}',
    );
    const texts = await new SmsRepository(store).list({ account: 'quectel-1' });
    expect(texts).toMatchObject([{ text: 'hello', status: 'received', supplierMessageId: 'M1' }]);
    const notices = await new NoticesRepository(store).list('quectel-1', { verified: true });
    expect(notices.map((notice) => [notice.kind, notice.repeats])).toEqual([
      ['quectel:order', 1],
      ['quectel:sms-inbox', 1],
    ]);
    expect((await post('/quectel-1/quectel/sms?token=wrong', quectelInbox)).status).toBe(403);
    expect((await post('/quectel-1/quectel/sms', quectelInbox)).status).toBe(403);
    expect((await post('/quectel-1/quectel/sms?token=t0k3n', { type: 'report' })).status).toBe(400);
    const rejected = await new NoticesRepository(store).list('quectel-1', { verified: false });
    // The same refused body twice is one row with a repeat.
    expect(rejected.map((notice) => [notice.rejectedReason, notice.repeats])).toEqual([
      ['malformed', 0],
      ['bad_token', 1],
    ]);
    expect(logged.join('\n')).not.toContain('t0k3n');
  });

  it('bounds refused callbacks delivered in-process (no socket address) per account', async () => {
    const { store, post, logged } = await setup();
    const forged = signed(examples.notice_smsreceive, 'not-the-password');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < CALLBACK_SOURCE_POLICY.free + 5; attempt += 1) {
      statuses.push((await post('/m2m-1/m2m', { ...forged, count: String(attempt) })).status);
    }
    // The free allowance is refused one by one (400), then the source is held off (429).
    expect(statuses.slice(0, CALLBACK_SOURCE_POLICY.free + 1).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(CALLBACK_SOURCE_POLICY.free + 1)).toEqual([429, 429, 429, 429]);
    expect(logged.some((line) => /refused callbacks from in-process:m2m-1/.test(line))).toBe(true);
    // Held-off callbacks are not read, so nothing more is kept of them.
    const kept = await new NoticesRepository(store).list('m2m-1', { verified: false });
    expect(kept.length).toBeLessThanOrEqual(CALLBACK_SOURCE_POLICY.free + 1);
    // Another account's callbacks are another source: not held off.
    const quectel = await post('/quectel-1/quectel/sms?token=t0k3n', quectelInbox);
    expect(quectel.status).toBe(200);
    // Past the delay, the account's callbacks are heard again.
    test.current.clock.advance(CALLBACK_SOURCE_POLICY.maxDelayMs);
    const signedNotice = signed(examples.notice_smsreceive, examples.password);
    expect((await post('/m2m-1/m2m', signedNotice)).status).toBe(200);
  });
});
