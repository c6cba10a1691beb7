import { describe, expect, it } from 'vitest';
import { SimdockError } from '../../domain/index.js';
import type { SupplierError } from '../spec/index.js';
import vector from './__fixtures__/sm3-token-vector.json' with { type: 'json' };
import { isoCst, UnicomGwClient } from './unicom-gw-client.js';
import {
  mapUnicomGwStatus,
  parseUnicomGwTime,
  readUnicomGwAnswer,
  resolveUnicomGwPaths,
  unicomGwBillingMonth,
  unicomGwCycleBounds,
  unicomGwTimestamp,
  unicomGwToken,
  unicomGwTransId,
  wireBillingCycle,
} from './unicom-gw-protocol.js';

const cst = (y: number, m: number, d: number, h = 0, mi = 0, s = 0, ms = 0) =>
  Date.UTC(y, m - 1, d, h - 8, mi, s, ms);

describe('unicom-gw protocol (cn-carriers-notes.md, China Unicom)', () => {
  it('computes the notes’ SM3 token vector', () => {
    expect(
      unicomGwToken({
        appId: vector.app_id,
        timestamp: vector.timestamp,
        transId: vector.trans_id,
        appSecret: vector.app_secret,
      }),
    ).toBe(vector.token);
  });

  it('changes the token when any input changes (the key names are part of the input)', () => {
    const base = { appId: 'a', timestamp: 't', transId: 'x', appSecret: 's' };
    const token = unicomGwToken(base);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(unicomGwToken({ ...base, appSecret: 'S' })).not.toBe(token);
    expect(unicomGwToken({ ...base, appId: 'ax', transId: '' })).not.toBe(token);
  });

  it('stamps CST with a space before the milliseconds, and trans_id as those digits + 6', () => {
    const stamp = unicomGwTimestamp(cst(2024, 1, 2, 3, 4, 5, 678));
    expect(stamp).toBe('2024-01-02 03:04:05 678');
    expect(unicomGwTransId(stamp, () => 123456)).toBe('20240102030405678123456');
    expect(unicomGwTransId(stamp, () => 42)).toBe('20240102030405678000042');
  });

  it('builds the envelope the notes describe, signed over its own fields', () => {
    const client = new UnicomGwClient({
      appId: vector.app_id,
      appSecret: vector.app_secret,
      openId: 'open-1',
      fetch: () => Promise.reject(new Error('no call')),
      clock: { now: () => cst(2024, 1, 2, 3, 4, 5, 678), sleep: async () => {} },
      random: () => 123456,
    });
    const envelope = client.envelope({ iccids: ['1'] });
    expect(envelope).toMatchObject({
      app_id: vector.app_id,
      timestamp: vector.timestamp,
      trans_id: vector.trans_id,
      token: vector.token,
      data: { openId: 'open-1', version: '1.0', iccids: ['1'] },
    });
    expect(typeof (envelope.data as { messageId: unknown }).messageId).toBe('string');
    // A second call in the same millisecond gets another trans_id (the gateway refuses repeats).
    const next = client.envelope({});
    expect(next.trans_id).toBe('20240102030405678123457');
    expect(next.token).not.toBe(vector.token);
  });

  it('names a billing cycle by the month it ends in: the 28th belongs to the next month', () => {
    expect(unicomGwBillingMonth(cst(2024, 11, 26, 23, 59, 59))).toBe('2024-11');
    expect(unicomGwBillingMonth(cst(2024, 11, 27))).toBe('2024-12');
    expect(unicomGwBillingMonth(cst(2024, 11, 28, 12))).toBe('2024-12');
    expect(unicomGwBillingMonth(cst(2024, 12, 28))).toBe('2025-01');
    expect(unicomGwBillingMonth(cst(2024, 11, 28), 1)).toBe('2024-11');
    expect(unicomGwCycleBounds('2024-12')).toEqual({ first: '2024-11-27', last: '2024-12-26' });
    expect(unicomGwCycleBounds('2025-01')).toEqual({ first: '2024-12-27', last: '2025-01-26' });
    expect(unicomGwCycleBounds('2024-02', 1)).toEqual({ first: '2024-02-01', last: '2024-02-29' });
    expect(wireBillingCycle('2024-12')).toBe('202412');
  });

  it('maps every simStatus code, keeping the raw value; unknown codes stay unknown', () => {
    const expected = {
      '0': 'test',
      '1': 'inventory',
      '2': 'active',
      '3': 'suspended',
      '4': 'pre_deactivated',
      '5': 'deactivated',
      '6': 'deactivated',
      '7': 'inventory',
      '8': 'unknown',
      '9': 'pre_deactivated',
      ACTIVATED: 'active',
    };
    for (const [raw, status] of Object.entries(expected)) {
      expect(mapUnicomGwStatus(raw)).toEqual({ status, raw });
    }
    expect(mapUnicomGwStatus(null)).toEqual({ status: 'unknown', raw: null });
  });

  it('reads answers: gateway status first, then the operation resultCode, raw codes kept', () => {
    expect(readUnicomGwAnswer({ status: '0000', data: { resultCode: '0000', x: 1 } })).toEqual({
      resultCode: '0000',
      x: 1,
    });
    const gateway = catchError(() =>
      readUnicomGwAnswer({ status: '1001', message: 'token 校验失败' }),
    );
    expect(gateway.code).toBe('supplier_auth_failed');
    expect(gateway.supplierCode).toBe('1001');
    expect(gateway.retryable).toBe(false);
    const cycle = catchError(() =>
      readUnicomGwAnswer({
        status: '0000',
        data: { resultCode: '1074', resultMsg: '账期超出范围' },
      }),
    );
    expect(cycle.code).toBe('invalid_argument');
    expect(cycle.supplierCode).toBe('1074');
    const other = catchError(() =>
      readUnicomGwAnswer({ status: '0000', data: { resultCode: '4242' } }),
    );
    expect(other.code).toBe('supplier_rejected');
    expect(catchError(() => readUnicomGwAnswer('<html>')).code).toBe('supplier_bad_response');
    expect(catchError(() => readUnicomGwAnswer({ status: '0000' })).code).toBe(
      'supplier_bad_response',
    );
  });

  it('keeps one path per operation, overridable, and refuses unknown operations', () => {
    const paths = resolveUnicomGwPaths({
      wsGetTerminalUsage: '/api/wsGetTerminalUsage/V1/1Main/vV1.2',
    });
    expect(paths.wsGetTerminalDetails).toBe('/api/wsGetTerminalDetails/V1/1Main/vV1.1');
    expect(paths.wsGetTerminalUsage).toBe('/api/wsGetTerminalUsage/V1/1Main/vV1.2');
    const error = catchError(() => resolveUnicomGwPaths({ wsNope: '/x' }));
    expect(SimdockError.isInstance(error) && error.code).toBe('config_error');
    expect(catchError(() => resolveUnicomGwPaths({ wsEditTerminal: 'x' })).code).toBe(
      'config_error',
    );
  });

  it('parses the gateway’s times: CST with either millisecond form, and ISO with an offset', () => {
    const instant = cst(2018, 12, 5, 10, 23, 35, 649);
    expect(parseUnicomGwTime('2018-12-05 10:23:35 649')).toBe(instant);
    expect(parseUnicomGwTime('2018-12-05 10:23:35.649')).toBe(instant);
    expect(parseUnicomGwTime('2018-12-05 10:23:35')).toBe(cst(2018, 12, 5, 10, 23, 35));
    expect(parseUnicomGwTime('2018-12-05T02:23:35.649Z')).toBe(instant);
    expect(parseUnicomGwTime('2018-12-05T10:23:35.649+0800')).toBe(instant);
    expect(parseUnicomGwTime('')).toBeNull();
    expect(parseUnicomGwTime('yesterday')).toBeNull();
    expect(isoCst(instant)).toBe('2018-12-05T10:23:35+08:00');
  });
});

function catchError(task: () => unknown): SupplierError {
  try {
    task();
  } catch (error) {
    return error as SupplierError;
  }
  throw new Error('expected an error');
}
