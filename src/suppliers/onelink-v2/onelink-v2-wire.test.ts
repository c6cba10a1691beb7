import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SupplierError } from '../spec/index.js';
import { onelinkV2SupplierCard } from './onelink-v2-adapter.js';
import {
  isOnelinkV2ItemOk,
  lowerCaseKeys,
  onelinkV2CardInfoSchema,
  onelinkV2GprsSchema,
  parseOnelinkV2Json,
  REPAIRED_COMMA_WARNING,
  unwrapOnelinkV2,
} from './onelink-v2-wire.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

describe('the 2111 response example (verbatim, missing a comma)', () => {
  const text = fixture('api2111-batchquerycardinfo-response.txt');

  it('is not valid JSON as published', () => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('is read after the missing-comma repair, with a document-quirk warning', () => {
    const { body, warnings } = parseOnelinkV2Json(text);
    expect(warnings).toEqual([REPAIRED_COMMA_WARNING]);
    const items = unwrapOnelinkV2(body, onelinkV2CardInfoSchema);
    expect(items.map((item) => [item.status, item.iccid])).toEqual([
      ['0', '898602B2221430000006'],
      ['0', '898602B2221340000878'],
      ['25', '89860010011631234571'],
    ]);
  });

  it('parses into domain identities; the unknown ICCID keeps its item status 25', () => {
    const items = unwrapOnelinkV2(parseOnelinkV2Json(text).body, onelinkV2CardInfoSchema);
    expect(onelinkV2SupplierCard(items[0]!)).toEqual({
      iccid: '898602B2221430000006',
      msisdn: '1064826090209',
      imsi: '460040260908676',
      imei: null,
    });
    // This example pairs ICCID …0878 and IMSI 460040260900788 with MSISDN 1064826090212; the
    // 2010 example pairs them with 1064826090232. Each answer is read as it comes.
    expect(onelinkV2SupplierCard(items[1]!)).toEqual({
      iccid: '898602B2221340000878',
      msisdn: '1064826090212',
      imsi: '460040260900788',
      imei: null,
    });
    expect(isOnelinkV2ItemOk(items[2]!)).toBe(false);
    expect(items[2]!.message).toBe('ICCID号不是所查询的集团下的用户');
  });
});

describe('the 2010 response example (upper-case keys, no GPRS)', () => {
  const text = fixture('api2010-batchgprsusedbydate-response.json');

  it('parses without repair; every item is a success without its own status', () => {
    const { body, warnings } = parseOnelinkV2Json(text);
    expect(warnings).toEqual([]);
    const items = unwrapOnelinkV2(body, onelinkV2GprsSchema);
    expect(items).toHaveLength(7);
    expect(items.every(isOnelinkV2ItemOk)).toBe(true);
    // GPRS is absent from the example: unknown (null), never 0. SMS stays an extra field.
    expect(items.every((item) => item.gprs === null)).toBe(true);
    expect(items[0]!.sms).toBe('0');
  });

  it('parses into the identities MSISDN 1064826090232 ↔ ICCID 898602B2221340000878 ↔ IMSI 460040260900788', () => {
    const items = unwrapOnelinkV2(parseOnelinkV2Json(text).body, onelinkV2GprsSchema);
    expect(onelinkV2SupplierCard(items[0]!)).toEqual({
      iccid: '898602B2221340000878',
      msisdn: '1064826090232',
      imsi: '460040260900788',
      imei: null,
      extra: { gprs: null, sms: '0' },
    });
    expect(items.map((item) => item.msisdn)).toEqual([
      '1064826090232',
      '1064826029898',
      '1064826029896',
      '1064826090209',
      '1064826090283',
      '1064826090212',
      '1064826090284',
    ]);
  });
});

describe('parseOnelinkV2Json', () => {
  it('repairs only a missing comma between a line-ending value and a key', () => {
    const repaired = parseOnelinkV2Json(
      '{\n "a": 1\n "b": true\n "c": null\n "d": {"x": "y"}\n "e": 2}',
    );
    expect(repaired.body).toEqual({ a: 1, b: true, c: null, d: { x: 'y' }, e: 2 });
  });

  it('keeps a truncated answer an error: retryable supplier_bad_response', () => {
    const error = catchError(() => parseOnelinkV2Json('{"status":"0","message":"正确","res', 200));
    expect(error.code).toBe('supplier_bad_response');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('{"status":"0"');
  });

  it('does not touch strings that merely look like keys', () => {
    expect(() => parseOnelinkV2Json('{"a": "x"\n"b" "c"}')).toThrow(SupplierError);
    expect(parseOnelinkV2Json('{"a": "line \\"b\\": 1"}').body).toEqual({ a: 'line "b": 1' });
  });
});

describe('unwrapOnelinkV2', () => {
  it('reads keys case-insensitively and numbers sent as numbers', () => {
    const items = unwrapOnelinkV2(
      { STATUS: 0, Message: '正确', RESULT: [{ Gprs: 2048.5, MSISDN: 1064826090232 }] },
      onelinkV2GprsSchema,
    );
    expect(items[0]).toMatchObject({ gprs: '2048.5', msisdn: '1064826090232', status: null });
  });

  it('throws the mapped error when the envelope status is not "0"', () => {
    const error = catchError(() =>
      unwrapOnelinkV2(
        { status: '71', message: '已超出API最大流控限制', result: [] },
        onelinkV2CardInfoSchema,
        'acct',
      ),
    );
    expect(error.code).toBe('supplier_throttled');
    expect(error.retryable).toBe(true);
    expect(error.supplierCode).toBe('71');
    expect(error.accountId).toBe('acct');
  });

  it('treats a missing result as empty and an envelope without status as a bad response', () => {
    expect(unwrapOnelinkV2({ status: '0', message: '正确' }, onelinkV2CardInfoSchema)).toEqual([]);
    expect(catchError(() => unwrapOnelinkV2({ message: 'x' }, onelinkV2CardInfoSchema)).code).toBe(
      'supplier_bad_response',
    );
    expect(
      catchError(() => unwrapOnelinkV2({ status: '0', result: 'oops' }, onelinkV2CardInfoSchema))
        .code,
    ).toBe('supplier_bad_response');
  });

  it('lowerCaseKeys keeps the first of two keys that differ only by case', () => {
    expect(lowerCaseKeys({ ICCID: 'A', iccid: 'B', list: [{ X: 1 }] })).toEqual({
      iccid: 'A',
      list: [{ x: 1 }],
    });
  });
});

function catchError(action: () => unknown): SupplierError {
  try {
    action();
  } catch (error) {
    if (SupplierError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an error');
}
