import { describe, expect, it } from 'vitest';
import gprs from './__fixtures__/v2-batchgprsusedbydate-response.json' with { type: 'json' };
import cardInfo from './__fixtures__/v2-batchquerycardinfo-response.json' with { type: 'json' };
import dailyUsage from './__fixtures__/v5-daily-usage-batch-response.json' with { type: 'json' };
import simStatus from './__fixtures__/v5-sim-status-response.json' with { type: 'json' };
import {
  field,
  mapOnelinkV5Status,
  nextTransid,
  onelinkV5Error,
  parseCstTime,
  parseEnvelope,
} from './onelink-v5-protocol.js';
import { itemFailed, readCardInfo, readSimStatus, readUsageItems } from './onelink-v5-records.js';

describe('onelink-v5 protocol', () => {
  it('builds transid as appid + CST yyyyMMddHHmmss + a monotonic 8-digit sequence', () => {
    // 2014-10-16 07:30:30 UTC is 15:30:30 CST, the time in the document's sample transid.
    const instant = Date.UTC(2014, 9, 16, 7, 30, 30);
    const first = nextTransid('100001', instant);
    const second = nextTransid('100001', instant);
    expect(first).toMatch(/^10000120141016153030\d{8}$/);
    expect(first.length).toBe('1000012014101615303080000001'.length);
    expect(Number(second.slice(-8))).toBe(Number(first.slice(-8)) + 1);
  });

  it('maps every documented cardStatus and keeps the raw code', () => {
    const expected = {
      '00': 'active',
      '01': 'suspended',
      '02': 'suspended',
      '03': 'pre_deactivated',
      '04': 'deactivated',
      '05': 'unknown',
      '06': 'inventory',
      '07': 'inventory',
      '99': 'unknown',
    } as const;
    for (const [raw, status] of Object.entries(expected)) {
      expect(mapOnelinkV5Status(raw)).toEqual({ status, raw });
    }
    expect(mapOnelinkV5Status('42')).toEqual({ status: 'unknown', raw: '42' });
    expect(mapOnelinkV5Status(null)).toEqual({ status: 'unknown', raw: null });
    expect(readSimStatus(parseEnvelope(simStatus).result[0]!).cardStatus).toBe('02');
  });

  it.each([
    ['12022', 'supplier_auth_failed', false],
    ['12004', 'supplier_auth_failed', false],
    ['12009', 'supplier_card_unknown', false],
    ['12010', 'supplier_card_unknown', false],
    ['12089', 'conflict', false],
    ['12098', 'supplier_rejected', false],
    ['11000', 'invalid_argument', false],
    ['71', 'supplier_throttled', true],
    ['99', 'supplier_unavailable', true],
    ['55555', 'supplier_rejected', false],
  ] as const)('maps status %s to %s', (code, expected, retryable) => {
    const error = onelinkV5Error(code, '原文', 'acct');
    expect(error.code).toBe(expected);
    expect(error.retryable).toBe(retryable);
    expect(error.supplierCode).toBe(code);
    expect(error.supplierMessage).toBe('原文');
  });

  it('reads the v2 batch card-info example (the envelope v5 keeps), item failures included', () => {
    const envelope = parseEnvelope(cardInfo);
    expect(envelope.status).toBe('0');
    const items = envelope.result.map(readCardInfo);
    expect(items[0]).toMatchObject({ iccid: '898602B2221430000006', msisdn: '1064826090209' });
    expect(items.map(itemFailed)).toEqual([false, false, true]);
    expect(items[2]!.itemStatus).toBe('25');
    expect(onelinkV5Error('25', items[2]!.itemMessage).code).toBe('supplier_card_unknown');
  });

  it('reads keys whatever their case (GPRS, MSISDN vs iccid)', () => {
    const item = parseEnvelope(gprs).result[0]!;
    expect(field(item, 'msisdn')).toBe('1064826090232');
    expect(field(item, 'iccid')).toBe('898602B2221340000878');
    expect(field(item, 'gprs')).toBeUndefined();
  });

  it('reads usage items, numbers sent as strings or numbers, absent amounts as null', () => {
    const items = readUsageItems(parseEnvelope(dailyUsage).result);
    expect(items.map((item) => item.dataAmount)).toEqual(['2048.5', '0', null]);
    expect(items[0]!.apnDataAmountList).toEqual([{ apnName: 'CMIOT', apnDataAmount: '2048.5' }]);
  });

  it('parses supplier times as CST', () => {
    const expected = Date.UTC(2024, 10, 20, 2, 31, 5);
    expect(parseCstTime('2024-11-20 10:31:05')).toBe(expected);
    expect(parseCstTime('20241120103105')).toBe(expected);
    expect(parseCstTime('20241120')).toBe(Date.UTC(2024, 10, 19, 16, 0, 0));
    expect(parseCstTime('yesterday')).toBeNull();
    expect(parseCstTime(null)).toBeNull();
  });

  it('refuses a body without a status as a bad response', () => {
    expect(() => parseEnvelope({ result: [] })).toThrow(/without a status/);
  });
});
