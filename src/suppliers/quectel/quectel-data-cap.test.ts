import { describe, expect, it } from 'vitest';
import { BYTES_PER_MB, ManualClock } from '../../domain/index.js';
import type { SupplierError } from '../spec/index.js';
import { createQuectelAdapter } from './quectel-adapter.js';
import { createQuectel } from './quectel-client.js';
import { quectelSign } from './quectel-protocol.js';
import { createQuectelSimulator } from './quectel-simulator.js';
import { toMb } from './quectel-simulator-fleet.js';

/**
 * The carrier-side data cap on Quectel: the stop threshold of 流量管理设置
 * (quectel-connectivity-api-v3.15.md §2.3.7, read by §2.1.13, switched by §2.3.8).
 */
function setup() {
  const clock = new ManualClock(Date.UTC(2024, 10, 26, 2, 0, 0));
  const simulator = createQuectelSimulator({ appKey: 'app-1', secret: 's3cret', size: 20, clock });
  const runtime = { fetch: simulator.fetch, clock };
  const settings = { baseUrl: simulator.baseURL, appKey: 'app-1', secret: 's3cret' };
  const adapter = createQuectelAdapter('quectel-main', settings, runtime);
  const client = createQuectel({
    appKey: 'app-1',
    secret: 's3cret',
    clock,
    fetch: simulator.fetch,
    baseURL: simulator.baseURL,
  });
  const card = (index: number) => simulator.fleet.pattern.card(index);
  const ref = (index: number) => ({ key: `c${index}`, iccid: card(index).iccid });
  const calls = (method: string) => simulator.callLog.count(method);
  /** The `alarmParam` of the last §2.3.7 call, as the simulator received it. */
  const lastAlarmParam = () => {
    const entry = simulator.callLog.entries
      .filter((call) => call.path === 'fc.function.card.alarm')
      .at(-1);
    return entry ? JSON.parse(entry.params.alarmParam ?? 'null') : null;
  };
  return { clock, simulator, adapter, client, card, ref, calls, lastAlarmParam };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error as SupplierError,
  );

const MB = BYTES_PER_MB;

describe('quectel carrier-side data cap (pauseflowthreshold)', () => {
  it('round trip: set, change, read back, cancel; the warning settings are kept', async () => {
    const { adapter, client, card, ref, calls, lastAlarmParam } = setup();
    // Card 4: active (正常), monthly plan. The customer already has warnings set up.
    await client.cardAlarm({
      iccids: [card(4).iccid],
      alarmParam: { notifyemails: 'ops@example.com', alarmthreshold1: '800', alarmstatus: 1 },
    });

    const before = await adapter.doGetDataCap({ cards: [ref(4)] });
    expect(before.items[0]).toMatchObject({
      ok: true,
      value: {
        capBytes: null,
        reached: false,
        details: { effect: 'card-stop', pausestatus: 0, status: '正常' },
      },
    });
    const note = before.items[0]!.ok ? before.items[0]!.value.details?.effectNote : null;
    expect(note).toContain('whole card');
    expect(note).toContain('quectel-connectivity-api-v3.15.md');

    const set = await adapter.doSetDataCap({ cards: [ref(4)], capBytes: 5_120 * MB });
    expect(set.items).toEqual([{ key: 'c4', ok: true, value: {} }]);
    expect(set.warnings.map((warning) => warning.message).join(' ')).toContain('whole card');
    // Read first (the write replaces the record), then write with the warnings sent back.
    expect(calls('fc.function.card.alarm.get')).toBe(2);
    expect(calls('fc.function.card.alarm')).toBe(2);
    expect(lastAlarmParam()).toEqual({
      notifyemails: 'ops@example.com',
      alarmthreshold1: '800',
      alarmstatus: 1,
      pauseflowthreshold: 5_120,
      pausestatus: 1,
    });
    const read = await adapter.doGetDataCap({ cards: [ref(4)] });
    expect(read.items[0]).toMatchObject({
      ok: true,
      value: {
        capBytes: 5_120 * MB,
        reached: false,
        details: { pauseflowthreshold: '5120', pausestatus: 1, alarmthreshold1: '800' },
      },
    });

    // Change: 6 GB and one byte goes as whole MB, rounded up, with a warning.
    const change = await adapter.doSetDataCap({ cards: [ref(4)], capBytes: 6_144 * MB + 1 });
    expect(change.items[0]).toMatchObject({ ok: true });
    expect(change.warnings).toContainEqual(
      expect.objectContaining({ type: 'document-quirk', message: expect.stringContaining('6145') }),
    );
    const changed = await adapter.doGetDataCap({ cards: [ref(4)] });
    expect(changed.items[0]).toMatchObject({ ok: true, value: { capBytes: 6_145 * MB } });
    const stored = await client.cardAlarmGet({ iccid: card(4).iccid });
    expect(stored.alarmInfo).toMatchObject({
      notifyemails: 'ops@example.com',
      alarmthreshold1: '800',
      alarmstatus: 1,
    });

    // Cancel: §2.3.8 switches the stop off; the value and the warnings stay.
    const cancel = await adapter.doSetDataCap({ cards: [ref(4)], capBytes: null });
    expect(cancel.items).toEqual([{ key: 'c4', ok: true, value: {} }]);
    expect(calls('fc.function.card.alarm.status')).toBe(1);
    const cancelled = await adapter.doGetDataCap({ cards: [ref(4)] });
    expect(cancelled.items[0]).toMatchObject({
      ok: true,
      value: { capBytes: null, reached: false, details: { pausestatus: 0 } },
    });
    expect((await client.cardAlarmGet({ iccid: card(4).iccid })).alarmInfo).toMatchObject({
      pauseflowthreshold: '6145',
      alarmstatus: 1,
    });
    // A second cancel finds the stop off and makes no change call.
    await adapter.doSetDataCap({ cards: [ref(4)], capBytes: null });
    expect(calls('fc.function.card.alarm.status')).toBe(1);
    // Cancelling on a card that never had settings is no error either.
    const none = await adapter.doSetDataCap({ cards: [ref(5)], capBytes: null });
    expect(none.items[0]).toMatchObject({ ok: true });
  });

  it('by MSISDN too, one card failing alone', async () => {
    const { adapter, card } = setup();
    const result = await adapter.doSetDataCap({
      cards: [
        { key: 'by-msisdn', msisdn: card(6).msisdn },
        { key: 'unknown', iccid: '89860400000000099999' },
        { key: 'bad', iccid: '8986' },
      ],
      capBytes: 100 * MB,
    });
    const byKey = Object.fromEntries(result.items.map((item) => [item.key, item]));
    expect(byKey['by-msisdn']).toMatchObject({ ok: true });
    expect(byKey.unknown).toMatchObject({ ok: false, error: { code: 'supplier_card_unknown' } });
    expect(byKey.bad).toMatchObject({ ok: false, error: { code: 'invalid_identifier' } });
    const read = await adapter.doGetDataCap({
      cards: [{ key: 'by-msisdn', msisdn: card(6).msisdn }],
    });
    expect(read.items[0]).toMatchObject({ ok: true, value: { capBytes: 100 * MB } });
  });

  it('the simulator stops the whole card once its flow reaches the threshold', async () => {
    const { adapter, clock, simulator, ref, client, card } = setup();
    const usedMb = toMb(simulator.fleet.cycleKb(4, '2024-11'));
    const thresholdMb = Math.floor(usedMb) + 1;
    await adapter.doSetDataCap({ cards: [ref(4)], capBytes: thresholdMb * MB });
    const under = await adapter.doGetDataCap({ cards: [ref(4)] });
    expect(under.items[0]).toMatchObject({ ok: true, value: { reached: false } });
    expect((await adapter.doGetStatus({ cards: [ref(4)] })).items[0]).toMatchObject({
      ok: true,
      value: { status: 'active', raw: '正常' },
    });

    // Two days later the month's flow has passed the threshold.
    clock.set(Date.UTC(2024, 10, 28, 2, 0, 0));
    expect(toMb(simulator.fleet.cycleKb(4, '2024-11'))).toBeGreaterThanOrEqual(thresholdMb);
    const over = await adapter.doGetDataCap({ cards: [ref(4)] });
    expect(over.items[0]).toMatchObject({
      ok: true,
      value: {
        capBytes: thresholdMb * MB,
        reached: true,
        details: { effect: 'card-stop', status: '停机', pausereason: '超出阈值停机' },
      },
    });
    // The whole card is stopped (停机), not only its data: the status says so.
    expect((await adapter.doGetStatus({ cards: [ref(4)] })).items[0]).toMatchObject({
      ok: true,
      value: { status: 'suspended', raw: '停机' },
    });
    // Not a stop the customer made: it cannot be resumed by §2.4.4, nor by cancelling the cap.
    const resume = await failure(client.cardResume({ iccid: card(4).iccid }));
    expect(resume?.supplierMessage).toContain('超出阈值停机');
    await adapter.doSetDataCap({ cards: [ref(4)], capBytes: null });
    expect((await client.cardInfo({ iccid: card(4).iccid })).card.status).toBe('停机');
  });

  it('a cap set below what the card has used stops it at once', async () => {
    const { adapter, ref } = setup();
    await adapter.doSetDataCap({ cards: [ref(7)], capBytes: MB });
    const read = await adapter.doGetDataCap({ cards: [ref(7)] });
    expect(read.items[0]).toMatchObject({
      ok: true,
      value: { capBytes: MB, reached: true, details: { pausereason: '超出阈值停机' } },
    });
    // A card that was never active (待激活, index 1) has used nothing and is not stopped.
    await adapter.doSetDataCap({ cards: [ref(1)], capBytes: MB });
    const idle = await adapter.doGetDataCap({ cards: [ref(1)] });
    expect(idle.items[0]).toMatchObject({ ok: true, value: { capBytes: MB, reached: false } });
  });

  it('refuses a cap that is not a positive whole number of bytes, before any call', async () => {
    const { adapter, ref, simulator } = setup();
    for (const capBytes of [0, -MB, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = await failure(adapter.doSetDataCap({ cards: [ref(4)], capBytes }));
      expect(error).toMatchObject({ code: 'invalid_argument' });
    }
    expect(simulator.callLog.total).toBe(0);
  });
});

describe('quectel simulator: 流量管理设置 validated as documented', () => {
  it('refuses bad alarmParam values, switches and unsigned changes to signed fields', async () => {
    const { client, card, simulator, clock } = setup();
    const iccids = [card(4).iccid];
    const refused = async (alarmParam: unknown) =>
      (await failure(client.cardAlarm({ iccids, alarmParam: alarmParam as Record<string, never> })))
        ?.supplierMessage;
    expect(await refused({ pausestatus: 2, pauseflowthreshold: 10 })).toContain('pausestatus');
    expect(await refused({ pausestatus: 1, pauseflowthreshold: 'lots' })).toContain(
      'pauseflowthreshold',
    );
    expect(await refused({ pausestatus: 1, pauseflowthreshold: -5 })).toContain(
      'pauseflowthreshold',
    );
    expect(await refused({ pausestatus: 1 })).toContain('pauseflowthreshold');
    expect(await refused({ alarmstatus: 'yes' })).toContain('alarmstatus');
    expect(await refused('not an object')).toContain('json');
    expect(await refused([1, 2])).toContain('json');
    // Nothing was stored by the refused calls.
    expect((await client.cardAlarmGet({ iccid: card(4).iccid })).alarmInfo.alarmid).toBeNull();

    await client.cardAlarm({ iccids, alarmParam: { alarmstatus: 1 } });
    expect(
      (
        await failure(
          client.cardAlarmStatus({ iccid: card(4).iccid, pauseStatus: 2 as unknown as 0 }),
        )
      )?.supplierMessage,
    ).toContain('pauseStatus');
    expect(
      (await failure(client.cardAlarmStatus({ iccid: card(4).iccid, pauseStatus: 1 })))
        ?.supplierMessage,
    ).toContain('pauseflowthreshold');

    // Raw requests: alarmParam is required and unsigned (§2.3.7 "不进行验签"); iccid is signed.
    const post = async (form: Record<string, string>) => {
      const response = await simulator.fetch(simulator.baseURL, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      return (await response.json()) as { resultCode: number; errorMessage: string | null };
    };
    const base = {
      appKey: 'app-1',
      method: 'fc.function.card.alarm',
      t: String(Math.floor(clock.now() / 1000)),
      iccid: card(4).iccid,
    };
    const sign = quectelSign(base, 's3cret');
    expect(await post({ ...base, sign })).toMatchObject({
      resultCode: 1,
      errorMessage: expect.stringContaining('alarmParam'),
    });
    const param = JSON.stringify({ pauseflowthreshold: 20480, pausestatus: 1 });
    expect(await post({ ...base, sign, alarmParam: param })).toMatchObject({ resultCode: 0 });
    expect(await post({ ...base, iccid: card(5).iccid, sign, alarmParam: param })).toMatchObject({
      resultCode: 1,
      errorMessage: '签名错误',
    });
    expect((await client.cardAlarmGet({ iccid: card(5).iccid })).alarmInfo.alarmid).toBeNull();
  });
});
