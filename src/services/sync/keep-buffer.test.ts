import { describe, expect, it } from 'vitest';
import { type FetchedBatch, KeepBuffer } from './keep-buffer.js';

function setup(options: { maxAnswers?: number; maxWaitMs?: number; failing?: () => boolean } = {}) {
  let now = 0;
  const stored: string[][] = [];
  const buffer = new KeepBuffer<number>({
    clock: { now: () => now },
    maxAnswers: options.maxAnswers ?? 10,
    maxWaitMs: options.maxWaitMs ?? 1_000,
    store: async (batches) => {
      await Promise.resolve();
      if (options.failing?.()) throw new Error('disk full');
      stored.push(batches.map((batch) => batch.key));
    },
  });
  const batch = (key: string, size = 4): FetchedBatch<number> => ({ key, size, value: size });
  return { buffer, stored, batch, tick: (ms: number) => (now += ms) };
}

describe('KeepBuffer', () => {
  it('stores batches together once they hold enough answers, and the rest on flush', async () => {
    const { buffer, stored, batch } = setup();
    await buffer.add(batch('a'));
    await buffer.add(batch('b'));
    expect(stored).toEqual([]);
    await buffer.add(batch('c'));
    expect(stored).toEqual([['a', 'b', 'c']]);
    await buffer.add(batch('d'));
    await buffer.flush();
    expect(stored).toEqual([['a', 'b', 'c'], ['d']]);
    expect(buffer.waiting).toEqual([]);
    await buffer.flush();
    expect(stored).toHaveLength(2);
  });

  it('stores what waited too long, even when it is little', async () => {
    const { buffer, stored, batch, tick } = setup();
    await buffer.add(batch('a', 1));
    tick(999);
    await buffer.add(batch('b', 1));
    expect(stored).toEqual([]);
    tick(1);
    await buffer.add(batch('c', 1));
    expect(stored).toEqual([['a', 'b', 'c']]);
  });

  it('keeps one copy of a batch added again (a retry)', async () => {
    const { buffer, stored, batch } = setup();
    await buffer.add(batch('a', 1));
    await buffer.add(batch('a', 2));
    await buffer.flush();
    expect(stored).toEqual([['a']]);
  });

  it('puts back what a failed store held, in order, and stores it on the next flush', async () => {
    let fail = true;
    const { buffer, stored, batch } = setup({ failing: () => fail });
    await buffer.add(batch('a'));
    await buffer.add(batch('b'));
    // The batch added is not failed: what the store refused waits for the next flush.
    await buffer.add(batch('c'));
    expect(buffer.waiting.map((item) => item.key)).toEqual(['a', 'b', 'c']);
    await expect(buffer.flush()).rejects.toThrow('disk full');
    expect(buffer.waiting.map((item) => item.key)).toEqual(['a', 'b', 'c']);
    fail = false;
    await buffer.add(batch('d', 1));
    expect(stored).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('runs flushes one at a time, in the order they were asked for', async () => {
    const { buffer, stored, batch } = setup({ maxAnswers: 4 });
    await Promise.all([buffer.add(batch('a')), buffer.add(batch('b')), buffer.add(batch('c'))]);
    await buffer.flush();
    expect(stored.flat()).toEqual(['a', 'b', 'c']);
    expect(stored.every((keys) => keys.length > 0)).toBe(true);
  });
});
