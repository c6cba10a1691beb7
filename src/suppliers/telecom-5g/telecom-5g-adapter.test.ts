import { describe, expect, it } from 'vitest';
import { BYTES_PER_MB, ManualClock } from '../../domain/index.js';
import type { SupplierError } from '../spec/index.js';
import { appFetch } from '../spec/simulator-kit.js';
import { createTelecom5g } from './telecom-5g-adapter.js';
import { createTelecom5gSimulator } from './telecom-5g-simulator.js';

const CREDENTIALS = { appKey: 'ak-test', secretKey: 'sk-test-0001', custNumber: '6100000000009' };

function setup(
  options: {
    size?: number;
    secretKey?: string;
    batchSize?: number;
    clockSkewMs?: number;
    /** Changes each answer's JSON before the adapter reads it. */
    rewrite?: (body: Record<string, unknown>) => unknown;
  } = {},
) {
  const clock = new ManualClock(Date.UTC(2024, 10, 26, 2, 0, 0), { autoAdvance: true });
  const simulator = createTelecom5gSimulator({ ...CREDENTIALS, size: options.size ?? 250, clock });
  const adapterClock = options.clockSkewMs
    ? { now: () => clock.now() + options.clockSkewMs!, sleep: clock.sleep.bind(clock) }
    : clock;
  const adapter = createTelecom5g({
    accountId: '5g-test',
    baseUrl: 'https://cmp.test:20164',
    ...CREDENTIALS,
    ...(options.secretKey ? { secretKey: options.secretKey } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    fetch: options.rewrite
      ? async (input, init) => {
          const answer = await appFetch(simulator.app)(input, init);
          const body = options.rewrite!((await answer.json()) as Record<string, unknown>);
          return new Response(JSON.stringify(body), { status: answer.status });
        }
      : appFetch(simulator.app),
    clock: adapterClock,
  });
  const ref = (index: number) => ({ key: `c${index}`, msisdn: simulator.fleet.card(index).msisdn });
  const indexWith = (status: string) =>
    Array.from({ length: simulator.fleet.size }, (_, index) => index).find(
      (index) => simulator.status(index) === status,
    )!;
  return { simulator, adapter, clock, ref, indexWith };
}

describe('telecom-5g adapter against its simulator', () => {
  it('reads 250 cards’ identities in three calls of at most 100', async () => {
    const { adapter, simulator } = setup();
    const cards = Array.from({ length: 250 }, (_, index) => ({
      key: `k${index}`,
      iccid: simulator.fleet.card(index).iccid,
    }));
    const result = await adapter.doGetIdentities!({ cards });
    expect(simulator.calls.total).toBe(3);
    expect(result.items).toHaveLength(250);
    const first = result.items[0]!;
    if (!first.ok) throw first.error;
    expect(first.value).toMatchObject({
      iccid: simulator.fleet.card(0).iccid,
      msisdn: simulator.fleet.card(0).msisdn,
      imsi: simulator.fleet.card(0).imsi,
      imei: simulator.fleet.card(0).imei,
      status: { status: 'active', raw: '4' },
    });
  });

  it('keeps to a smaller configured batch size', async () => {
    const { adapter, simulator, ref } = setup({ batchSize: 20 });
    expect(adapter.limits.batchSize.status).toBe(20);
    await adapter.doGetStatus!({ cards: Array.from({ length: 45 }, (_, index) => ref(index)) });
    expect(simulator.calls.total).toBe(3);
  });

  it('the simulator refuses unsigned calls and batches over 100', async () => {
    const { simulator } = setup();
    const { telecom5gSign, telecom5gTimestamp } = await import('./telecom-5g-protocol.js');
    const url = 'https://cmp.test/api/v1/prod/batchQrySimStatus';
    const body = JSON.stringify({
      custNumber: CREDENTIALS.custNumber,
      accessNumber: Array.from({ length: 101 }, (_, index) => simulator.fleet.card(index).msisdn),
    });
    const unsigned = await simulator.app.request(url, { method: 'POST', body });
    expect(await unsigned.json()).toMatchObject({ code: 1001 });
    const timestamp = telecom5gTimestamp(Date.UTC(2024, 10, 26, 2, 0, 0));
    const signed = await simulator.app.request(url, {
      method: 'POST',
      body,
      headers: {
        AppKey: CREDENTIALS.appKey,
        Timestamp: timestamp,
        Sign: telecom5gSign({ query: {}, body, secretKey: CREDENTIALS.secretKey, timestamp }),
      },
    });
    expect(await signed.json()).toMatchObject({ code: 1005, msg: '一次最多 100 张' });
  });

  it('reads daily and monthly usage, MB turned into bytes', async () => {
    const { adapter, ref } = setup();
    const daily = await adapter.doGetDailyUsage!({ date: '2024-11-20', cards: [ref(1), ref(2)] });
    const monthly = await adapter.doGetMonthlyUsage!({ month: '2024-10', cards: [ref(1)] });
    for (const item of [...daily.items, ...monthly.items]) {
      if (!item.ok) throw item.error;
      expect(Number.isInteger(item.value.bytes)).toBe(true);
    }
    const day = daily.items[0]!;
    const month = monthly.items[0]!;
    if (day.ok && month.ok) expect(month.value.bytes!).toBeGreaterThanOrEqual(day.value.bytes!);
    await expect(adapter.doGetDailyUsage!({ date: '2024-01-01', cards: [ref(1)] })).rejects.toThrow(
      /超出可查询范围/,
    );
  });

  it('pauses and resumes through disabledNumberService, acctCd sent empty', async () => {
    const { adapter, simulator, ref } = setup();
    const paused = await adapter.doChangeStatus!({ action: 'pause', cards: [ref(0)] });
    expect(paused.items[0]).toMatchObject({ ok: true, value: { status: 'suspended' } });
    expect(simulator.status(0)).toBe('5');
    const resumed = await adapter.doChangeStatus!({ action: 'resume', cards: [ref(0)] });
    expect(resumed.items[0]).toMatchObject({ ok: true, value: { status: 'active' } });
    const again = await adapter.doChangeStatus!({ action: 'resume', cards: [ref(0)] });
    const refused = again.items[0]!;
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('conflict');
  });

  it('resumes a 待激活 card by forced activation after the 100008 answer', async () => {
    const { adapter, simulator, ref, indexWith } = setup();
    const waiting = indexWith('1');
    const result = await adapter.doChangeStatus!({ action: 'resume', cards: [ref(waiting)] });
    expect(result.items[0]).toMatchObject({ ok: true, value: { status: 'active' } });
    expect(simulator.status(waiting)).toBe('4');
    expect(result.warnings[0]?.message).toMatch(/requestServActive/);
    expect(simulator.calls.entries.map((entry) => entry.path)).toEqual([
      '/5gcmp/openapi/v1/common/disabledNumberService',
      '/5gcmp/openapi/v1/common/requestServActive',
    ]);
  });

  it('the simulator refuses disabledNumberService without acctCd', async () => {
    const { simulator } = setup();
    const { telecom5gSign, telecom5gTimestamp } = await import('./telecom-5g-protocol.js');
    const body = JSON.stringify({
      access_number: simulator.fleet.card(0).msisdn,
      orderTypeId: '19',
    });
    const timestamp = telecom5gTimestamp(Date.UTC(2024, 10, 26, 2, 0, 0));
    const response = await simulator.app.request(
      'https://cmp.test/5gcmp/openapi/v1/common/disabledNumberService',
      {
        method: 'POST',
        body,
        headers: {
          AppKey: CREDENTIALS.appKey,
          Timestamp: timestamp,
          Sign: telecom5gSign({ query: {}, body, secretKey: CREDENTIALS.secretKey, timestamp }),
        },
      },
    );
    expect(await response.text()).toContain('acctCd');
    expect(simulator.status(0)).toBe('4');
  });

  it('sets, reads back, changes and cancels a carrier-side cap (offNetAction)', async () => {
    const { adapter, simulator, ref } = setup();
    await adapter.doSetDataCap!({ capBytes: 2048 * BYTES_PER_MB, cards: [ref(0)] });
    expect(simulator.offNet(0)).toEqual({ quotaMb: 2048, type: '1' });
    const read = await adapter.doGetDataCap!({ cards: [ref(0), ref(1)] });
    expect(read.items[0]).toMatchObject({
      ok: true,
      value: { capBytes: 2048 * BYTES_PER_MB, reached: false },
    });
    expect(read.items[1]).toMatchObject({ ok: true, value: { capBytes: null } });
    await adapter.doSetDataCap!({ capBytes: BYTES_PER_MB, cards: [ref(0)] });
    const cut = await adapter.doGetDataCap!({ cards: [ref(0)] });
    expect(cut.items[0]).toMatchObject({
      ok: true,
      value: { capBytes: BYTES_PER_MB, reached: true },
    });
    await adapter.doSetDataCap!({ capBytes: null, cards: [ref(0)] });
    expect(simulator.offNet(0)).toBeUndefined();
  });

  it('reads a card’s status history newest first, with its changes', async () => {
    const { adapter, ref } = setup();
    await adapter.doChangeStatus!({ action: 'pause', cards: [ref(0)] });
    const result = await adapter.doGetCardHistory!({ cards: [ref(0)] });
    const item = result.items[0]!;
    if (!item.ok) throw item.error;
    expect(item.value[0]).toMatchObject({
      kind: 'status',
      status: { status: 'suspended', raw: '5' },
    });
    expect(item.value.at(-1)?.status?.raw).toBe('4');
    expect(item.value[0]!.at).toBeGreaterThan(item.value.at(-1)!.at!);
  });

  it('diagnoses a card through the GET with the number in the path', async () => {
    const { adapter, simulator, ref } = setup();
    const result = await adapter.doDiagnose!({ cards: [ref(0)] });
    const item = result.items[0]!;
    if (!item.ok) throw item.error;
    expect(item.value.checks.map((check) => check.name)).toContain('号码状态');
    expect(item.value.checks[0]!.ok).toBe(true);
    expect(simulator.calls.entries[0]!.path).toBe(
      `/api/v1/openRisk/${simulator.fleet.card(0).msisdn}/diagnosis`,
    );
  });

  it('fails with supplier_auth_failed on a wrong secret or a clock far off', async () => {
    for (const setupOptions of [{ secretKey: 'nope' }, { clockSkewMs: 3 * 3_600_000 }]) {
      const { adapter, ref } = setup(setupOptions);
      const error = await adapter.doGetStatus!({ cards: [ref(0)] }).then(
        () => null,
        (caught: unknown) => caught as SupplierError,
      );
      expect(error?.code).toBe('supplier_auth_failed');
      expect(error?.retryable).toBe(false);
    }
  });

  it('accepts a Timestamp sent in China Standard Time (one client does)', async () => {
    const { adapter, ref } = setup({ clockSkewMs: 8 * 3_600_000 });
    const result = await adapter.doGetStatus!({ cards: [ref(0)] });
    expect(result.items[0]?.ok).toBe(true);
  });

  it('skips what is no object in an answer’s list: that card is left out, the others read', async () => {
    // Found by the hostile parser property: a null item crashed the batch with a TypeError.
    const { adapter, ref } = setup({
      rewrite: (body) => {
        const data = body.data as unknown[];
        return { ...body, data: [null, 7, 'x', [], ...data.slice(1)] };
      },
    });
    const result = await adapter.doGetStatus!({ cards: [ref(0), ref(1), ref(2)] });
    expect(result.items.map((item) => item.ok)).toEqual([false, true, true]);
    const left = result.items[0]!;
    if (!left.ok) {
      expect(left.error.code).toBe('supplier_bad_response');
      expect(left.error.retryable).toBe(true);
    }
  });

  it('reports an unknown card and a per-card system error as items', async () => {
    const { adapter, simulator, ref } = setup();
    const result = await adapter.doGetStatus!({
      cards: [ref(0), { key: 'ghost', msisdn: '1490999999999' }],
    });
    const ghost = result.items[1]!;
    expect(ghost.ok).toBe(false);
    if (!ghost.ok) expect(ghost.error.code).toBe('supplier_card_unknown');
    simulator.faults.set({ partialFailureRate: 1 });
    const failed = await adapter.doGetStatus!({ cards: [ref(0)] });
    const item = failed.items[0]!;
    expect(item.ok).toBe(false);
    if (!item.ok) expect(item.error.retryable).toBe(true);
  });
});
