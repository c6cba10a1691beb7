import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { isRetryable, SimdockError } from './errors.js';
import { statusMapper } from './status.js';

describe('errors', () => {
  it('recognizes its instances and derives retryability from the code', () => {
    const throttled = new SimdockError('supplier_throttled', 'slow down');
    expect(SimdockError.isInstance(throttled)).toBe(true);
    expect(SimdockError.isInstance(new Error('x'))).toBe(false);
    expect(isRetryable(throttled)).toBe(true);
    expect(isRetryable(new SimdockError('supplier_auth_failed', 'no'))).toBe(false);
    expect(isRetryable(new SimdockError('invalid_argument', 'x', { retryable: true }))).toBe(true);
    expect(isRetryable(new TypeError('fetch failed'))).toBe(true);
    expect(isRetryable('boom')).toBe(false);
  });
});

describe('statusMapper', () => {
  it('maps known codes and keeps the raw value of unknown ones', () => {
    const map = statusMapper({ '00': 'active', '02': 'suspended' });
    expect(map('02')).toEqual({ status: 'suspended', raw: '02' });
    expect(map('42')).toEqual({ status: 'unknown', raw: '42' });
    expect(map(null)).toEqual({ status: 'unknown', raw: null });
  });
});

describe('ManualClock', () => {
  it('resolves sleeps only when time passes them', async () => {
    const clock = new ManualClock(0);
    let woke = false;
    const sleeping = clock.sleep(1000).then(() => {
      woke = true;
    });
    clock.advance(999);
    await Promise.resolve();
    expect(woke).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(woke).toBe(true);
  });
});
