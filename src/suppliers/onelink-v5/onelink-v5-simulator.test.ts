import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { createOnelinkV5Simulator } from './onelink-v5-simulator.js';

const APPID = '100001';

function setup(options: { size?: number } = {}) {
  const clock = new ManualClock(Date.UTC(2024, 10, 26, 2, 0, 0));
  const simulator = createOnelinkV5Simulator({
    appid: APPID,
    password: 'Passw0rd',
    size: options.size ?? 100,
    clock,
    tokenTtlSeconds: 3600,
    settleDelayMs: 20_000,
  });
  let sequence = 0;
  // The simulator is exercised with hand-built requests, independent of the client.
  const transid = () => `${APPID}20241126100000${String(++sequence).padStart(8, '0')}`;
  const get = async (path: string, params: Record<string, string>) => {
    const response = await simulator.app.request(
      `http://sim/v5/ec/${path}?${new URLSearchParams(params)}`,
    );
    return (await response.json()) as {
      status: string;
      message: string;
      result: Record<string, string>[];
    };
  };
  const token = async () =>
    (await get('get/token', { appid: APPID, password: 'Passw0rd', transid: transid() })).result[0]!
      .token!;
  return { clock, simulator, get, token, transid };
}

describe('onelink-v5 simulator', () => {
  it('issues tokens only for the right appid and password', async () => {
    const { get, transid } = setup();
    const good = await get('get/token', { appid: APPID, password: 'Passw0rd', transid: transid() });
    expect(good.status).toBe('0');
    expect(good.result[0]).toMatchObject({ ttl: '3600' });
    const bad = await get('get/token', { appid: APPID, password: 'nope', transid: transid() });
    expect(bad.status).toBe('12022');
  });

  it('refuses a missing, unknown or expired token with 12021', async () => {
    const { get, token, transid, clock, simulator } = setup();
    const msisdn = simulator.state.fleet.card(1).msisdn;
    expect((await get('query/sim-status', { transid: transid(), msisdn })).status).toBe('12021');
    expect(
      (await get('query/sim-status', { transid: transid(), token: 'forged', msisdn })).status,
    ).toBe('12021');
    const valid = await token();
    expect(
      (await get('query/sim-status', { transid: transid(), token: valid, msisdn })).status,
    ).toBe('0');
    clock.advance(3600_000);
    expect(
      (await get('query/sim-status', { transid: transid(), token: valid, msisdn })).status,
    ).toBe('12021');
  });

  it('checks transid format and refuses reuse', async () => {
    const { get, token, simulator } = setup();
    const valid = await token();
    const msisdn = simulator.state.fleet.card(1).msisdn;
    const once = `${APPID}2024112610000099999999`;
    expect((await get('query/sim-status', { transid: once, token: valid, msisdn })).status).toBe(
      '0',
    );
    expect(
      (await get('query/sim-status', { transid: once, token: valid, msisdn })).message,
    ).toMatch(/重复/);
    expect((await get('query/sim-status', { transid: 'X1', token: valid, msisdn })).status).toBe(
      '11000',
    );
  });

  it('enforces one identifier kind, batch limits and the daily window', async () => {
    const { get, token, transid, simulator } = setup({ size: 300 });
    const valid = await token();
    const card = simulator.state.fleet.card(3);
    const both = await get('query/sim-status', {
      transid: transid(),
      token: valid,
      msisdn: card.msisdn,
      iccid: card.iccid,
    });
    expect(both.status).toBe('11000');
    const many = Array.from(
      { length: 101 },
      (_, index) => simulator.state.fleet.card(index).msisdn,
    ).join('_');
    expect(
      (await get('query/sim-card-info/batch', { transid: transid(), token: valid, msisdns: many }))
        .status,
    ).toBe('11000');
    const today = await get('query/sim-data-usage-daily/batch', {
      transid: transid(),
      token: valid,
      msisdns: card.msisdn,
      queryDate: '20241126',
    });
    expect(today.status).toBe('11000');
    const unknown = await get('query/sim-status', {
      transid: transid(),
      token: valid,
      msisdn: '1440999999999',
    });
    expect(unknown.status).toBe('12009');
  });

  it('locks cards after a batch change and refuses a batch holding a locked card', async () => {
    const { get, token, transid, simulator, clock } = setup();
    const valid = await token();
    const indexes = [0, 1, 2, 3, 4, 5, 6, 7].filter(
      (index) => simulator.state.status(index) === '00',
    );
    const [first, second] = indexes.map((index) => simulator.state.fleet.card(index).msisdn);
    const submit = (msisdns: string) =>
      get('change/sim-status/batch', {
        transid: transid(),
        token: valid,
        msisdns,
        operType: '9',
        reason: '01',
      });
    const job = await submit(first!);
    expect(job.status).toBe('0');
    const refused = await submit(`${second}_${first}`);
    expect(refused.status).toBe('12089');
    // The refused batch locked nobody: the free card can go on its own.
    expect((await submit(second!)).status).toBe('0');
    const result = await get('query/sim-batch-result', {
      transid: transid(),
      token: valid,
      jobId: job.result[0]!.jobId!,
    });
    expect(result.result[0]!.jobStatus).toBe('0');
    clock.advance(20_000);
    const settled = await get('query/sim-batch-result', {
      transid: transid(),
      token: valid,
      jobId: job.result[0]!.jobId!,
    });
    expect(settled.result[0]!.jobStatus).toBe('2');
    clock.advance(3 * 60_000);
    expect((await submit(first!)).status).toBe('0');
  });

  it('holds 100,000 cards without per-card memory', async () => {
    const { get, token, transid, simulator } = setup({ size: 100_000 });
    const valid = await token();
    const last = simulator.state.fleet.card(99_999);
    const answer = await get('query/sim-card-info/batch', {
      transid: transid(),
      token: valid,
      iccids: last.iccid,
    });
    expect(answer.result[0]).toMatchObject({ status: '0', msisdn: last.msisdn, imsi: last.imsi });
  });
});
