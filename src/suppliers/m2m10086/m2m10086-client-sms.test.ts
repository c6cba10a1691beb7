import { describe, expect, it } from 'vitest';
import type { M2mReceivedSms } from './m2m10086-client.js';
import { m2mTestRig, rejection } from './m2m10086-test-setup.test-support.js';

describe('m2m10086 client against the simulator: SMS', () => {
  it('sends (§2.3) URL-encoded content that arrives intact', async () => {
    const { client, simulator, findCard } = m2mTestRig();
    const card = findCard((candidate) => candidate.cardstatus === '00');
    const text = '{"cmd":"RESET"} 重启 100%';
    const { value } = await client.smsSend({ mobile: card.msisdn, content: text });
    expect(value.sendkey).toMatch(/^[0-9a-z]{16}$/);
    expect(simulator.sentSms(value.sendkey)).toMatchObject({ mobile: card.msisdn, content: text });
    const sentBody = simulator.callLog.entries.at(-1)!.params;
    expect(sentBody.content).toBe(encodeURIComponent(text));
    expect(sentBody.mobiletype).toBe('0');
  });

  it('refuses a duplicate sendkey with conflict (0024), and a caller key is used as given', async () => {
    const { client, simulator } = m2mTestRig();
    const mobile = simulator.fleet.card(4).msisdn;
    const sendkey = 'ABCDEF0123456789';
    expect((await client.smsSend({ mobile, content: 'one', sendkey })).value.sendkey).toBe(sendkey);
    const repeated = await rejection(client.smsSend({ mobile, content: 'one', sendkey }));
    expect(repeated).toMatchObject({ code: 'conflict', supplierCode: '0024', retryable: false });
  });

  it('checks content length, sendkey and destination before calling', async () => {
    const { client, simulator } = m2mTestRig();
    const mobile = simulator.fleet.card(4).msisdn;
    const attempts = [
      { mobile, content: 'x'.repeat(131) },
      { mobile, content: '' },
      { mobile, content: 'ok', sendkey: 'short' },
      { mobile: '13800138000', content: 'ok' },
    ];
    for (const input of attempts) {
      const error = await rejection(Promise.resolve().then(() => client.smsSend(input)));
      expect(error).toMatchObject({ code: 'invalid_argument' });
    }
    expect(simulator.callLog.total).toBe(0);
    // 130 Chinese characters fit: the limit counts characters, not encoded bytes.
    await client.smsSend({ mobile, content: '测'.repeat(130) });
    // An ordinary phone number with mobiletype 1.
    await client.smsSend({ mobile: '13800138000', content: 'hi', mobiletype: '1' });
    expect(simulator.callLog.total).toBe(2);
  });

  it('answers 0021 when the account has no SMS left', async () => {
    const { client, simulator } = m2mTestRig({ smsQuota: 0 });
    const error = await rejection(
      client.smsSend({ mobile: simulator.fleet.card(1).msisdn, content: 'x' }),
    );
    expect(error).toMatchObject({ code: 'supplier_balance_exhausted', supplierCode: '0021' });
  });

  it('sends with a CMPP format (§2.4) to IoT cards only', async () => {
    const { client, simulator } = m2mTestRig();
    const mobile = simulator.fleet.card(5).msisdn;
    const { value } = await client.smsSendFmt({ mobile, content: '00FF', fmt: 4 });
    expect(simulator.callLog.entries.at(-1)!.params).toMatchObject({ fmt: 4, mobile });
    expect(simulator.sentSms(value.sendkey)?.content).toBe('00FF');
    const mobilePhone = await rejection(
      Promise.resolve().then(() =>
        client.smsSendFmt({ mobile: '13800138000', content: 'x', fmt: 0 }),
      ),
    );
    expect(mobilePhone).toMatchObject({ code: 'invalid_argument' });
    const notOurs = await rejection(
      client.smsSendFmt({ mobile: '1064999999999', content: 'x', fmt: 0 }),
    );
    expect(notOurs).toMatchObject({ code: 'invalid_argument', supplierCode: '0025' });
  });

  it('reads the send result (§2.5): waiting, then delivered or failed', async () => {
    const { client, clock, findCard } = m2mTestRig({ deliveryDelayMs: 10_000 });
    const active = findCard((candidate) => candidate.cardstatus === '00');
    const stopped = findCard((candidate) => candidate.cardstatus === '02');
    const good = await client.smsSend({ mobile: active.msisdn, content: 'a' });
    const bad = await client.smsSend({ mobile: stopped.msisdn, content: 'b' });
    expect((await client.smsSendResult(good.value)).state).toBe('pending');
    clock.advance(10_000);
    const delivered = await client.smsSendResult(good.value);
    expect(delivered.state).toBe('delivered');
    expect(delivered.value).toMatchObject({ mobile: active.msisdn, status: '1' });
    expect((await client.smsSendResult(bad.value)).state).toBe('failed');
    const unknown = await rejection(client.smsSendResult({ sendkey: 'zzzzzzzzzzzzzzzz' }));
    expect(unknown).toMatchObject({ code: 'not_found', supplierCode: '0019' });
  });

  it('reads replies (§2.6) once, stores them before returning, and an empty read is empty', async () => {
    const { client, simulator } = m2mTestRig();
    expect((await client.smsReceive({ num: 10 })).value).toEqual([]);
    const mobile = simulator.fleet.card(9).msisdn;
    for (let index = 0; index < 12; index += 1) simulator.receiveSms(mobile, `回复 ${index}`);
    const stored: M2mReceivedSms[] = [];
    const first = await client.smsReceive({
      num: 10,
      persist: async (messages) => {
        stored.push(...messages);
      },
    });
    expect(first.value).toHaveLength(10);
    expect(stored).toEqual(first.value);
    expect(first.value[0]).toMatchObject({
      mobile,
      content: '回复 0',
      retime: '2024-11-26 10:00:00',
    });
    expect(new Set(first.value.map((message) => message.messageId)).size).toBe(10);
    expect((first.body as Record<string, unknown>).Num).toBe('10');
    const second = await client.smsReceive({ num: 50 });
    expect(second.value.map((message) => message.content)).toEqual(['回复 10', '回复 11']);
    expect((await client.smsReceive({ num: 50 })).value).toEqual([]);
    expect(simulator.unreadCount()).toBe(0);
  });

  it('keeps a read whose storing failed in the error, since it cannot be read again', async () => {
    const { client, simulator } = m2mTestRig();
    simulator.receiveSms(simulator.fleet.card(9).msisdn, 'only once');
    const error = await rejection(
      client.smsReceive({
        num: 10,
        persist: async () => {
          throw new Error('disk full');
        },
      }),
    );
    expect(error).toMatchObject({
      code: 'internal',
      details: { messages: [{ content: 'only once' }] },
    });
    expect(simulator.unreadCount()).toBe(0);
  });

  it('refuses num outside 10–50 before reading', async () => {
    const { client, simulator } = m2mTestRig();
    for (const num of [9, 51, 10.5]) {
      const error = await rejection(Promise.resolve().then(() => client.smsReceive({ num })));
      expect(error).toMatchObject({ code: 'invalid_argument' });
    }
    expect(simulator.callLog.total).toBe(0);
  });
});
