import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { CallCounter, type FetchFunction } from '../spec/index.js';
import { createOnelinkV2Adapter } from './onelink-v2-adapter.js';
import { createOnelinkV2Client } from './onelink-v2-client.js';
import { onelinkV2Definition } from './onelink-v2-definition.js';
import { createOnelinkV2Simulator } from './onelink-v2-simulator.js';

const APPID = 'A0B40MV';
const PASSWORD = 'conformance-password';
const EBIDS = { batchquerycardinfo: '0001000000928', batchgprsusedbydate: '0001000000027' };
const NOW = Date.UTC(2024, 10, 26, 2, 0, 0); // 2024-11-26 10:00 CST

function setup(options: { usageShape?: 'table' | 'example' } = {}) {
  const clock = new ManualClock(NOW);
  const simulator = createOnelinkV2Simulator({
    appid: APPID,
    password: PASSWORD,
    ebids: EBIDS,
    size: 300,
    clock,
    seed: 7,
    usageShape: options.usageShape,
  });
  const callCounter = new CallCounter();
  const account = (password: string) =>
    onelinkV2Definition.create(
      'onelink-main',
      onelinkV2Definition.parseSettings({
        baseUrl: 'http://onelink.test/v2',
        appid: APPID,
        password,
        ebids: EBIDS,
      }),
      { fetch: simulator.fetch, clock, rateLimit: 0, callCounter },
    );
  return {
    clock,
    simulator,
    callCounter,
    adapter: account(PASSWORD),
    badAdapter: account('wrong'),
  };
}

describe('OneLink v2 adapter', () => {
  it('declares identities and usage.daily, 100 per call, a 7-day window', () => {
    const { adapter } = setup();
    expect([...adapter.capabilities].sort()).toEqual(['identities', 'usage.daily']);
    expect(adapter.limits).toEqual({
      batchSize: { identities: 100, 'usage.daily': 100 },
      dailyUsageWindowDays: 7,
    });
    expect(adapter.supplier).toBe('onelink-v2');
    expect(adapter.doGetStatus).toBeUndefined();
  });

  it('offers only what the configured ebids allow', async () => {
    const clock = new ManualClock(NOW);
    const simulator = createOnelinkV2Simulator({
      appid: APPID,
      password: PASSWORD,
      ebids: EBIDS,
      size: 10,
      clock,
    });
    const client = createOnelinkV2Client({
      appid: APPID,
      password: PASSWORD,
      ebids: { batchgprsusedbydate: EBIDS.batchgprsusedbydate },
      fetch: simulator.fetch,
      clock,
      baseURL: 'http://onelink.test',
    });
    const adapter = createOnelinkV2Adapter({ accountId: 'usage-only', client });
    expect([...adapter.capabilities]).toEqual(['usage.daily']);
    expect(adapter.doGetIdentities).toBeUndefined();
    const result = await adapter.doGetDailyUsage!({
      date: '2024-11-20',
      cards: [{ key: 'a', msisdn: '1064826090232' }],
    });
    expect(result.items[0]!.ok).toBe(true);
  });

  it('resolves every identity of the document cards by any one of them', async () => {
    const { adapter } = setup();
    const result = await adapter.doGetIdentities!({
      cards: [
        { key: 'by-msisdn', msisdn: '1064826090232' },
        { key: 'by-imsi', imsi: '460040260900788' },
        { key: 'by-iccid', iccid: '898602b2221340000878' },
      ],
    });
    expect(result.items.map((item) => item.key)).toEqual(['by-msisdn', 'by-imsi', 'by-iccid']);
    for (const item of result.items) {
      expect(item).toMatchObject({
        ok: true,
        value: {
          msisdn: '1064826090232',
          iccid: '898602B2221340000878',
          imsi: '460040260900788',
          imei: null,
        },
      });
    }
    expect(result.response.bodies).toHaveLength(3);
  });

  it('asks a repeated number once and answers every card that carries it', async () => {
    const { adapter, simulator } = setup();
    const result = await adapter.doGetIdentities!({
      cards: [
        { key: 'a', msisdn: '1064826029898' },
        { key: 'b', msisdn: '1064826029898' },
      ],
    });
    expect(result.items.map((item) => item.ok)).toEqual([true, true]);
    expect(simulator.callLog.entries[0]!.params.msisdns).toBe('1064826029898');
  });

  it('answers a card without identifiers and a malformed one per item, without calling for them', async () => {
    const { adapter, simulator } = setup();
    const result = await adapter.doGetIdentities!({
      cards: [
        { key: 'none' },
        { key: 'bad', msisdn: '10648-26' },
        { key: 'good', msisdn: '1064826090232' },
      ],
    });
    const byKey = Object.fromEntries(result.items.map((item) => [item.key, item]));
    expect(byKey.none).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(byKey.bad).toMatchObject({ ok: false, error: { code: 'invalid_identifier' } });
    expect(byKey.good?.ok).toBe(true);
    expect(simulator.callLog.entries.map((entry) => entry.params.msisdns)).toEqual([
      '1064826090232',
    ]);
  });

  it('reads daily usage as KB × 1024 for the CST day asked', async () => {
    const { adapter, simulator, callCounter } = setup();
    const cards = [
      simulator.documentCards[0]!,
      ...Array.from({ length: 150 }, (_, i) => simulator.fleet.card(i)),
    ];
    const result = await adapter.doGetDailyUsage!({
      date: '2024-11-19',
      cards: cards.map((card, index) => ({ key: `k${index}`, iccid: card.iccid })),
    });
    expect(callCounter.byPath.get('/v2/batchgprsusedbydate')).toBe(2);
    expect(result.items).toHaveLength(151);
    result.items.forEach((item, index) => {
      expect(item).toEqual({
        key: `k${index}`,
        ok: true,
        value: { bytes: simulator.dailyKb(cards[index]!, '2024-11-19') * 1024 },
      });
    });
    expect(simulator.callLog.entries.every((entry) => entry.params.query_date === '20241119')).toBe(
      true,
    );
    expect(result.warnings).toEqual([]);
  });

  it('gives bytes null, never 0, when the answer has no GPRS (as the 2010 example)', async () => {
    const { adapter } = setup({ usageShape: 'example' });
    const result = await adapter.doGetDailyUsage!({
      date: '2024-11-25',
      cards: [{ key: 'a', msisdn: '1064826090232' }],
    });
    expect(result.items).toEqual([{ key: 'a', ok: true, value: { bytes: null } }]);
    expect(result.warnings.map((warning) => warning.type)).toEqual(['partial-data']);
  });

  it('maps item failures per card: unknown → supplier_card_unknown, injected → retryable', async () => {
    const { adapter, simulator } = setup();
    const unknown = await adapter.doGetDailyUsage!({
      date: '2024-11-25',
      cards: [
        { key: 'known', msisdn: '1064826090232' },
        { key: 'unknown', msisdn: '1064999999999' },
      ],
    });
    expect(unknown.items[1]).toMatchObject({
      ok: false,
      error: { code: 'supplier_card_unknown', supplierCode: '12', retryable: false },
    });
    simulator.faults.set({ partialFailureRate: 1 });
    const failed = await adapter.doGetIdentities!({
      cards: [{ key: 'x', msisdn: '1064826090232' }],
    });
    expect(failed.items[0]).toMatchObject({
      ok: false,
      error: { code: 'supplier_unavailable', supplierCode: '1', retryable: true },
    });
  });

  it('refuses a date outside the last 7 complete CST days before any call', async () => {
    const { adapter, simulator } = setup();
    for (const date of ['2024-11-26', '2024-11-18', '2024/11/20']) {
      await expect(
        adapter.doGetDailyUsage!({ date, cards: [{ key: 'a', msisdn: '1064826090232' }] }),
      ).rejects.toMatchObject({ code: 'invalid_argument', retryable: false });
    }
    expect(simulator.callLog.total).toBe(0);
  });

  it('turns a card the answer leaves out into a per-item bad response', async () => {
    const answer = JSON.stringify({
      status: '0',
      message: '正确',
      result: [{ iccid: '898602B2221340000878', msisdn: '1064826090232', imsi: '460040260900788' }],
    });
    const fetchFunction: FetchFunction = async () => new Response(answer);
    const client = createOnelinkV2Client({
      appid: APPID,
      password: PASSWORD,
      ebids: EBIDS,
      fetch: fetchFunction,
    });
    const adapter = createOnelinkV2Adapter({ accountId: 'other-server', client });
    const result = await adapter.doGetIdentities!({
      cards: [
        { key: 'listed', iccid: '898602B2221340000878' },
        { key: 'left-out', iccid: '898602B2221340001456' },
      ],
    });
    expect(result.items[0]!.ok).toBe(true);
    expect(result.items[1]).toMatchObject({ ok: false, error: { code: 'supplier_bad_response' } });
  });
});

describe('OneLink v2 adapter on the documents’ answers (any server speaking OneLink v2)', () => {
  const fixture = (name: string) =>
    readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
  const serving =
    (text: string): FetchFunction =>
    async () =>
      new Response(text);

  it('imports the 2111 example: two cards resolved, the third unknown, with a quirk warning', async () => {
    const client = createOnelinkV2Client({
      appid: 'A0B40MY',
      password: PASSWORD,
      ebids: EBIDS,
      fetch: serving(fixture('api2111-batchquerycardinfo-response.txt')),
    });
    const adapter = createOnelinkV2Adapter({ accountId: 'doc', client });
    const result = await adapter.doGetIdentities!({
      cards: ['898602B2221430000006', '898602B2221340000878', '89860010011631234571'].map(
        (iccid, index) => ({ key: `c${index}`, iccid }),
      ),
    });
    expect(result.items[0]).toMatchObject({
      ok: true,
      value: { msisdn: '1064826090209', imsi: '460040260908676' },
    });
    expect(result.items[1]).toMatchObject({
      ok: true,
      value: { msisdn: '1064826090212', imsi: '460040260900788' },
    });
    expect(result.items[2]).toMatchObject({
      ok: false,
      error: { code: 'supplier_card_unknown', supplierCode: '25' },
    });
    expect(result.warnings.map((warning) => warning.type)).toContain('document-quirk');
  });

  it('syncs the 2010 example: seven cards, bytes null since GPRS is absent', async () => {
    // 2017-06-26 10:00 CST, so the example's query_date 20170625 is yesterday.
    const client = createOnelinkV2Client({
      appid: 'A0B40MV',
      password: PASSWORD,
      ebids: EBIDS,
      fetch: serving(fixture('api2010-batchgprsusedbydate-response.json')),
      clock: new ManualClock(Date.UTC(2017, 5, 26, 2, 0, 0)),
    });
    const adapter = createOnelinkV2Adapter({ accountId: 'doc', client });
    const msisdns = [
      '1064826090232',
      '1064826029898',
      '1064826029896',
      '1064826090209',
      '1064826090283',
      '1064826090212',
      '1064826090284',
    ];
    const result = await adapter.doGetDailyUsage!({
      date: '2017-06-25',
      cards: msisdns.map((msisdn) => ({ key: msisdn, msisdn })),
    });
    expect(result.items).toEqual(msisdns.map((key) => ({ key, ok: true, value: { bytes: null } })));
  });
});
