import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { createOnelinkV2Simulator } from './onelink-v2-simulator.js';

// Requests here are signed by hand (sha256 of appid + password + transid), so the simulator is
// checked without the client's code.
const APPID = 'A0B40MY';
const PASSWORD = 'simulated-password';
const EBIDS = { batchquerycardinfo: '0006000000336', batchgprsusedbydate: '0001000000346' };
// 2024-11-26 10:00 CST: the window is 2024-11-19 … 2024-11-25.
const NOW = Date.UTC(2024, 10, 26, 2, 0, 0);

const examples = JSON.parse(
  readFileSync(new URL('./__fixtures__/request-examples.json', import.meta.url), 'utf8'),
) as Record<'batchquerycardinfo' | 'batchgprsusedbydate', Record<string, string>>;

function setup(options: Partial<Parameters<typeof createOnelinkV2Simulator>[0]> = {}) {
  const clock = new ManualClock(NOW);
  const simulator = createOnelinkV2Simulator({
    appid: APPID,
    password: PASSWORD,
    ebids: EBIDS,
    size: 1000,
    clock,
    ...options,
  });
  let sequence = 0;
  const call = async (
    endpoint: string,
    params: Record<string, string>,
    overrides: Partial<Record<'appid' | 'transid' | 'ebid' | 'token' | 'password', string>> = {},
    init: RequestInit = {},
  ) => {
    sequence += 1;
    const appid = overrides.appid ?? APPID;
    const transid =
      overrides.transid ?? `${appid}20241126100000${String(sequence).padStart(8, '0')}`;
    const token =
      overrides.token ??
      createHash('sha256')
        .update(appid + (overrides.password ?? PASSWORD) + transid)
        .digest('hex');
    const ebid = overrides.ebid ?? EBIDS[endpoint as keyof typeof EBIDS] ?? 'none';
    const query = new URLSearchParams({ appid, transid, ebid, token, ...params });
    const response = await simulator.fetch(`http://onelink.test/v2/${endpoint}?${query}`, init);
    const text = await response.text();
    return { response, text, body: safeJson(text) };
  };
  return { simulator, clock, call };
}

function safeJson(text: string): {
  status: string;
  message: string;
  result: Record<string, string>[];
} {
  try {
    return JSON.parse(text);
  } catch {
    return { status: 'not-json', message: text, result: [] };
  }
}

describe('OneLink v2 simulator: the documents’ examples', () => {
  it('answers the 2111 request example: …0878 known, the other two with item status 25', async () => {
    const { call } = setup();
    const { body } = await call('batchquerycardinfo', {
      iccids: examples.batchquerycardinfo.iccids!,
    });
    expect(body.status).toBe('0');
    expect(body.result).toEqual([
      {
        status: '25',
        message: 'ICCID号不是所查询的集团下的用户',
        iccid: '898602B2221430000006',
      },
      {
        status: '0',
        message: '正确',
        imsi: '460040260900788',
        msisdn: '1064826090232',
        iccid: '898602B2221340000878',
      },
      {
        status: '25',
        message: 'ICCID号不是所查询的集团下的用户',
        iccid: '89860010011631234571',
      },
    ]);
  });

  it('answers the 2010 request example with the identities of its response example, upper-case', async () => {
    const { call, simulator } = setup();
    const { body } = await call('batchgprsusedbydate', {
      query_date: '20241125',
      msisdns: examples.batchgprsusedbydate.msisdns!,
    });
    const expected = JSON.parse(
      readFileSync(
        new URL('./__fixtures__/api2010-batchgprsusedbydate-response.json', import.meta.url),
        'utf8',
      ),
    ) as { result: Record<string, string>[] };
    expect(body.status).toBe('0');
    expect(body.result.map(({ ICCID, IMSI, MSISDN }) => ({ ICCID, IMSI, MSISDN }))).toEqual(
      expected.result.map(({ ICCID, IMSI, MSISDN }) => ({ ICCID, IMSI, MSISDN })),
    );
    const first = simulator.findCard('msisdn', '1064826090232')!;
    expect(body.result[0]!.GPRS).toBe(String(simulator.dailyKb(first, '2024-11-25')));
  });

  it('can answer as the 2010 example does: no GPRS, SMS "0"', async () => {
    const { call, simulator } = setup({ usageShape: 'example' });
    const { body } = await call('batchgprsusedbydate', {
      query_date: '20241125',
      msisdns: '1064826090232',
    });
    expect(body.result).toEqual([
      {
        ICCID: '898602B2221340000878',
        IMSI: '460040260900788',
        MSISDN: '1064826090232',
        SMS: '0',
      },
    ]);
    simulator.settings.usageShape = 'table';
    const again = await call('batchgprsusedbydate', {
      query_date: '20241125',
      msisdns: '1064826090232',
    });
    expect(again.body.result[0]).toHaveProperty('GPRS');
  });

  it.each([
    ['lower', 'batchgprsusedbydate', 'gprs'],
    ['upper', 'batchquerycardinfo', 'MSISDN'],
  ] as const)(
    'spells item keys in %s case on request (%s has %s)',
    async (itemKeyCase, endpoint, key) => {
      const { call } = setup({ itemKeyCase });
      const params: Record<string, string> = { msisdns: '1064826090232' };
      if (endpoint === 'batchgprsusedbydate') params.query_date = '20241120';
      const { body } = await call(endpoint, params);
      expect(body.result[0]).toHaveProperty(key);
    },
  );
});

describe('OneLink v2 simulator: the fleet', () => {
  it('holds a million generated cards with no per-card memory and finds any of them', async () => {
    const { call, simulator } = setup({ size: 1_000_000 });
    const last = simulator.fleet.card(999_999);
    expect(last.iccid).toMatch(/^898604\d{14}$/);
    expect(last.msisdn).toMatch(/^1064\d{9}$/);
    expect(last.imsi).toMatch(/^46004\d{10}$/);
    const { body } = await call('batchquerycardinfo', { imsis: `${last.imsi}_460049999999999` });
    expect(body.result[0]).toMatchObject({ status: '0', iccid: last.iccid, msisdn: last.msisdn });
    expect(body.result[1]).toMatchObject({ status: '12', imsi: '460049999999999' });
    expect(body.result[1]!.message).toContain('IMSI');
  });

  it('answers an unknown MSISDN with item status 12 and the top-level status still "0"', async () => {
    const { call } = setup();
    const { body } = await call('batchgprsusedbydate', {
      query_date: '20241119',
      msisdns: '1064826090232_1064999999999',
    });
    expect(body.status).toBe('0');
    expect(body.result[1]).toEqual({
      STATUS: '12',
      MESSAGE: 'MSISDN号不是所查询的集团下的用户',
      MSISDN: '1064999999999',
    });
  });

  it('accepts exactly 100 numbers', async () => {
    const { call, simulator } = setup();
    const iccids = Array.from({ length: 100 }, (_, index) => simulator.fleet.card(index).iccid);
    const { body } = await call('batchquerycardinfo', { iccids: iccids.join('_') });
    expect(body.status).toBe('0');
    expect(body.result).toHaveLength(100);
  });

  it('records every call in its call log', async () => {
    const { call, simulator } = setup();
    await call('batchquerycardinfo', { msisdns: '1064826090232' });
    await call('batchquerycardinfo', { msisdns: '1064826090232' }, { password: 'wrong' });
    expect(simulator.callLog.count('/v2/batchquerycardinfo')).toBe(2);
    expect(simulator.callLog.entries[0]!.params.msisdns).toBe('1064826090232');
  });
});

describe('OneLink v2 simulator: refusals', () => {
  it.each([
    ['a wrong password', { password: 'wrong' }, '7'],
    ['a wrong appid', { appid: 'OTHER01' }, '7'],
    ['a tampered token', { token: 'a'.repeat(64) }, '7'],
    ['an upper-case token', { token: 'UPPER' }, '7'],
    ['the ebid of another endpoint', { ebid: EBIDS.batchgprsusedbydate }, '3'],
    ['a transid not made of appid + 22 digits', { transid: `${APPID}2024112610` }, '13'],
    ['a transid longer than 48', { transid: `${APPID}${'1'.repeat(42)}` }, '13'],
  ] as const)('refuses %s with status %s', async (_name, overrides, status) => {
    const { call } = setup();
    const resolved: Record<string, string> = { ...overrides };
    if (resolved.token === 'UPPER') {
      const transid = `${APPID}2024112610000099999999`;
      resolved.transid = transid;
      resolved.token = createHash('sha256')
        .update(APPID + PASSWORD + transid)
        .digest('hex')
        .toUpperCase();
    }
    const { body } = await call('batchquerycardinfo', { msisdns: '1064826090232' }, resolved);
    expect(body).toEqual({ status, message: expect.any(String), result: [] });
    expect(body.message).not.toBe('');
  });

  it('refuses a call without one of the public parameters (10)', async () => {
    const { simulator } = setup();
    const response = await simulator.fetch(
      `http://onelink.test/v2/batchquerycardinfo?appid=${APPID}&ebid=${EBIDS.batchquerycardinfo}&msisdns=1064826090232`,
    );
    expect(((await response.json()) as { status: string }).status).toBe('10');
  });

  it.each([
    ['none of msisdns, iccids, imsis', {}],
    ['two of them', { msisdns: '1064826090232', iccids: '898602B2221340000878' }],
  ])('refuses %s (10)', async (_name, params) => {
    const { call } = setup();
    expect((await call('batchquerycardinfo', params)).body.status).toBe('10');
  });

  it('refuses 101 numbers (18)', async () => {
    const { call, simulator } = setup();
    const msisdns = Array.from({ length: 101 }, (_, index) => simulator.fleet.card(index).msisdn);
    expect((await call('batchquerycardinfo', { msisdns: msisdns.join('_') })).body.status).toBe(
      '18',
    );
  });

  it('refuses a call whose numbers are all malformed (21)', async () => {
    const { call } = setup();
    const { body } = await call('batchquerycardinfo', { msisdns: 'abc_10648260902321064' });
    expect(body.status).toBe('21');
  });

  it.each([
    ['yesterday', '20241125', '0'],
    ['7 days ago', '20241119', '0'],
    ['8 days ago', '20241118', '19'],
    ['today', '20241126', '19'],
    ['tomorrow', '20241127', '19'],
    ['a date in another form', '2024-11-25', '14'],
    ['an impossible date', '20240231', '14'],
  ])('checks query_date %s (%s) → %s', async (_name, queryDate, status) => {
    const { call } = setup();
    const { body } = await call('batchgprsusedbydate', {
      query_date: queryDate,
      iccids: '898602B2221340000878',
    });
    expect(body.status).toBe(status);
  });

  it('requires query_date on batchgprsusedbydate (10)', async () => {
    const { call } = setup();
    expect((await call('batchgprsusedbydate', { msisdns: '1064826090232' })).body.status).toBe(
      '10',
    );
  });

  it('moves its window with its clock', async () => {
    const { call, clock } = setup();
    clock.advance(24 * 60 * 60 * 1000);
    const params = { query_date: '20241119', msisdns: '1064826090232' };
    expect((await call('batchgprsusedbydate', params)).body.status).toBe('19');
    expect(
      (await call('batchgprsusedbydate', { ...params, query_date: '20241126' })).body.status,
    ).toBe('0');
  });

  it('answers 404 for an endpoint it does not serve', async () => {
    const { call, simulator } = setup();
    expect((await call('querycardlifecycle', { msisdns: '1064826090232' })).response.status).toBe(
      404,
    );
    expect((await simulator.fetch('http://onelink.test/v5/ec/get/token')).status).toBe(404);
  });

  it('serves POST with the parameters in the query string or a form body', async () => {
    const { call, simulator } = setup();
    const viaQuery = await call(
      'batchquerycardinfo',
      { msisdns: '1064826090232' },
      {},
      { method: 'POST' },
    );
    expect(viaQuery.body.result[0]).toMatchObject({ status: '0', iccid: '898602B2221340000878' });

    const transid = `${APPID}2024112610000012345678`;
    const form = new URLSearchParams({
      appid: APPID,
      transid,
      ebid: EBIDS.batchquerycardinfo,
      token: createHash('sha256')
        .update(APPID + PASSWORD + transid)
        .digest('hex'),
      iccids: '898602B2221340000878',
    });
    const response = await simulator.fetch('http://onelink.test/v2/batchquerycardinfo', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(await response.json()).toMatchObject({
      status: '0',
      result: [{ msisdn: '1064826090232' }],
    });
  });
});

describe('OneLink v2 simulator: faults', () => {
  it('throttles with status "71" (HTTP 200)', async () => {
    const { call, simulator } = setup({ faults: { throttleRate: 1 } });
    const { response, body } = await call('batchquerycardinfo', { msisdns: '1064826090232' });
    expect(response.status).toBe(200);
    expect(body).toEqual({ status: '71', message: '已超出API最大流控限制', result: [] });
    expect(simulator.faults.injected.throttle).toBe(1);
  });

  it('answers 5xx, truncated JSON and "down" when told to', async () => {
    const { call, simulator, clock } = setup();
    simulator.faults.set({ serverErrorRate: 1 });
    expect((await call('batchquerycardinfo', { msisdns: '1064826090232' })).response.status).toBe(
      500,
    );
    simulator.faults.set({ malformedRate: 1 });
    const malformed = await call('batchquerycardinfo', { msisdns: '1064826090232' });
    expect(malformed.body.status).toBe('not-json');
    expect(malformed.text.startsWith('{"status":"0"')).toBe(true);
    simulator.faults.set({ downUntil: clock.now() + 1000 });
    expect((await call('batchquerycardinfo', { msisdns: '1064826090232' })).response.status).toBe(
      503,
    );
    clock.advance(1000);
    expect((await call('batchquerycardinfo', { msisdns: '1064826090232' })).body.status).toBe('0');
  });

  it('fails single cards with item status "1" while the call succeeds', async () => {
    const { call, simulator } = setup({ faults: { partialFailureRate: 1 } });
    const { body } = await call('batchquerycardinfo', {
      msisdns: `1064826090232_${simulator.fleet.card(3).msisdn}`,
    });
    expect(body.status).toBe('0');
    expect(body.result.map((item) => item.status)).toEqual(['1', '1']);
  });
});
