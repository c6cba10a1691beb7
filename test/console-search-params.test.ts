import { describe, expect, it } from 'vitest';
import {
  mergeSearch,
  parseSearch,
  stringifySearch,
  stringSearch,
} from '../web/src/search-params.js';

describe('console query strings', () => {
  it('reads values as strings, as URLSearchParams does', () => {
    expect(parseSearch('?q=1064123456789&status=active&usageMin=5242880&flag=true')).toEqual({
      q: '1064123456789',
      status: 'active',
      usageMin: '5242880',
      flag: 'true',
    });
    expect(parseSearch('q=%E7%89%A9%E8%81%94&q=second&empty=')).toEqual({ q: '物联', empty: '' });
    expect(parseSearch('')).toEqual({});
  });

  it('writes plain key=value pairs, leaving out empty values', () => {
    expect(stringifySearch({ status: 'active', q: '0042', cursor: undefined, tag: '' })).toBe(
      '?status=active&q=0042',
    );
    expect(stringifySearch({ q: 'a b&c' })).toBe('?q=a+b%26c');
    expect(stringifySearch({})).toBe('');
  });

  it('round-trips the URLs the console has always used', () => {
    for (const search of [
      '?status=active&supplier=quectel&sort=id',
      '?sort=usage&order=desc',
      '?q=898602B2221340000878',
      '?targetType=card&targetId=42&before=1700000000000',
    ]) {
      expect(stringifySearch(parseSearch(search))).toBe(search);
    }
  });

  it('keeps string values, unknown keys included, and drops empty ones', () => {
    const validate = stringSearch<{ status?: string }>();
    expect(validate({ status: 'active', other: 'kept', empty: '', number: 3 })).toEqual({
      status: 'active',
      other: 'kept',
    });
  });

  it('merges changes: a string sets, null or empty removes, others stay', () => {
    const previous: { status?: string; q?: string; cursor?: string; sort?: string } = {
      status: 'active',
      q: '1064',
      cursor: 'abc',
    };
    expect(mergeSearch(previous, { q: null, cursor: '', sort: 'usage' })).toEqual({
      status: 'active',
      sort: 'usage',
    });
    expect(previous).toEqual({ status: 'active', q: '1064', cursor: 'abc' });
  });
});
