import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import {
  quectelError,
  quectelParams,
  quectelSign,
  quectelSigningString,
  withQuectelSigning,
} from './quectel-protocol.js';

describe('quectel signing', () => {
  it('reproduces the document example (quectel-connectivity-api-v3.15.md §1.6.2)', () => {
    const params = {
      appKey: '000001',
      method: 'fc.function.card.info',
      t: '1732605510',
      msisdn: '1064868950247',
    };
    expect(quectelSigningString(params, 'abcdef')).toBe(
      'abcdefappKey000001methodfc.function.card.infomsisdn1064868950247t1732605510abcdef',
    );
    expect(quectelSign(params, 'abcdef')).toBe('7AAD18B95E908CB8F80AA3518A7E65426D4C7BBB');
  });

  it('reproduces the PROTOCOL-NOTES month-flow vector (appKey, iccid, method, month, t)', () => {
    const params = {
      t: '1732605510',
      month: '202411',
      method: 'fc.function.card.monthflow',
      iccid: '89860000000000000001',
      appKey: '000001',
    };
    expect(quectelSign(params, 'abcdef')).toBe('D81BE844C87A268634F3BE79EEF984E6FA58978A');
  });

  it('leaves alarmParam, alarmStatus and pauseStatus out of the signature', () => {
    const base = { appKey: '000001', method: 'fc.function.card.alarm.status', t: '1', msisdn: '1' };
    const signed = quectelSign(base, 's');
    expect(quectelSign({ ...base, alarmStatus: '1', pauseStatus: '0' }, 's')).toBe(signed);
    expect(quectelSign({ ...base, alarmParam: '{"alarmstatus":1}' }, 's')).toBe(signed);
    expect(quectelSign({ ...base, iccid: '2' }, 's')).not.toBe(signed);
  });

  it('sorts in byte order, so upper-case names come before lower-case ones', () => {
    expect(quectelSigningString({ b: '1', B: '2', a: '3' }, '')).toBe('B2a3b1');
  });

  it('does not send empty parameters', () => {
    expect(quectelParams({ a: '', b: null, c: undefined, d: 0, e: 'x' })).toEqual({
      d: '0',
      e: 'x',
    });
  });

  it('signs a form POST with t in Unix seconds', async () => {
    const clock = new ManualClock(1_732_605_510_999);
    let seen: { body: string; type: string | null; method: string | undefined } | undefined;
    const signed = withQuectelSigning(
      async (_input, init) => {
        seen = {
          body: String(init?.body),
          type: new Headers(init?.headers).get('content-type'),
          method: init?.method,
        };
        return new Response('{}');
      },
      { appKey: '000001', secret: 'abcdef', clock },
    );
    await signed('https://example.test/openapi/router', {
      body: new URLSearchParams({ method: 'fc.function.card.info', msisdn: '1064868950247' }),
    });
    const form = new URLSearchParams(seen!.body);
    expect(seen!.method).toBe('POST');
    expect(seen!.type).toContain('application/x-www-form-urlencoded');
    expect(form.get('t')).toBe('1732605510');
    expect(form.get('sign')).toBe('7AAD18B95E908CB8F80AA3518A7E65426D4C7BBB');
  });
});

describe('quectel result codes', () => {
  it('maps 70031 and the documented 签名错误 to a non-retryable auth failure', () => {
    expect(quectelError(70031, 'unauthorized').code).toBe('supplier_auth_failed');
    const signature = quectelError(1, '签名错误');
    expect(signature.code).toBe('supplier_auth_failed');
    expect(signature.retryable).toBe(false);
    expect(signature.supplierCode).toBe('1');
    expect(signature.supplierMessage).toBe('签名错误');
  });

  it('keeps unknown failures as supplier_rejected with the raw code and message', () => {
    const error = quectelError(1, '任务不存在');
    expect(error.code).toBe('supplier_rejected');
    expect(error.supplierMessage).toBe('任务不存在');
  });
});
