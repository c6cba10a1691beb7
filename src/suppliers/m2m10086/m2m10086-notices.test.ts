import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { appFetch } from '../spec/simulator-kit.js';
import examples from './__fixtures__/m2m10086-notice-examples.json' with { type: 'json' };
import {
  createM2mNoticeApp,
  type M2mNotice,
  type M2mRejectedNotice,
  verifyM2mNotice,
} from './m2m10086-notices.js';
import { NOTICE_RESEND_INTERVAL_MS } from './m2m10086-simulator-pusher.js';
import { m2mTestRig, TEST_ACCOUNT } from './m2m10086-test-setup.test-support.js';

const password = examples.password;

/** Signs an example the way §3.1.1 says, with this test's own MD5. */
function signed(notice: { requesttime: string; msgtype: string; count: string }, key = password) {
  const sign = createHash('md5')
    .update(`${key}${notice.requesttime}${notice.msgtype}${notice.count}`.toLowerCase())
    .digest('hex');
  return { ...notice, sign };
}

const post = async (app: ReturnType<typeof createM2mNoticeApp>, body: unknown) =>
  app.request('/', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('m2m10086 notices: parsing and verification', () => {
  it('parses notice_smssend with decoded content and delivery flags', () => {
    const verdict = verifyM2mNotice(signed(examples.notice_smssend), password);
    if (!verdict.ok) throw new Error(verdict.message);
    expect(verdict.notice.msgtype).toBe('notice_smssend');
    expect(verdict.notice.records).toMatchObject([
      { sendkey: 'a1b2c3d4e5f6a7b8', content: '{"cmd":"RESET"}', status: '1', delivered: true },
      { sendkey: 'b1b2c3d4e5f6a7b8', status: '0', delivered: false },
    ]);
  });

  it('parses notice_smsreceive with the same message ids as a read', () => {
    const verdict = verifyM2mNotice(signed(examples.notice_smsreceive), password);
    if (!verdict.ok) throw new Error(verdict.message);
    expect(verdict.notice.records[0]).toMatchObject({ mobile: '1064837284388', content: '浙江' });
    expect(verdict.notice.records[0]!.dedupeKey).toMatch(/^m2m-in-[0-9a-f]{32}$/);
  });

  it('parses notice_flowmonitor (msgtype with the spaces of §3.2.3) in bytes', () => {
    const verdict = verifyM2mNotice(signed(examples.notice_flowmonitor), password);
    if (!verdict.ok) throw new Error(verdict.message);
    expect(verdict.notice.msgtype).toBe('notice_flowmonitor');
    expect(verdict.notice.records[1]).toMatchObject({
      cardcode: '1064837284389',
      taocanflowBytes: 10_240 * 1024,
      useflowBytes: 10_500 * 1024,
      nearflowBytes: 8_192 * 1024,
      isnear: true,
      isover: true,
    });
    // Also when signed over the trimmed type.
    const trimmed = { ...examples.notice_flowmonitor, msgtype: 'notice_flowmonitor' };
    const again = verifyM2mNotice(
      { ...signed(trimmed), msgtype: examples.notice_flowmonitor.msgtype },
      password,
    );
    expect(again.ok).toBe(true);
  });

  it('refuses forged, tampered, miscounted and unknown notices', () => {
    const good = signed(examples.notice_smssend);
    expect(verifyM2mNotice(signed(examples.notice_smssend, 'guessed'), password)).toMatchObject({
      ok: false,
      reason: 'bad_sign',
    });
    expect(verifyM2mNotice({ ...good, count: '1' }, password)).toMatchObject({
      reason: 'bad_sign',
    });
    const shorter = signed({ ...examples.notice_smssend, count: '1' });
    expect(verifyM2mNotice(shorter, password)).toMatchObject({ reason: 'count_mismatch' });
    const unknown = signed({ ...examples.notice_smssend, msgtype: 'notice_other' });
    expect(verifyM2mNotice(unknown, password)).toMatchObject({ reason: 'unknown_type' });
    expect(verifyM2mNotice({ msgtype: 'notice_smssend' }, password)).toMatchObject({
      reason: 'malformed',
    });
    expect(verifyM2mNotice('OK', password)).toMatchObject({ reason: 'malformed' });
  });

  it('gives a resent notice the same dedupe key, even with a new requesttime', () => {
    const first = verifyM2mNotice(signed(examples.notice_smsreceive), password);
    const resent = verifyM2mNotice(
      signed({ ...examples.notice_smsreceive, requesttime: '2024112615230012345999' }),
      password,
    );
    const other = verifyM2mNotice(signed(examples.notice_smssend), password);
    if (!first.ok || !resent.ok || !other.ok) throw new Error('expected valid notices');
    expect(resent.notice.dedupeKey).toBe(first.notice.dedupeKey);
    expect(other.notice.dedupeKey).not.toBe(first.notice.dedupeKey);
  });
});

describe('m2m10086 notices: the receiving app', () => {
  it('answers exactly OK only after the handler stored the notice, once per key', async () => {
    const stored = new Map<string, M2mNotice>();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let settled = false;
    const app = createM2mNoticeApp({
      password,
      onNotice: async (notice) => {
        await gate;
        if (!stored.has(notice.dedupeKey)) stored.set(notice.dedupeKey, notice);
      },
    });
    const pending = post(app, signed(examples.notice_smssend)).then((response) => {
      settled = true;
      return response;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('OK');
    const repeat = await post(app, signed(examples.notice_smssend));
    expect(await repeat.text()).toBe('OK');
    expect(stored.size).toBe(1);
  });

  it('refuses forged and malformed notices, reports them and stores nothing', async () => {
    const rejected: M2mRejectedNotice[] = [];
    const stored: M2mNotice[] = [];
    const app = createM2mNoticeApp({
      password,
      onNotice: async (notice) => {
        stored.push(notice);
      },
      onRejected: (notice) => {
        rejected.push(notice);
      },
    });
    const forged = await post(app, signed(examples.notice_smsreceive, 'not-the-password'));
    expect(forged.status).toBe(400);
    expect(await forged.text()).not.toBe('OK');
    const broken = await post(app, '{"requesttime":');
    expect(broken.status).toBe(400);
    expect(stored).toEqual([]);
    expect(rejected.map((entry) => entry.reason)).toEqual(['bad_sign', 'malformed']);
    expect(rejected[1]!.body).toBe('{"requesttime":');
  });

  it('answers an error (so the platform resends) when the handler fails', async () => {
    const app = createM2mNoticeApp({
      password,
      onNotice: async () => {
        throw new Error('database is down');
      },
    });
    const response = await post(app, signed(examples.notice_smssend));
    expect(response.status).toBe(500);
    expect(await response.text()).not.toBe('OK');
  });
});

describe('m2m10086 notices: pushed by the simulator', () => {
  // The notice app answers at its root; simdock mounts it where the configured URL points.
  const noticeUrl = 'http://simdock.test/';

  function pushedRig(onNotice: (notice: M2mNotice) => Promise<void>) {
    const app = createM2mNoticeApp({ password: TEST_ACCOUNT.password, onNotice });
    return m2mTestRig({ noticeUrl, fetch: appFetch(app), deliveryDelayMs: 10_000 });
  }

  it('pushes the send result once the SMS settles, and a reply at once', async () => {
    const received: M2mNotice[] = [];
    const { client, clock, simulator, findCard } = pushedRig(async (notice) => {
      received.push(notice);
    });
    const card = findCard((candidate) => candidate.cardstatus === '00');
    const { value } = await client.smsSend({ mobile: card.msisdn, content: 'ping' });
    await simulator.notices.whenIdle();
    expect(received).toEqual([]);
    clock.advance(10_000);
    await simulator.notices.whenIdle();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      msgtype: 'notice_smssend',
      records: [{ sendkey: value.sendkey, content: 'ping', delivered: true }],
    });
    simulator.receiveSms(card.msisdn, 'pong');
    await simulator.notices.whenIdle();
    expect(received[1]).toMatchObject({
      msgtype: 'notice_smsreceive',
      records: [{ content: 'pong' }],
    });
    // The pushed reply and the read reply are the same message.
    const read = await client.smsReceive({ num: 10 });
    expect(read.value[0]!.messageId).toBe(
      (received[1]!.records[0] as { dedupeKey: string }).dedupeKey,
    );
    expect(simulator.notices.attempts.every((attempt) => attempt.acknowledged)).toBe(true);
  });

  it('resends every 5 minutes until OK', async () => {
    let failures = 2;
    const stored = new Set<string>();
    const { clock, simulator } = pushedRig(async (notice) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('busy');
      }
      stored.add(notice.dedupeKey);
    });
    simulator.receiveSms(simulator.fleet.card(2).msisdn, 'hello');
    await simulator.notices.whenIdle();
    for (let step = 0; step < 3; step += 1) {
      clock.advance(NOTICE_RESEND_INTERVAL_MS);
      await simulator.notices.whenIdle();
    }
    const attempts = simulator.notices.attempts;
    expect(attempts.map((attempt) => [attempt.resend, attempt.acknowledged])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
    expect(attempts[2]!.at - attempts[0]!.at).toBe(2 * NOTICE_RESEND_INTERVAL_MS);
    expect(stored.size).toBe(1);
  });

  it('gives up after 6 resends', async () => {
    const { clock, simulator } = pushedRig(async () => {
      throw new Error('never');
    });
    simulator.receiveSms(simulator.fleet.card(2).msisdn, 'hello');
    await simulator.notices.whenIdle();
    for (let step = 0; step < 10; step += 1) {
      clock.advance(NOTICE_RESEND_INTERVAL_MS);
      await simulator.notices.whenIdle();
    }
    expect(simulator.notices.attempts).toHaveLength(7);
    expect(simulator.notices.attempts.at(-1)!.resend).toBe(6);
  });

  it('pushes the daily flow warnings of cards past 80 % of their package', async () => {
    const received: M2mNotice[] = [];
    const { simulator } = pushedRig(async (notice) => {
      received.push(notice);
    });
    const count = simulator.pushFlowMonitor();
    await simulator.notices.whenIdle();
    expect(count).toBeGreaterThan(0);
    const records = received.flatMap((notice) =>
      notice.msgtype === 'notice_flowmonitor' ? notice.records : [],
    );
    expect(records).toHaveLength(count);
    for (const record of records) {
      expect(record.isnear).toBe(true);
      expect(record.useflowBytes!).toBeGreaterThanOrEqual(record.nearflowBytes!);
    }
  });
});
