import { describe, expect, it } from 'vitest';
import { addDays, ManualClock } from '../../domain/index.js';
import { APPID, BASE_URL, PASSWORD } from './onelink-v5.test-support.js';
import { normalizeBaseUrl, OnelinkV5Client } from './onelink-v5-client.js';
import { createOnelinkV5Simulator } from './onelink-v5-simulator.js';

function setup() {
  const clock = new ManualClock(Date.UTC(2024, 10, 26, 2, 0, 0), { autoAdvance: true });
  const simulator = createOnelinkV5Simulator({
    appid: APPID,
    password: PASSWORD,
    size: 500,
    clock,
  });
  const client = new OnelinkV5Client({
    baseUrl: BASE_URL,
    appid: APPID,
    password: PASSWORD,
    fetch: simulator.fetch,
    clock,
  });
  const card = simulator.state.fleet.card(7);
  return { clock, simulator, client, card };
}

describe('onelink-v5 client', () => {
  it('sends transid and token on the query string, never the password', async () => {
    const { client, simulator, card } = setup();
    const answer = await client.querySimBasicInfo({ card: { kind: 'msisdn', value: card.msisdn } });
    expect(answer.value).toMatchObject({ msisdn: card.msisdn, iccid: card.iccid, imsi: card.imsi });
    expect(answer.value.openDate).toMatch(/^\d{4}-\d{2}-\d{2} /);
    const [tokenCall, businessCall] = simulator.calls.entries;
    expect(tokenCall!.path).toBe('get/token');
    expect(Object.keys(tokenCall!.params).sort()).toEqual(['appid', 'password', 'transid']);
    expect(Object.keys(businessCall!.params).sort()).toEqual(['msisdn', 'token', 'transid']);
    expect(businessCall!.params.transid).toMatch(new RegExp(`^${APPID}20241126100000\\d{8}$`));
  });

  it('answers every single-card endpoint with typed values', async () => {
    const { client, card } = setup();
    const id = { kind: 'iccid', value: card.iccid } as const;
    expect((await client.querySimStatus({ card: id })).value.cardStatus).toMatch(/^0\d$/);
    expect(
      Number((await client.querySimDataUsage({ card: id })).value.dataAmount),
    ).toBeGreaterThanOrEqual(0);
    expect((await client.querySimImei({ card: id })).value.imei).toBe(card.imei);
    expect(['0', '1']).toContain((await client.queryOnOffStatus({ card: id })).value.status);
    const sessions = (await client.querySimSession({ card: id })).value;
    expect(sessions).toHaveLength(1);
    expect(['00', '01']).toContain(sessions[0]!.status);
    expect((await client.querySimChangeHistory({ card: id })).value).toEqual([]);
  });

  it('changes one card and records it in the change history; the cooldown holds the next change', async () => {
    const { client, simulator, clock } = setup();
    let index = 0;
    while (simulator.state.status(index) !== '00') index += 1;
    const id = { kind: 'msisdn', value: simulator.state.fleet.card(index).msisdn } as const;
    await client.changeSimStatus({ card: id, operType: '0' });
    expect(simulator.state.status(index)).toBe('02');
    const before = clock.now();
    await client.changeSimStatus({ card: id, operType: '1' });
    expect(clock.now() - before).toBeGreaterThanOrEqual(3 * 60_000);
    const history = (await client.querySimChangeHistory({ card: id })).value;
    expect(history.map((change) => [change.descStatus, change.targetStatus])).toEqual([
      ['00', '02'],
      ['02', '00'],
    ]);
  });

  it('reads daily and monthly usage batches in KB, by any identifier kind', async () => {
    const { client, simulator, clock } = setup();
    const cards = [0, 1, 2].map((index) => simulator.state.fleet.card(index));
    const yesterday = addDays('2024-11-26', -1);
    const daily = await client.querySimDataUsageDailyBatch({
      cards: { kind: 'imsi', values: cards.map((card) => card.imsi) },
      date: yesterday,
    });
    expect(daily.value.map((item) => item.imsi)).toEqual(cards.map((card) => card.imsi));
    expect(simulator.calls.entries.at(-1)!.params.queryDate).toBe('20241125');
    const monthly = await client.querySimDataUsageMonthlyBatch({
      cards: { kind: 'msisdn', values: cards.map((card) => card.msisdn) },
      month: '2024-10',
    });
    expect(simulator.calls.entries.at(-1)!.params.queryDate).toBe('202410');
    for (const item of monthly.value) expect(Number(item.dataAmount)).toBeGreaterThan(0);
    expect(clock.now()).toBe(Date.UTC(2024, 10, 26, 2, 0, 0));
  });

  it('checks batch limits and date windows before calling', async () => {
    const { client, simulator } = setup();
    const values = Array.from(
      { length: 101 },
      (_, index) => simulator.state.fleet.card(index).msisdn,
    );
    await expect(
      client.querySimCardInfoBatch({ cards: { kind: 'msisdn', values } }),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(
      client.queryLastPositionLocation({ cards: { kind: 'msisdn', values: values.slice(0, 21) } }),
    ).rejects.toThrow(/at most 20/);
    await expect(
      client.querySimDataUsageDailyBatch({
        cards: { kind: 'msisdn', values: values.slice(0, 2) },
        date: '2024-11-26',
      }),
    ).rejects.toThrow(/2024-11-19…2024-11-25/);
    await expect(
      client.querySimDataUsageDailyBatch({
        cards: { kind: 'msisdn', values: values.slice(0, 2) },
        date: '2024-11-18',
      }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(
      client.querySimDataUsageMonthlyBatch({
        cards: { kind: 'msisdn', values: values.slice(0, 2) },
        month: '2024-05',
      }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(simulator.calls.count()).toBe(0);
  });

  it('reads MO and MT SMS records and last positions for up to 20 cards', async () => {
    const { client, simulator } = setup();
    const values = Array.from(
      { length: 20 },
      (_, index) => simulator.state.fleet.card(index).msisdn,
    );
    const mo = await client.querySimMoSmsBatch({
      cards: { kind: 'msisdn', values },
      startDate: '2024-11-19',
      endDate: '2024-11-25',
    });
    expect(mo.value.length).toBeGreaterThan(0);
    for (const record of mo.value) {
      expect(values).toContain(record.msisdn);
      expect(record.content).toMatch(/^HB,/);
      expect(record.smsId).toMatch(/^MO/);
    }
    const mt = await client.querySimMtSmsBatch({
      cards: { kind: 'msisdn', values },
      startDate: '2024-11-19',
      endDate: '2024-11-25',
    });
    expect(mt.value.every((record) => record.smsId?.startsWith('MT'))).toBe(true);
    const positions = await client.queryLastPositionLocation({ cards: { kind: 'msisdn', values } });
    expect(positions.value).toHaveLength(20);
    expect(Number(positions.value[0]!.lastLat)).toBeGreaterThan(20);
  });

  it('follows a batch change by its jobId until it settles', async () => {
    const { client, simulator, clock } = setup();
    const indexes = [0, 1, 2, 3, 4, 5].filter((index) => simulator.state.status(index) === '00');
    const values = indexes.map((index) => simulator.state.fleet.card(index).msisdn);
    const job = await client.changeSimStatusBatch({
      cards: { kind: 'msisdn', values },
      operType: '9',
      reason: '01',
    });
    const pending = await client.querySimBatchResult({ jobId: job.value.jobId });
    expect(['0', '1']).toContain(pending.value.jobStatus);
    await clock.sleep(30_000);
    const settled = await client.querySimBatchResult({ jobId: job.value.jobId });
    expect(settled.value.jobStatus).toBe('2');
    expect(settled.value.resultList.map((entry) => entry.msisdn)).toEqual(values);
  });

  it('normalizes the base URL', () => {
    expect(normalizeBaseUrl('https://api.iot.10086.cn')).toBe('https://api.iot.10086.cn/v5/ec');
    expect(normalizeBaseUrl('https://api.iot.10086.cn/v5/ec/')).toBe(
      'https://api.iot.10086.cn/v5/ec',
    );
  });
});
