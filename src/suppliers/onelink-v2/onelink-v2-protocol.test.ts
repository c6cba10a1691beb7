import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { SupplierError } from '../spec/index.js';
import {
  checkOnelinkV2QueryDate,
  OnelinkV2TransidSequence,
  onelinkV2DailyWindow,
  onelinkV2Error,
  onelinkV2Token,
  onelinkV2TransidGenerator,
  processTransidSequence,
} from './onelink-v2-protocol.js';

describe('onelinkV2Token', () => {
  it('matches the PROTOCOL-NOTES.md vector (appid 100001, Passw0rd, the documents’ transid)', () => {
    expect(onelinkV2Token('100001', 'Passw0rd', '1000012014101615303080000001')).toBe(
      'a2b7ef0157fc56c74760f3384bad6db6eb163dd7f5f0bdd579e538f616602bcb',
    );
  });

  it('is 64 lowercase hex characters and changes with every input', () => {
    const token = onelinkV2Token('A0B40MY', 'secret', 'A0B40MY2016101711070753214709');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(onelinkV2Token('A0B40MY', 'secreT', 'A0B40MY2016101711070753214709')).not.toBe(token);
  });
});

describe('transid', () => {
  it('is appid + yyyyMMddHHmmss in CST + 8 digits, like the documents’ sample', () => {
    // 2014-10-16 15:30:30 CST = 07:30:30 UTC: the sample 1000012014101615303080000001.
    const clock = new ManualClock(Date.UTC(2014, 9, 16, 7, 30, 30));
    const sequence = new OnelinkV2TransidSequence(80_000_001);
    const next = onelinkV2TransidGenerator('100001', { clock, sequence });
    expect(next()).toBe('1000012014101615303080000001');
    expect(next()).toBe('1000012014101615303080000002');
  });

  it('formats the time in CST whatever the host zone, across the UTC date line', () => {
    // 2024-11-25 16:00:00 UTC is already 2024-11-26 00:00:00 in CST.
    const clock = new ManualClock(Date.UTC(2024, 10, 25, 16, 0, 0));
    const next = onelinkV2TransidGenerator('A0B40MY', {
      clock,
      sequence: new OnelinkV2TransidSequence(),
    });
    expect(next()).toBe('A0B40MY2024112600000000000001');
  });

  it('uses one monotonic counter per process, shared by every generator', () => {
    const clock = new ManualClock();
    const first = onelinkV2TransidGenerator('100001', { clock });
    const second = onelinkV2TransidGenerator('200002', { clock });
    const values = [first(), second(), first(), second()].map((transid) =>
      Number(transid.slice(-8)),
    );
    for (let index = 1; index < values.length; index += 1) {
      expect(values[index]).toBe(values[index - 1]! + 1);
    }
    expect(processTransidSequence).toBeInstanceOf(OnelinkV2TransidSequence);
  });

  it('never repeats within a second and wraps after 99999999 to 00000001', () => {
    const sequence = new OnelinkV2TransidSequence(99_999_998);
    expect([sequence.next(), sequence.next(), sequence.next()]).toEqual([
      '99999998',
      '99999999',
      '00000001',
    ]);
    const clock = new ManualClock();
    const next = onelinkV2TransidGenerator('100001', {
      clock,
      sequence: new OnelinkV2TransidSequence(),
    });
    const seen = new Set(Array.from({ length: 1000 }, () => next()));
    expect(seen.size).toBe(1000);
  });

  it('refuses an appid that would make transid longer than 48 characters', () => {
    expect(() => onelinkV2TransidGenerator('x'.repeat(27))).toThrow(/at most|1–26/);
    const next = onelinkV2TransidGenerator('x'.repeat(26), { clock: new ManualClock() });
    expect(next()).toHaveLength(48);
  });
});

describe('query_date window', () => {
  // 2015-04-21 10:00 CST, the documents' own example: 20150414–20150420 are valid.
  const now = Date.UTC(2015, 3, 21, 2, 0, 0);

  it('accepts the last 7 complete CST days, in wire or ISO form', () => {
    expect(onelinkV2DailyWindow(now)).toEqual({ first: '2015-04-14', last: '2015-04-20' });
    expect(checkOnelinkV2QueryDate('20150414', now)).toBe('20150414');
    expect(checkOnelinkV2QueryDate('2015-04-20', now)).toBe('20150420');
  });

  it.each(['20150421', '20150413', '20150501'])('refuses %s before calling', (date) => {
    const error = catchError(() => checkOnelinkV2QueryDate(date, now));
    expect(error.code).toBe('invalid_argument');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('2015-04-14 to 2015-04-20');
  });

  it('refuses what is not a calendar date', () => {
    expect(catchError(() => checkOnelinkV2QueryDate('20150231', now)).code).toBe(
      'invalid_argument',
    );
    expect(catchError(() => checkOnelinkV2QueryDate('yesterday', now)).code).toBe(
      'invalid_argument',
    );
  });

  it('counts days in CST: 23:30 UTC is already the next CST day', () => {
    const lateUtc = Date.UTC(2015, 3, 20, 23, 30, 0); // 2015-04-21 07:30 CST
    expect(onelinkV2DailyWindow(lateUtc).last).toBe('2015-04-20');
  });
});

describe('error-code table', () => {
  it.each([
    ['7', 'supplier_auth_failed', false],
    ['3', 'supplier_auth_failed', false],
    ['4', 'supplier_auth_failed', false],
    ['6', 'supplier_auth_failed', false],
    ['8', 'supplier_auth_failed', false],
    ['71', 'supplier_throttled', true],
    ['72', 'supplier_throttled', true],
    ['12', 'supplier_card_unknown', false],
    ['25', 'supplier_card_unknown', false],
    ['21', 'supplier_card_unknown', false],
    ['18', 'invalid_argument', false],
    ['19', 'invalid_argument', false],
    ['14', 'invalid_argument', false],
    ['10', 'invalid_argument', false],
    ['13', 'invalid_argument', false],
    ['1', 'supplier_unavailable', true],
    ['20', 'supplier_unavailable', true],
    ['99', 'supplier_unavailable', true],
    ['101', 'supplier_unavailable', true],
    ['102', 'supplier_unavailable', true],
    ['12345', 'supplier_rejected', false],
  ] as const)(
    'maps %s to %s (retryable %s), keeping code and message',
    (code, mapped, retryable) => {
      const error = onelinkV2Error(code, '原文', 'account-1');
      expect(error.code).toBe(mapped);
      expect(error.retryable).toBe(retryable);
      expect(error.supplierCode).toBe(code);
      expect(error.supplierMessage).toBe('原文');
      expect(error.accountId).toBe('account-1');
    },
  );
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
