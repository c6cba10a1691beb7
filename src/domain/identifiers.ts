import { SimdockError } from './errors.js';

/** The identifiers a card or a device carries. */
export type IdentifierKind = 'iccid' | 'msisdn' | 'imsi' | 'imei';

export type Iccid = string & { readonly __brand: 'iccid' };
export type Msisdn = string & { readonly __brand: 'msisdn' };
export type Imsi = string & { readonly __brand: 'imsi' };
export type Imei = string & { readonly __brand: 'imei' };

/** Why a value is not a valid identifier of its kind. */
export class IdentifierError extends SimdockError {
  readonly field: IdentifierKind;
  readonly value: string;
  readonly reason: string;

  constructor(field: IdentifierKind, value: string, reason: string) {
    super('invalid_identifier', `${field} "${value}": ${reason}`, {
      details: { field, value, reason },
    });
    this.name = 'IdentifierError';
    this.field = field;
    this.value = value;
    this.reason = reason;
  }
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: IdentifierError };

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = <T>(field: IdentifierKind, value: string, reason: string): ParseResult<T> => ({
  ok: false,
  error: new IdentifierError(field, value, reason),
});

function digitsOnly(
  field: IdentifierKind,
  raw: string,
  min: number,
  max: number,
): ParseResult<string> {
  const value = raw.trim();
  if (value === '') return fail(field, raw, 'is empty');
  if (!/^\d+$/.test(value)) return fail(field, raw, 'must contain digits only');
  if (value.length < min || value.length > max) {
    const range = min === max ? `${min}` : `${min}–${max}`;
    return fail(field, raw, `must be ${range} digits, got ${value.length}`);
  }
  return ok(value);
}

/**
 * ICCID: 19 or 20 characters, digits and the letters A–F (China Mobile ICCIDs carry letters,
 * e.g. `898602B2221340000878`). No Luhn check: suppliers issue ICCIDs that fail it.
 * Letters are upper-cased.
 */
export function parseIccid(raw: string): ParseResult<Iccid> {
  const value = raw.trim().toUpperCase();
  if (value === '') return fail('iccid', raw, 'is empty');
  if (!/^[0-9A-F]+$/.test(value)) return fail('iccid', raw, 'may contain only digits and A–F');
  if (value.length < 19 || value.length > 20) {
    return fail('iccid', raw, `must be 19–20 characters, got ${value.length}`);
  }
  return ok(value as Iccid);
}

/** MSISDN: up to 13 digits (`1064…` IoT numbers, 11-digit mobiles). */
export function parseMsisdn(raw: string): ParseResult<Msisdn> {
  return digitsOnly('msisdn', raw, 5, 13) as ParseResult<Msisdn>;
}

/** IMSI: up to 15 digits. */
export function parseImsi(raw: string): ParseResult<Imsi> {
  return digitsOnly('imsi', raw, 6, 15) as ParseResult<Imsi>;
}

/** IMEI: 15–17 digits (IMEISV has 16). */
export function parseImei(raw: string): ParseResult<Imei> {
  return digitsOnly('imei', raw, 15, 17) as ParseResult<Imei>;
}

const parsers = {
  iccid: parseIccid,
  msisdn: parseMsisdn,
  imsi: parseImsi,
  imei: parseImei,
} as const;

export function parseIdentifier(kind: IdentifierKind, raw: string): ParseResult<string> {
  return parsers[kind](raw);
}

/** Parses or throws the IdentifierError. */
export function requireIdentifier(kind: IdentifierKind, raw: string): string {
  const result = parsers[kind](raw);
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * Guesses which card identifier a bare value is: 19–20 characters → ICCID, up to 13 digits →
 * MSISDN, 14–15 digits → IMSI. Returns the error of the closest kind when none fits.
 */
export function classifyCardIdentifier(
  raw: string,
):
  | { ok: true; kind: 'iccid' | 'msisdn' | 'imsi'; value: string }
  | { ok: false; error: IdentifierError } {
  const value = raw.trim();
  if (value.length >= 19) {
    const result = parseIccid(value);
    return result.ok ? { ok: true, kind: 'iccid', value: result.value } : result;
  }
  if (value.length >= 14) {
    const result = parseImsi(value);
    return result.ok ? { ok: true, kind: 'imsi', value: result.value } : result;
  }
  const result = parseMsisdn(value);
  return result.ok ? { ok: true, kind: 'msisdn', value: result.value } : result;
}

/** Control characters (C0, DEL, C1): never part of a name people give something. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Whether a name holds a control character (NUL, escape, line break, …). */
export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTERS.test(text);
}
