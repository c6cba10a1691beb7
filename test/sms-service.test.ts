import { Hono } from 'hono';
import { expect, it } from 'vitest';
import { createCallbackRouter } from '../src/api/callbacks/index.js';
import { createServiceContext } from '../src/services/context.js';
import { pullInboundSms, sendSms, smsThread } from '../src/services/sms/sms-service.js';
import { EventOutbox } from '../src/store/repositories/event-outbox.js';
import { SmsRepository } from '../src/store/repositories/sms-repository.js';
import { describeEachDialect, useTestStore } from '../src/store/store.test-support.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { createM2mSimulator, m2m10086Definition } from '../src/suppliers/m2m10086/index.js';
import { createQuectelSimulator, quectelDefinition } from '../src/suppliers/quectel/index.js';
import { appFetch } from '../src/suppliers/spec/simulator-kit.js';

const M2M = { partnercode: 'P00012', servicecode: 'SVC0000001', password: '1234ABcd12' };

describeEachDialect('SMS service ($dialect)', (target) => {
  const test = useTestStore(target);

  async function m2mRig(options: { notices?: boolean } = { notices: true }) {
    const { store, clock } = test.current;
    clock.set(Date.UTC(2025, 2, 3, 4));
    const catalog = createSupplierCatalog();
    // simdock's callback address, as the platform would reach it.
    const simdock = new Hono();
    const simulator = createM2mSimulator({
      ...M2M,
      size: 50,
      clock,
      ...(options.notices ? { noticeUrl: 'http://simdock.test/callbacks/m2m-1/m2m' } : {}),
      fetch: appFetch(simdock),
    });
    const context = createServiceContext({
      store,
      catalog,
      clock,
      fetch: appFetch(simulator.app),
    });
    simdock.route('/callbacks', createCallbackRouter(context, { log: () => {} }));
    await store.accounts.upsert({
      id: 'm2m-1',
      type: m2m10086Definition.type,
      settings: {
        baseUrl: 'http://m2m.test',
        partnercode: M2M.partnercode,
        servicecode: M2M.servicecode,
      },
      secrets: { password: M2M.password },
    });
    const card = simulator.fleet.card(4);
    await store.cards.importCards('m2m-1', m2m10086Definition.type, [{ msisdn: card.msisdn }]);
    return { store, clock, simulator, context, msisdn: card.msisdn };
  }

  it('M2M: a text is stored before and after the send, audited, and not sent twice per key', async () => {
    const { store, simulator, context, msisdn } = await m2mRig();
    const first = await sendSms(context, msisdn, 'reboot 1', 'alice', {
      idempotencyKey: 'AbCdEfGh12345678',
    });
    expect(first.sent).toBe(true);
    expect(first.message).toMatchObject({ status: 'sent', direction: 'out', actor: 'alice' });
    const sendkey = first.message.supplierMessageId!;
    expect(sendkey).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(simulator.sentSms(sendkey)).toMatchObject({ mobile: msisdn, content: 'reboot 1' });
    const calls = simulator.callLog.count();
    const again = await sendSms(context, msisdn, 'reboot 1', 'alice', {
      idempotencyKey: 'AbCdEfGh12345678',
    });
    expect(again).toMatchObject({ sent: false, message: { id: first.message.id } });
    expect(simulator.callLog.count()).toBe(calls);
    await expect(
      sendSms(context, msisdn, 'another text', 'alice', { idempotencyKey: 'AbCdEfGh12345678' }),
    ).rejects.toMatchObject({ code: 'conflict' });
    const audit = await store.audit.list({ account: 'm2m-1' });
    expect(audit).toMatchObject([{ action: 'sms.send', outcome: 'succeeded', actor: 'alice' }]);
  });

  it('M2M: a text over 130 characters fails before any call and is recorded as failed', async () => {
    const { simulator, context, msisdn } = await m2mRig();
    const calls = simulator.callLog.count();
    await expect(sendSms(context, msisdn, 'x'.repeat(131), 'alice')).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect(simulator.callLog.count()).toBe(calls);
    const { messages } = await smsThread(context, msisdn);
    expect(messages).toMatchObject([{ status: 'failed', direction: 'out' }]);
  });

  it('M2M: pulled replies are stored before the read returns, once, with one event', async () => {
    const { store, simulator, context, msisdn } = await m2mRig({ notices: false });
    simulator.receiveSms(msisdn, '温度 21');
    const pulled = await pullInboundSms(context, 'm2m-1');
    expect(pulled).toMatchObject({ read: 1, stored: [{ text: '温度 21', status: 'received' }] });
    expect(simulator.unreadCount()).toBe(0);
    expect((await pullInboundSms(context, 'm2m-1')).read).toBe(0);
    const { messages } = await smsThread(context, msisdn);
    expect(messages.map((message) => message.text)).toEqual(['温度 21']);
    expect(await new EventOutbox(store).after(0, { type: 'sms.received' })).toHaveLength(1);
  });

  it('M2M: a reply both pushed (§3.1) and pulled (§2.6) is stored once', async () => {
    const { store, simulator, context, msisdn } = await m2mRig();
    simulator.receiveSms(msisdn, 'pushed and read');
    await simulator.notices.whenIdle();
    const pulled = await pullInboundSms(context, 'm2m-1');
    expect(pulled).toMatchObject({ read: 1, stored: [] });
    const { messages } = await smsThread(context, msisdn);
    expect(messages.map((message) => message.text)).toEqual(['pushed and read']);
    expect(await new EventOutbox(store).after(0, { type: 'sms.received' })).toHaveLength(1);
  });

  it('Quectel: sends through the card list supplier and takes its delivery report', async () => {
    const { store, clock } = test.current;
    clock.set(Date.UTC(2024, 10, 26, 2));
    const simdock = new Hono();
    const simulator = createQuectelSimulator({
      appKey: 'a',
      secret: 's',
      size: 10,
      clock,
      callbackUrl: 'http://simdock.test/callbacks/quectel-1/quectel?token=t0k3n',
      callbackFetch: appFetch(simdock),
    });
    const context = createServiceContext({
      store,
      catalog: createSupplierCatalog(),
      clock,
      fetch: simulator.fetch,
    });
    simdock.route('/callbacks', createCallbackRouter(context, { log: () => {} }));
    await store.accounts.upsert({
      id: 'quectel-1',
      type: quectelDefinition.type,
      settings: { baseUrl: simulator.baseURL, appKey: 'a', callbackToken: 't0k3n' },
      secrets: { secret: 's' },
    });
    const card = simulator.fleet.pattern.card(3);
    await store.cards.importCards('quectel-1', quectelDefinition.type, [{ iccid: card.iccid }]);
    const { message } = await sendSms(context, card.iccid, 'ping', 'bob');
    expect(message).toMatchObject({ status: 'sent' });
    expect(message.supplierMessageId).not.toBeNull();
    simulator.receiveDeviceSms({ iccid: card.iccid, content: 'pong' });
    expect(await simulator.deliverNotices()).toMatchObject({ failed: 0 });
    const thread = await smsThread(context, card.iccid);
    expect(thread.messages.map((entry) => [entry.direction, entry.text, entry.status])).toEqual([
      ['out', 'ping', 'delivered'],
      ['in', 'pong', 'received'],
    ]);
    expect(await new SmsRepository(store).list({ account: 'quectel-1' })).toHaveLength(2);
  });

  it('an ICCID on two accounts: by number it names both, the picked card is sent to', async () => {
    const { store, clock } = test.current;
    clock.set(Date.UTC(2024, 10, 26, 2));
    const simulator = createQuectelSimulator({ appKey: 'a', secret: 's', size: 10, clock });
    const context = createServiceContext({
      store,
      catalog: createSupplierCatalog(),
      clock,
      fetch: simulator.fetch,
    });
    await store.accounts.upsert({
      id: 'quectel-1',
      type: quectelDefinition.type,
      settings: { baseUrl: simulator.baseURL, appKey: 'a' },
      secrets: { secret: 's' },
    });
    await store.accounts.upsert({
      id: 'm2m-1',
      type: m2m10086Definition.type,
      settings: { baseUrl: 'http://m2m.test', partnercode: 'P1', servicecode: 'S1' },
      secrets: { password: 'p' },
    });
    const { iccid } = simulator.fleet.pattern.card(2);
    await store.cards.importCards('m2m-1', m2m10086Definition.type, [{ iccid }]);
    await store.cards.importCards('quectel-1', quectelDefinition.type, [{ iccid }]);
    const both = await store.cards.findByIdentifier(iccid);
    expect(both.map((card) => card.account).sort()).toEqual(['m2m-1', 'quectel-1']);

    const ambiguous = await sendSms(context, iccid, 'ping', 'bob').catch((error) => error);
    expect(ambiguous).toMatchObject({ code: 'conflict' });
    expect(ambiguous.details.matches).toEqual(
      both.map((card) => ({ card: card.id, account: card.account })),
    );
    const picked = both.find((card) => card.account === 'quectel-1')!;
    const { message } = await sendSms(context, picked, 'ping', 'bob');
    expect(message).toMatchObject({ status: 'sent', cardId: picked.id, account: 'quectel-1' });
    expect(await new SmsRepository(store).list({ account: 'm2m-1' })).toEqual([]);
  });
});
