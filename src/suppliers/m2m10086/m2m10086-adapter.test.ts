import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { CallCounter, type SupplierRuntime } from '../spec/index.js';
import { appFetch } from '../spec/simulator-kit.js';
import { M2mAdapter } from './m2m10086-adapter.js';
import { createM2m10086, m2m10086Definition } from './m2m10086-definition.js';
import { createM2mSimulator, type M2mSimulatorOptions } from './m2m10086-simulator.js';
import { TEST_ACCOUNT, TEST_BASE_URL } from './m2m10086-test-setup.test-support.js';

function adapterRig(
  simulatorOptions: Partial<M2mSimulatorOptions> = {},
  runtime: Partial<SupplierRuntime> = {},
) {
  const clock = (runtime.clock as ManualClock | undefined) ?? new ManualClock();
  const simulator = createM2mSimulator({
    ...TEST_ACCOUNT,
    size: 2_000,
    clock,
    ...simulatorOptions,
  });
  const settings = { ...TEST_ACCOUNT, baseUrl: TEST_BASE_URL };
  const adapter = createM2m10086('m2m-main', settings, {
    fetch: appFetch(simulator.app),
    clock,
    ...runtime,
  });
  const findCard = (test: (card: NonNullable<ReturnType<typeof simulator.card>>) => boolean) => {
    for (let index = 0; index < simulator.fleet.size; index += 1) {
      const card = simulator.card(simulator.fleet.card(index).msisdn)!;
      if (test(card)) return card;
    }
    throw new Error('no such card');
  };
  return { clock, simulator, adapter, settings, findCard };
}

describe('m2m10086 adapter', () => {
  it('reads the card status with the device and GPRS state, raw values kept', async () => {
    const { adapter, findCard } = adapterRig();
    const online = findCard((card) => card.online);
    const stopped = findCard((card) => card.cardstatus === '02');
    const result = await adapter.doGetStatus({
      cards: [
        { key: 'online', iccid: online.iccid },
        { key: 'stopped', msisdn: stopped.msisdn },
      ],
    });
    expect(result.items).toMatchObject([
      {
        key: 'online',
        ok: true,
        value: {
          status: 'active',
          raw: '00',
          device: {
            powered: true,
            online: true,
            rat: '4',
            raw: { macstatus: '1', gprsstatus: '01' },
          },
        },
      },
      {
        key: 'stopped',
        ok: true,
        value: { status: 'suspended', raw: '02', device: { powered: false } },
      },
    ]);
    expect(result.response.bodies).toHaveLength(2);
  });

  it('reads monthly usage in bytes (KB × 1024), one call per card, last 12 months only', async () => {
    const { adapter, simulator, findCard } = adapterRig();
    const card = findCard((candidate) => candidate.cardstatus === '00');
    const result = await adapter.doGetMonthlyUsage({
      month: '2024-11',
      cards: [{ key: 'a', msisdn: card.msisdn }],
    });
    const flowKb = Number((result.response.bodies[0] as { result: { flow: string } }).result.flow);
    expect(result.items[0]).toMatchObject({ ok: true, value: { bytes: flowKb * 1024 } });
    expect(simulator.callLog.entries.at(-1)!.params.month).toBe('202411');
    const calls = simulator.callLog.total;
    const old = await adapter.doGetMonthlyUsage({
      month: '2023-11',
      cards: [{ key: 'a', msisdn: card.msisdn }],
    });
    expect(old.items[0]).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(simulator.callLog.total).toBe(calls);
  });

  it('makes exactly one call per card for 10,000 cards, at the configured rate', async () => {
    const clock = new ManualClock(Date.UTC(2024, 10, 26, 2), { autoAdvance: true });
    const callCounter = new CallCounter();
    const { adapter, simulator } = adapterRig(
      { size: 10_000 },
      { clock, rateLimit: 200, callCounter },
    );
    simulator.callLog.keep = false;
    const cards = Array.from({ length: 10_000 }, (_, index) => ({
      key: `c${index}`,
      msisdn: simulator.fleet.card(index).msisdn,
    }));
    const started = clock.now();
    const result = await adapter.doGetMonthlyUsage({ month: '2024-10', cards });
    expect(result.items.every((item) => item.ok)).toBe(true);
    expect(callCounter.total).toBe(10_000);
    expect(simulator.callLog.total).toBe(10_000);
    // 10,000 calls at 200/s after a one-second burst: 49 s of (simulated) time, within 5 %.
    const seconds = (clock.now() - started) / 1000;
    expect(Math.abs(seconds - 49.995) / 49.995).toBeLessThan(0.05);
  });

  it('sends SMS, refusing overlong text before any call and resolving the card number', async () => {
    const { adapter, simulator, findCard } = adapterRig();
    const card = findCard((candidate) => candidate.cardstatus === '00');
    const tooLong = await adapter.doSendSms({
      text: 'x'.repeat(131),
      cards: [{ key: 'a', msisdn: card.msisdn }],
    });
    expect(tooLong.items[0]).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(simulator.callLog.total).toBe(0);
    const result = await adapter.doSendSms({
      text: 'RESET',
      cards: [
        { key: 'by-iccid', iccid: card.iccid },
        { key: 'unknown', msisdn: '1064999999999' },
      ],
    });
    expect(simulator.callLog.count('/M2MSearchInfo.ashx')).toBe(1);
    const sent = result.items[0]!;
    if (!sent.ok) throw sent.error;
    expect(simulator.sentSms(sent.value.messageId!)).toMatchObject({
      mobile: card.msisdn,
      content: 'RESET',
    });
    expect(result.items[1]).toMatchObject({ ok: false, error: { code: 'supplier_card_unknown' } });
    expect(await adapter.getSmsSendResult(sent.value.messageId!)).toMatchObject({
      state: 'pending',
    });
  });

  it('sends with a caller sendkey and a CMPP format; a repeated key is a conflict', async () => {
    const { adapter, simulator } = adapterRig();
    const mobile = simulator.fleet.card(3).msisdn;
    const sendkey = '0123456789abcdef';
    expect(await adapter.sendSms({ mobile, text: '4F60', fmt: 8, sendkey })).toEqual({ sendkey });
    await expect(adapter.sendSms({ mobile, text: '4F60', fmt: 8, sendkey })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(
      adapter.sendSms({ mobile: '13800138000', text: 'x', fmt: 0 }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('reads inbound SMS once, persisting before returning, with CST times', async () => {
    const { adapter, simulator } = adapterRig();
    const mobile = simulator.fleet.card(6).msisdn;
    simulator.receiveSms(mobile, 'first', Date.UTC(2024, 10, 26, 1, 59, 0));
    simulator.receiveSms(mobile, 'second');
    let persisted = 0;
    const result = await adapter.doReadInboundSms({
      limit: 1,
      persist: async (messages) => {
        persisted += messages.length;
      },
    });
    expect(persisted).toBe(2);
    expect(result.messages).toMatchObject([
      { msisdn: mobile, iccid: null, text: 'first', receivedAt: Date.UTC(2024, 10, 26, 1, 59, 0) },
      { text: 'second' },
    ]);
    expect(result.warnings).toHaveLength(1);
    expect(simulator.callLog.entries.at(-1)!.params.num).toBe('10');
    expect((await adapter.doReadInboundSms({})).messages).toEqual([]);
    simulator.receiveSms(simulator.fleet.card(7).msisdn, 'other card');
    const filtered = await adapter.doReadInboundSms({ cards: [{ key: 'x', msisdn: mobile }] });
    expect(filtered.messages.map((message) => message.text)).toEqual(['other card']);
    expect(filtered.warnings[0]).toMatchObject({ type: 'unsupported-option' });
  });

  it('locates cards, a failed fix being that card’s error', async () => {
    const { adapter, findCard } = adapterRig();
    const on = findCard((card) => card.deviceOn);
    const off = findCard((card) => card.cardstatus === '00' && !card.deviceOn);
    const result = await adapter.doGetLocation({
      cards: [
        { key: 'on', msisdn: on.msisdn },
        { key: 'off', msisdn: off.msisdn },
      ],
    });
    const located = result.items[0]!;
    if (!located.ok) throw located.error;
    expect(located.value.latitude).toBeGreaterThan(29);
    expect(located.value.longitude).toBeGreaterThan(119);
    expect(located.value.at).toBe(Date.UTC(2024, 10, 26, 2));
    expect(result.items[1]).toMatchObject({ ok: false, error: { supplierCode: '0031' } });
  });

  it('diagnoses a device: starts, polls on the clock, returns the settled result', async () => {
    const clock = new ManualClock(Date.UTC(2024, 10, 26, 2), { autoAdvance: true });
    const { adapter, simulator, findCard } = adapterRig({ diagnosisDelayMs: 60_000 }, { clock });
    const card = findCard((candidate) => candidate.deviceOn);
    expect(await adapter.getDiagnosisResult({ key: 'a', msisdn: card.msisdn })).toBeNull();
    const result = await adapter.diagnose(
      { key: 'a', msisdn: card.msisdn },
      { pollIntervalMs: 15_000 },
    );
    expect(result).toMatchObject({ powered: true, at: Date.UTC(2024, 10, 26, 2, 1) });
    expect(simulator.callLog.count('/M2MMacState.ashx')).toBe(1);
    expect(simulator.callLog.count('/M2MMacStateResult.ashx')).toBe(5);
  });

  it('reads the surplus flow and looks cells up', async () => {
    const { adapter, findCard } = adapterRig();
    const card = findCard((candidate) => candidate.cardstatus === '00');
    const surplus = await adapter.getSurplusFlow({ key: 'a', iccid: card.iccid });
    expect(surplus.bytes! % 1024).toBe(0);
    expect(surplus.bytes!).toBeLessThanOrEqual(card.mealsKb * 1024);
    const cell = await adapter.lookupCell({ mcc: '460', mnc: '0', lac: '4301', cellid: '20483' });
    expect(cell.radiusMeters).toBeGreaterThan(0);
    expect(cell.description).toContain('4301-20483');
  });
});

describe('m2m10086 definition', () => {
  it('validates settings and describes its credential fields as data', () => {
    const settings = m2m10086Definition.parseSettings({
      ...TEST_ACCOUNT,
      paths: { smsReceive: '/M2MSmsReceive.ashx' },
    });
    expect(settings.paths).toEqual({ smsReceive: '/M2MSmsReceive.ashx' });
    const adapter = m2m10086Definition.create('a', settings, {});
    expect(adapter).toBeInstanceOf(M2mAdapter);
    expect((adapter as M2mAdapter).client.paths.smsSendResult).toBe('/M2MHistorySend.ashx');
    expect(m2m10086Definition.type).toBe('m2m10086');
    expect(m2m10086Definition.credentialFields.find((field) => field.kind === 'secret')?.name).toBe(
      'password',
    );
    for (const raw of [
      { ...TEST_ACCOUNT, partnercode: 'P'.repeat(11) },
      { ...TEST_ACCOUNT, password: '' },
      { ...TEST_ACCOUNT, paths: { nope: '/x.ashx' } },
      { ...TEST_ACCOUNT, baseUrl: 'not a url' },
    ]) {
      expect(() => m2m10086Definition.parseSettings(raw)).toThrow(/m2m10086 settings/);
    }
  });

  it('declares batch size 1 for every per-card capability', () => {
    const adapter = m2m10086Definition.create('a', TEST_ACCOUNT, {});
    for (const capability of [
      'identities',
      'status',
      'usage.monthly',
      'sms.send',
      'location',
    ] as const) {
      expect(adapter.limits.batchSize[capability]).toBe(1);
    }
    expect([...adapter.capabilities].sort()).toEqual(
      ['identities', 'location', 'sms.inbound', 'sms.send', 'status', 'usage.monthly'].sort(),
    );
  });
});
