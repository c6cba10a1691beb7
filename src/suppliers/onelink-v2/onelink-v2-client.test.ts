import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock, SimdockError } from '../../domain/index.js';
import { type FetchFunction, SupplierError, supplierTransport } from '../spec/index.js';
import { createOnelinkV2Client, onelinkV2ApiRoot } from './onelink-v2-client.js';
import { OnelinkV2TransidSequence, onelinkV2Token } from './onelink-v2-protocol.js';
import { createOnelinkV2Simulator } from './onelink-v2-simulator.js';

const APPID = '100001';
const PASSWORD = 'Passw0rd';
const EBIDS = { batchquerycardinfo: '0001000000928', batchgprsusedbydate: '0001000000027' };
const NOW = Date.UTC(2024, 10, 26, 2, 0, 0); // 2024-11-26 10:00 CST

function setup(overrides: { password?: string; method?: 'GET' | 'POST'; size?: number } = {}) {
  const clock = new ManualClock(NOW);
  const simulator = createOnelinkV2Simulator({
    appid: APPID,
    password: PASSWORD,
    ebids: EBIDS,
    size: overrides.size ?? 500,
    clock,
  });
  const client = createOnelinkV2Client({
    baseURL: 'http://onelink.test/v2',
    appid: APPID,
    password: overrides.password ?? PASSWORD,
    ebids: EBIDS,
    fetch: supplierTransport({ fetch: simulator.fetch, clock }),
    clock,
    method: overrides.method,
  });
  return { clock, simulator, client };
}

/** A fetch that records each request and answers with `text`. */
function recordingFetch(text: string, status = 200) {
  const requests: { url: URL; method: string }[] = [];
  const fetchFunction: FetchFunction = async (input, init) => {
    const request = new Request(input, init);
    requests.push({ url: new URL(request.url), method: request.method });
    return new Response(text, { status, headers: { 'content-type': 'application/json' } });
  };
  return { requests, fetchFunction };
}

describe('OneLink v2 client: the request on the wire', () => {
  it('puts appid, transid, ebid, token first, then the numbers joined with "_"', async () => {
    const { requests, fetchFunction } = recordingFetch(
      '{"status":"0","message":"正确","result":[]}',
    );
    // 2014-10-16 15:30:30 CST with sequence 80000001: the documents' transid sample.
    const client = createOnelinkV2Client({
      appid: APPID,
      password: PASSWORD,
      ebids: EBIDS,
      fetch: fetchFunction,
      clock: new ManualClock(Date.UTC(2014, 9, 16, 7, 30, 30)),
      transidSequence: new OnelinkV2TransidSequence(80_000_001),
    });
    await client.batchquerycardinfo({ msisdns: ['1064826090232', '1064826029898'] });
    const { url, method } = requests[0]!;
    expect(method).toBe('GET');
    expect(`${url.origin}${url.pathname}`).toBe('https://api.iot.10086.cn/v2/batchquerycardinfo');
    expect([...url.searchParams.keys()]).toEqual(['appid', 'transid', 'ebid', 'token', 'msisdns']);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      appid: '100001',
      transid: '1000012014101615303080000001',
      ebid: '0001000000928',
      token: 'a2b7ef0157fc56c74760f3384bad6db6eb163dd7f5f0bdd579e538f616602bcb',
      msisdns: '1064826090232_1064826029898',
    });
  });

  it('sends query_date in yyyyMMdd, upper-cases ICCID letters, and POSTs when asked', async () => {
    const { requests, fetchFunction } = recordingFetch(
      '{"status":"0","message":"正确","result":[]}',
    );
    const clock = new ManualClock(NOW);
    const client = createOnelinkV2Client({
      baseURL: 'https://example.test/',
      appid: APPID,
      password: PASSWORD,
      ebids: EBIDS,
      fetch: fetchFunction,
      clock,
      method: 'POST',
    });
    await client.batchgprsusedbydate({
      iccids: ['898602b2221340000878'],
      query_date: '2024-11-25',
    });
    const { url, method } = requests[0]!;
    expect(method).toBe('POST');
    expect(url.pathname).toBe('/v2/batchgprsusedbydate');
    expect(url.searchParams.get('query_date')).toBe('20241125');
    expect(url.searchParams.get('iccids')).toBe('898602B2221340000878');
    expect(url.searchParams.get('ebid')).toBe(EBIDS.batchgprsusedbydate);
    const transid = url.searchParams.get('transid')!;
    expect(transid).toMatch(/^10000120241126100000\d{8}$/);
    expect(url.searchParams.get('token')).toBe(onelinkV2Token(APPID, PASSWORD, transid));
  });

  it('normalizes the API root', () => {
    expect(onelinkV2ApiRoot()).toBe('https://api.iot.10086.cn/v2');
    expect(onelinkV2ApiRoot('https://api.iot.10086.cn')).toBe('https://api.iot.10086.cn/v2');
    expect(onelinkV2ApiRoot('http://127.0.0.1:8081/gateway/v2/')).toBe(
      'http://127.0.0.1:8081/gateway/v2',
    );
  });

  it('makes no call and fails clearly without the endpoint’s ebid', async () => {
    const { requests, fetchFunction } = recordingFetch('{}');
    const client = createOnelinkV2Client({
      appid: APPID,
      password: PASSWORD,
      ebids: { batchquerycardinfo: '1' },
      fetch: fetchFunction,
      clock: new ManualClock(NOW),
    });
    expect([...client.endpoints]).toEqual(['batchquerycardinfo']);
    const error = await failure(
      client.batchgprsusedbydate({ msisdns: ['1064826090232'], query_date: '20241125' }),
    );
    expect(error).toMatchObject({ code: 'config_error' });
    expect(requests).toHaveLength(0);
  });
});

describe('OneLink v2 client: checks before calling', () => {
  it.each(['20241126', '20241118', '2024-02-30'])(
    'refuses query_date %s without calling',
    async (date) => {
      const { client, simulator } = setup();
      const error = await failure(
        client.batchgprsusedbydate({ msisdns: ['1064826090232'], query_date: date }),
      );
      expect(SupplierError.isInstance(error)).toBe(true);
      expect(error.code).toBe('invalid_argument');
      expect(simulator.callLog.total).toBe(0);
    },
  );

  it('refuses malformed numbers and a mix of kinds without calling', async () => {
    const { client, simulator } = setup();
    await expect(client.batchquerycardinfo({ msisdns: ['1064_826'] })).rejects.toMatchObject({
      code: 'invalid_identifier',
    });
    await expect(
      client.batchquerycardinfo({ msisdns: ['1064826090232'], iccids: [] } as never),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(simulator.callLog.total).toBe(0);
  });

  it('makes no call for an empty list', async () => {
    const { client, simulator } = setup();
    expect(await client.batchquerycardinfo({ imsis: [] })).toEqual({
      result: [],
      warnings: [],
      bodies: [],
    });
    expect(simulator.callLog.total).toBe(0);
  });
});

describe('OneLink v2 client against the simulator', () => {
  it('chunks 250 numbers into calls of 100, 100 and 50, answers in order', async () => {
    const { client, simulator } = setup();
    const cards = Array.from({ length: 250 }, (_, index) => simulator.fleet.card(index));
    const answer = await client.batchquerycardinfo({ iccids: cards.map((card) => card.iccid) });
    expect(simulator.callLog.count('/v2/batchquerycardinfo')).toBe(3);
    expect(
      simulator.callLog.entries.map((entry) => entry.params.iccids!.split('_').length),
    ).toEqual([100, 100, 50]);
    expect(answer.bodies).toHaveLength(3);
    expect(answer.result.map((item) => item.msisdn)).toEqual(cards.map((card) => card.msisdn));
    expect(new Set(simulator.callLog.entries.map((entry) => entry.params.transid)).size).toBe(3);
  });

  it('reads upper-case 2010 items: GPRS in KB per card and day', async () => {
    const { client, simulator } = setup();
    const card = simulator.findCard('msisdn', '1064826090232')!;
    const answer = await client.batchgprsusedbydate({
      msisdns: ['1064826090232'],
      query_date: '20241119',
    });
    expect(answer.result[0]).toMatchObject({
      iccid: '898602B2221340000878',
      imsi: '460040260900788',
      gprs: String(simulator.dailyKb(card, '2024-11-19')),
    });
  });

  it('works with POST as with GET', async () => {
    const { client } = setup({ method: 'POST' });
    const answer = await client.batchquerycardinfo({ imsis: ['460040260900788'] });
    expect(answer.result[0]).toMatchObject({ status: '0', msisdn: '1064826090232' });
  });

  it('returns per-item statuses for unknown cards, the call itself succeeding', async () => {
    const { client } = setup();
    const answer = await client.batchquerycardinfo({
      iccids: ['898602B2221340000878', '89860010011631234571'],
    });
    expect(answer.result.map((item) => item.status)).toEqual(['0', '25']);
  });

  it('throws the mapped error of a non-"0" envelope: bad token → supplier_auth_failed', async () => {
    const { client } = setup({ password: 'wrong' });
    const error = await failure(client.batchquerycardinfo({ msisdns: ['1064826090232'] }));
    expect(error).toMatchObject({
      code: 'supplier_auth_failed',
      supplierCode: '7',
      retryable: false,
    });
    expect(error.supplierMessage).toBe('Token鉴权不通过');
  });

  it.each([
    ['throttleRate', 'supplier_throttled', '71'],
    ['serverErrorRate', 'supplier_unavailable', null],
    ['malformedRate', 'supplier_bad_response', null],
  ] as const)('turns %s into a retryable %s', async (knob, code, supplierCode) => {
    const { client, simulator } = setup();
    simulator.faults.set({ [knob]: 1 });
    const error = await failure(client.batchquerycardinfo({ msisdns: ['1064826090232'] }));
    expect(error).toMatchObject({ code, retryable: true, supplierCode });
  });

  it('stops on an aborted signal before calling', async () => {
    const { client, simulator } = setup();
    const controller = new AbortController();
    controller.abort(new SimdockError('cancelled', 'stopped'));
    await expect(
      client.batchquerycardinfo({ msisdns: ['1064826090232'] }, { abortSignal: controller.signal }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(simulator.callLog.total).toBe(0);
  });
});

describe('OneLink v2 client against any server speaking the documents’ answers', () => {
  it('reads the verbatim 2111 example (missing comma) with a warning', async () => {
    const text = readFileSync(
      new URL('./__fixtures__/api2111-batchquerycardinfo-response.txt', import.meta.url),
      'utf8',
    );
    const { fetchFunction } = recordingFetch(text);
    const client = createOnelinkV2Client({
      appid: 'A0B40MY',
      password: PASSWORD,
      ebids: EBIDS,
      fetch: fetchFunction,
    });
    const answer = await client.batchquerycardinfo({
      iccids: ['898602B2221430000006', '898602B2221340000878', '89860010011631234571'],
    });
    expect(answer.warnings.map((warning) => warning.type)).toEqual(['document-quirk']);
    expect(answer.result.map((item) => item.msisdn)).toEqual([
      '1064826090209',
      '1064826090212',
      null,
    ]);
  });

  it('maps an HTTP error whose body is not an envelope by its status', async () => {
    const { fetchFunction } = recordingFetch('<html>Forbidden</html>', 403);
    const client = createOnelinkV2Client({
      appid: APPID,
      password: PASSWORD,
      ebids: EBIDS,
      fetch: fetchFunction,
    });
    await expect(client.batchquerycardinfo({ msisdns: ['1064826090232'] })).rejects.toMatchObject({
      code: 'supplier_rejected',
      httpStatus: 403,
    });
  });
});

/** The SupplierError a call failed with (fails the test when it succeeds). */
async function failure(call: Promise<unknown>): Promise<SupplierError> {
  const error = await call.then(
    () => new Error('expected the call to fail'),
    (caught: unknown) => caught,
  );
  if (!SupplierError.isInstance(error)) throw error;
  return error;
}
