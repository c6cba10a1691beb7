import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import vectors from './__fixtures__/m2m10086-vectors.json' with { type: 'json' };
import { createM2mClient } from './m2m10086-client.js';
import {
  decodeContent,
  encodeContent,
  generateSendkey,
  isValidSendkey,
  M2M_SIGNED_FIELDS,
  type M2mEndpoint,
  m2mError,
  m2mRequestTime,
  m2mSign,
} from './m2m10086-protocol.js';
import { checkRequest } from './m2m10086-simulator-rules.js';

const account = { partnercode: 'P001', servicecode: 'S0001' };

describe('m2m10086 sign vectors (PROTOCOL-NOTES)', () => {
  it.each(vectors.vectors)('$name', (vector) => {
    const endpoint = vector.endpoint as M2mEndpoint;
    const fields = vector.fields as unknown as Record<string, string>;
    const values = M2M_SIGNED_FIELDS[endpoint].map((name) => fields[name]!);
    expect(m2mSign([vector.password, vectors.requesttime, ...values])).toBe(vector.sign);
    // The simulator's independent checker accepts the same body.
    const body = { ...account, requesttime: vectors.requesttime, sign: vector.sign, ...fields };
    const checked = checkRequest(endpoint, body, { ...account, password: vector.password });
    expect(checked).toMatchObject({ ok: true });
  });

  it('URL-encodes SMS content into the signed form of the vector', () => {
    const vector = vectors.vectors[3]!;
    expect(encodeContent(vector.text!)).toBe(vector.fields.content);
    expect(decodeContent(vector.fields.content!)).toBe(vector.text);
    expect(decodeContent('%E6%B5%99%E6%B1%9F')).toBe('浙江');
    expect(decodeContent('a+b')).toBe('a b');
    expect(decodeContent('%E6%B5')).toBeNull();
  });

  it('rejects a sign that is off by one field in the simulator checker', () => {
    const vector = vectors.vectors[1]!;
    const body = {
      ...account,
      requesttime: vectors.requesttime,
      sign: vector.sign,
      ...vector.fields,
      status: '1_2_3',
    };
    expect(checkRequest('searchTermInfo', body, { ...account, password: vector.password })).toEqual(
      { ok: false, status: '0013', message: '签名(sign)错误' },
    );
  });

  it('signs what the client sends, in the documented order', () => {
    const client = createM2mClient({
      ...account,
      password: '1234ABcd12',
      clock: new ManualClock(),
    });
    const body = client.signedBody(
      'smsSend',
      vectors.vectors[3]!.fields as unknown as Record<string, string>,
    );
    expect(Object.keys(body)).toEqual([
      'partnercode',
      'servicecode',
      'requesttime',
      'sign',
      'sendkey',
      'mobiletype',
      'mobile',
      'content',
    ]);
    const expected = m2mSign([
      '1234abcd12',
      body.requesttime,
      'a1b2c3d4e5f6a7b8',
      '0',
      '1064837284388',
      '%7B%22cmd%22%3A%22RESET%22%7D',
    ]);
    expect(body.sign).toBe(expected);
  });
});

describe('m2m10086 requesttime and sendkey', () => {
  it('formats requesttime in CST with an 8-digit sequence that never repeats', () => {
    // 2024-11-26 02:00:00 UTC is 10:00:00 CST.
    const instant = Date.UTC(2024, 10, 26, 2, 0, 0);
    const first = m2mRequestTime(instant);
    const second = m2mRequestTime(instant);
    expect(first).toMatch(/^20241126100000\d{8}$/);
    expect(second).not.toBe(first);
    // Just before midnight UTC is already the next day in CST.
    expect(m2mRequestTime(Date.UTC(2024, 10, 26, 16, 30, 0)).slice(0, 14)).toBe('20241127003000');
  });

  it('generates 16-character letter/digit sendkeys, unique', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateSendkey()));
    expect(keys.size).toBe(1000);
    for (const key of keys) expect(isValidSendkey(key)).toBe(true);
    expect(isValidSendkey('short')).toBe(false);
    expect(isValidSendkey('a1b2c3d4e5f6a7b!')).toBe(false);
  });
});

describe('m2m10086 response codes (§4.1)', () => {
  it.each([
    ['0001', 'supplier_unavailable', true],
    ['0002', 'supplier_auth_failed', false],
    ['0011', 'supplier_auth_failed', false],
    ['0012', 'supplier_auth_failed', false],
    ['0013', 'supplier_auth_failed', false],
    ['0014', 'supplier_card_unknown', false],
    ['0015', 'invalid_argument', false],
    ['0016', 'supplier_balance_exhausted', false],
    ['0018', 'invalid_argument', false],
    ['0019', 'not_found', false],
    ['0021', 'supplier_balance_exhausted', false],
    ['0022', 'invalid_argument', false],
    ['0023', 'invalid_argument', false],
    ['0024', 'conflict', false],
    ['0025', 'invalid_argument', false],
    ['0030', 'supplier_balance_exhausted', false],
    ['0031', 'supplier_rejected', false],
    ['0032', 'not_found', false],
    ['0099', 'supplier_rejected', false],
  ] as const)('%s → %s (retryable %s)', (code, errorCode, retryable) => {
    const error = m2mError(code, null, 'account-1');
    expect(error.code).toBe(errorCode);
    expect(error.retryable).toBe(retryable);
    expect(error.supplierCode).toBe(code);
    expect(error.accountId).toBe('account-1');
  });
});
