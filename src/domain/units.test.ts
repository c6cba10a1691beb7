import { describe, expect, it } from 'vitest';
import { formatBytes, kbToBytes, mbToBytes, toBytes } from './units.js';

describe('usage units', () => {
  it('converts KB and MB (binary) to whole bytes, keeping unknown as null', () => {
    expect(kbToBytes('1024')).toBe(1_048_576);
    expect(kbToBytes(0)).toBe(0);
    expect(kbToBytes(undefined)).toBeNull();
    expect(kbToBytes('')).toBeNull();
    expect(kbToBytes('abc')).toBeNull();
    expect(mbToBytes('1.5')).toBe(1_572_864);
    expect(mbToBytes(0.001)).toBe(1049);
    expect(mbToBytes(null)).toBeNull();
  });

  it('formats bytes for people', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_572_864)).toBe('1.50 MB');
  });
});

describe('byte figures', () => {
  it('keeps whole non-negative bytes and reads nonsense as unknown', () => {
    expect(toBytes(20971520)).toBe(20971520);
    expect(toBytes('1024.4')).toBe(1024);
    expect(toBytes(-1)).toBeNull();
    expect(toBytes(null)).toBeNull();
    expect(toBytes(Number.NaN)).toBeNull();
  });
});
