import { describe, expect, it } from 'vitest';
import { m2mTestRig, rejection, TEST_ACCOUNT } from './m2m10086-test-setup.test-support.js';

describe('m2m10086 client against the simulator: card queries', () => {
  it('reads card info (§2.1) by card number, ICCID, IMSI and IMEI alike', async () => {
    const { client, simulator } = m2mTestRig();
    const card = simulator.fleet.card(7);
    for (const key of [card.msisdn, card.iccid, card.imsi, card.imei]) {
      const { value, body } = await client.searchInfo({ key });
      expect(value).toMatchObject({ cardcode: card.msisdn, iccid: card.iccid, imsi: card.imsi });
      expect(value.imei).toBe(card.imei);
      expect(Number(value.flow)).toBeGreaterThan(0);
      expect(body).toMatchObject({ status: '0000' });
    }
    expect(simulator.callLog.count('/M2MSearchInfo.ashx')).toBe(4);
  });

  it('answers 0014 for an unknown card and auth codes for wrong credentials', async () => {
    const { client, simulator } = m2mTestRig();
    const unknown = await rejection(client.searchInfo({ key: '1064999999999' }));
    expect(unknown).toMatchObject({ code: 'supplier_card_unknown', supplierCode: '0014' });
    const key = simulator.fleet.card(1).msisdn;
    for (const [override, code] of [
      [{ password: 'wrong' }, '0013'],
      [{ partnercode: 'P99' }, '0011'],
      [{ servicecode: 'S99' }, '0012'],
    ] as const) {
      const other = m2mTestRig({}, override);
      const error = await rejection(other.client.searchInfo({ key }));
      expect(error).toMatchObject({
        code: 'supplier_auth_failed',
        supplierCode: code,
        retryable: false,
      });
    }
  });

  it('reads realtime info (§2.2) for the selectors asked only', async () => {
    const { client, findCard } = m2mTestRig();
    const card = findCard((candidate) => candidate.online);
    const { value } = await client.searchTermInfo({
      key: card.iccid,
      selectors: ['cardStatus', 'deviceStatus', 'gprsStatus', 'ip', 'rat'],
    });
    expect(value).toMatchObject({ cardstatus: '00', macstatus: '1', gprsstatus: '01', rat: '4' });
    expect(value.ip).toMatch(/^10\./);
    expect(value.apn).toBeUndefined();
    const flowOnly = await client.searchTermInfo({ key: card.msisdn, selectors: ['flow'] });
    expect(Number(flowOnly.value.flow)).toBeGreaterThanOrEqual(0);
    expect(flowOnly.value.cardstatus).toBeUndefined();
  });

  it('refuses more selectors than the 10-character status field holds, before calling', async () => {
    const { client, simulator } = m2mTestRig();
    const error = await rejection(
      Promise.resolve().then(() =>
        client.searchTermInfo({
          key: simulator.fleet.card(0).msisdn,
          selectors: ['flow', 'cardStatus', 'deviceStatus', 'gprsStatus', 'ip', 'apn'],
        }),
      ),
    );
    expect(error).toMatchObject({ code: 'invalid_argument' });
    expect(simulator.callLog.total).toBe(0);
  });

  it('reads month flow (§2.7) as yyyyMM or yyyy-MM within the last 12 months', async () => {
    const { client, simulator, findCard } = m2mTestRig();
    const card = findCard((candidate) => candidate.cardstatus === '00');
    const compact = await client.searchMonthFlow({ key: card.msisdn, month: '202410' });
    const dashed = await client.searchMonthFlow({ key: card.msisdn, month: '2024-10' });
    expect(compact.value.flow).toBe(dashed.value.flow);
    expect(Number(compact.value.flow)).toBeGreaterThan(0);
    // The clock is in 2024-11: 2023-12 is the oldest of the 12 months, 2023-11 is outside.
    await client.searchMonthFlow({ key: card.msisdn, month: '202312' });
    const old = await rejection(client.searchMonthFlow({ key: card.msisdn, month: '202311' }));
    expect(old).toMatchObject({ code: 'invalid_argument', supplierCode: '0018' });
    const calls = simulator.callLog.total;
    const bad = await rejection(
      Promise.resolve().then(() => client.searchMonthFlow({ key: card.msisdn, month: '2024/10' })),
    );
    expect(bad).toMatchObject({ code: 'invalid_argument' });
    expect(simulator.callLog.total).toBe(calls);
  });

  it('reads the surplus flow (§2.8): the package minus this month', async () => {
    const { client, findCard } = m2mTestRig();
    const card = findCard(
      (candidate) => candidate.cardstatus === '00' && candidate.mealsKb > 100_000,
    );
    const surplus = await client.surplusFlow({ key: card.msisdn });
    const month = await client.searchMonthFlow({ key: card.msisdn, month: '2024-11' });
    expect(Number(surplus.value.surplusflow) + Number(month.value.flow)).toBe(card.mealsKb);
  });

  it('accepts `result` sent as JSON text, as the field tables type it', async () => {
    const { client, simulator } = m2mTestRig({ resultAsText: true });
    const { value, body } = await client.searchInfo({ key: simulator.fleet.card(3).msisdn });
    expect(typeof (body as { result: unknown }).result).toBe('string');
    expect(value.iccid).toBe(simulator.fleet.card(3).iccid);
  });
});

describe('m2m10086 client against the simulator: diagnosis and LBS', () => {
  it('runs the diagnosis (§2.9, §2.10) as a job that settles on the clock', async () => {
    const { client, clock, findCard } = m2mTestRig({ diagnosisDelayMs: 60_000 });
    const card = findCard((candidate) => candidate.deviceOn);
    const before = await rejection(client.macStateResult({ cardcode: card.msisdn }));
    expect(before).toMatchObject({ code: 'not_found', supplierCode: '0019' });
    await client.macState({ cardcode: card.msisdn });
    await expect(client.macStateResult({ cardcode: card.msisdn })).rejects.toMatchObject({
      supplierCode: '0019',
    });
    clock.advance(60_000);
    const { value } = await client.macStateResult({ cardcode: card.msisdn });
    expect(value).toMatchObject({ cardcode: card.msisdn, macstatus: '1' });
    expect(value.lasttime).toBe('2024-11-26 10:01:00');
  });

  it('locates a card (§2.11) and counts the account location quota', async () => {
    const { client, simulator, findCard } = m2mTestRig({ locationQuota: 1 });
    const on = findCard((candidate) => candidate.deviceOn);
    const off = findCard((candidate) => !candidate.deviceOn && candidate.cardstatus === '00');
    const failed = await rejection(client.location({ key: off.msisdn }));
    expect(failed).toMatchObject({ code: 'supplier_rejected', supplierCode: '0031' });
    const { value } = await client.location({ key: on.iccid });
    expect(Number(value.latitude)).toBeGreaterThan(29);
    expect(Number(value.longitude)).toBeGreaterThan(119);
    expect(value.address).toContain('杭州');
    expect(simulator.quotas.location).toBe(0);
    const exhausted = await rejection(client.location({ key: on.iccid }));
    expect(exhausted).toMatchObject({ code: 'supplier_balance_exhausted', supplierCode: '0030' });
  });

  it('looks cells up (§2.12) and answers 0032 for unknown cells', async () => {
    const { client, simulator } = m2mTestRig();
    const { value } = await client.lbsInfo({ mcc: '460', mnc: '0', lac: '22547', cellid: '3351' });
    expect(Number(value.latitude)).toBeGreaterThan(29);
    expect(Number(value.radius)).toBeGreaterThan(0);
    const missing = await rejection(
      client.lbsInfo({ mcc: '460', mnc: '0', lac: '22547', cellid: '3350' }),
    );
    expect(missing).toMatchObject({ code: 'not_found', supplierCode: '0032' });
    const calls = simulator.callLog.total;
    await expect(
      Promise.resolve().then(() =>
        client.lbsInfo({ mcc: '460', mnc: '0', lac: '1234567', cellid: '1' }),
      ),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(simulator.callLog.total).toBe(calls);
  });

  it('follows path overrides on both sides', async () => {
    const paths = { smsReceive: '/M2MSmsReceive.ashx' };
    const { client, simulator } = m2mTestRig({ paths }, { paths });
    expect(client.paths.smsReceive).toBe('/M2MSmsReceive.ashx');
    expect(client.paths.smsSendResult).toBe('/M2MHistorySend.ashx');
    await client.smsReceive({ num: 10 });
    expect(simulator.callLog.count('/M2MSmsReceive.ashx')).toBe(1);
    expect(TEST_ACCOUNT.partnercode.length).toBeLessThanOrEqual(10);
  });
});
