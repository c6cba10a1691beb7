import { describe, expect, it } from 'vitest';
import {
  classifyCardIdentifier,
  IdentifierError,
  parseIccid,
  parseImei,
  parseImsi,
  parseMsisdn,
  requireIdentifier,
} from './identifiers.js';

describe('identifiers', () => {
  it('accepts China Mobile ICCIDs with letters and upper-cases them', () => {
    expect(parseIccid('898602B2221340000878')).toEqual({ ok: true, value: '898602B2221340000878' });
    expect(parseIccid(' 898602b2221340000878 ')).toEqual({
      ok: true,
      value: '898602B2221340000878',
    });
    expect(parseIccid('8986000000000000001').ok).toBe(true); // 19 characters
  });

  it('names the field and the reason for a bad ICCID', () => {
    const tooShort = parseIccid('89860');
    expect(tooShort.ok).toBe(false);
    if (!tooShort.ok) {
      expect(tooShort.error).toBeInstanceOf(IdentifierError);
      expect(tooShort.error.field).toBe('iccid');
      expect(tooShort.error.reason).toBe('must be 19–20 characters, got 5');
      expect(tooShort.error.code).toBe('invalid_identifier');
    }
    const letters = parseIccid('898602G2221340000878');
    expect(!letters.ok && letters.error.reason).toBe('may contain only digits and A–F');
    expect(!parseIccid('').ok).toBe(true);
  });

  it('checks MSISDN, IMSI and IMEI lengths', () => {
    expect(parseMsisdn('1064826090232').ok).toBe(true);
    expect(parseMsisdn('13800138000').ok).toBe(true);
    const long = parseMsisdn('10648260902321');
    expect(!long.ok && long.error.reason).toBe('must be 5–13 digits, got 14');
    expect(parseImsi('460040260900788').ok).toBe(true);
    expect(parseImsi('4600402609007881').ok).toBe(false);
    expect(parseImei('861234567890123').ok).toBe(true);
    expect(parseImei('8612345678901234567').ok).toBe(false);
    const letters = parseMsisdn('1064A');
    expect(!letters.ok && letters.error.reason).toBe('must contain digits only');
  });

  it('classifies a bare value as the card identifier it must be', () => {
    expect(classifyCardIdentifier('898602B2221340000878')).toMatchObject({ kind: 'iccid' });
    expect(classifyCardIdentifier('460040260900788')).toMatchObject({ kind: 'imsi' });
    expect(classifyCardIdentifier('1064826090232')).toMatchObject({ kind: 'msisdn' });
    expect(classifyCardIdentifier('hello').ok).toBe(false);
  });

  it('throws the typed error from requireIdentifier', () => {
    expect(() => requireIdentifier('imsi', 'x')).toThrow(IdentifierError);
  });
});
