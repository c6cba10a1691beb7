import { describe, expect, it } from 'vitest';
import { ManualClock, SimdockError } from '../../domain/index.js';
import { chunk, groupByIdentifier } from './batching.js';
import { CallCounter, withCallCounter, withHttpErrors, withTimeout } from './fetch-decorators.js';
import { AccountRegistry, requireOperation } from './registry.js';
import { backoffDelay, withRetry } from './retry.js';
import { FaultInjector, PatternFleet } from './simulator-kit.js';
import { SupplierError } from './supplier-error.js';
import type { SupplierAdapterV1 } from './supplier-spec.js';
import { TokenBucket } from './token-bucket.js';

describe('retry', () => {
  it('retries retryable errors with growing, jittered delays and gives up after maxAttempts', async () => {
    const clock = new ManualClock(0, { autoAdvance: true });
    const delays: number[] = [];
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls += 1;
        throw new SupplierError('supplier_throttled', 'busy');
      },
      {
        clock,
        maxAttempts: 4,
        baseDelayMs: 100,
        random: () => 0.5,
        onRetry: (info) => delays.push(info.delayMs),
      },
    );
    await expect(failing).rejects.toThrow('busy');
    expect(calls).toBe(4);
    expect(delays).toEqual([75, 150, 300]);
  });

  it('does not retry a non-retryable error and honours retryAfterMs', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls += 1;
        throw new SupplierError('supplier_auth_failed', 'bad token');
      }),
    ).rejects.toThrow('bad token');
    expect(calls).toBe(1);
    expect(backoffDelay(1, { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 }, 5000)).toBe(
      5000,
    );
    expect(backoffDelay(10, { baseDelayMs: 100, maxDelayMs: 1000, random: () => 1 })).toBe(1000);
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then paces calls at the configured rate', async () => {
    const clock = new ManualClock(0, { autoAdvance: true });
    const bucket = new TokenBucket({ ratePerSecond: 10, capacity: 2, clock });
    for (let index = 0; index < 12; index += 1) await bucket.take();
    // 2 from the burst, then 10 more at 100 ms each.
    expect(clock.now()).toBe(1000);
  });

  it('is unlimited at rate 0', async () => {
    const clock = new ManualClock(0, { autoAdvance: true });
    const bucket = new TokenBucket({ ratePerSecond: 0, clock });
    for (let index = 0; index < 100; index += 1) await bucket.take();
    expect(clock.now()).toBe(0);
  });
});

describe('fetch decorators', () => {
  it('counts calls per path', async () => {
    const counter = new CallCounter();
    const fetchFunction = withCallCounter(async () => new Response('ok'), counter);
    await fetchFunction('http://x/v2/a?x=1');
    await fetchFunction('http://x/v2/a');
    await fetchFunction('http://x/v2/b');
    expect(counter.total).toBe(3);
    expect(counter.byPath.get('/v2/a')).toBe(2);
  });

  it('maps 429 and 5xx to retryable typed errors', async () => {
    const throttled = withHttpErrors(
      async () => new Response('', { status: 429, headers: { 'retry-after': '2' } }),
    );
    const error = await throttled('http://x').catch((caught: unknown) => caught);
    expect(SupplierError.isInstance(error) && error.code).toBe('supplier_throttled');
    expect((error as SupplierError).retryAfterMs).toBe(2000);
    const down = withHttpErrors(async () => new Response('', { status: 503 }));
    await expect(down('http://x')).rejects.toMatchObject({ code: 'supplier_unavailable' });
  });

  it('times out a call that never answers', async () => {
    const hanging = withTimeout(
      (_input, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
      20,
    );
    await expect(hanging('http://x')).rejects.toMatchObject({
      code: 'supplier_timeout',
      retryable: true,
    });
  });
});

describe('batching and registry', () => {
  it('chunks and groups cards by their preferred identifier', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    const { groups, missing } = groupByIdentifier(
      [
        { key: 'a', iccid: '898602B2221340000878' },
        { key: 'b', msisdn: '1064826090232' },
        { key: 'c' },
      ],
      ['iccid', 'msisdn'],
    );
    expect(groups.get('iccid')?.map((entry) => entry.card.key)).toEqual(['a']);
    expect(groups.get('msisdn')?.map((entry) => entry.id)).toEqual(['1064826090232']);
    expect(missing.map((card) => card.key)).toEqual(['c']);
  });

  it('keys adapters by account and refuses an operation not declared', () => {
    const adapter: SupplierAdapterV1 = {
      specificationVersion: 'v1',
      supplier: 'example',
      accountId: 'acct-1',
      capabilities: new Set(['identities']),
      limits: { batchSize: { identities: 10 } },
      doGetIdentities: async () => ({ items: [], warnings: [], response: { bodies: [] } }),
    };
    const registry = new AccountRegistry();
    registry.set(adapter);
    expect(registry.get('acct-1')).toBe(adapter);
    expect(() => registry.get('nope')).toThrow(SimdockError);
    expect(typeof requireOperation(adapter, 'identities')).toBe('function');
    expect(() => requireOperation(adapter, 'lifecycle')).toThrow(/does not support lifecycle/);
  });
});

describe('simulator kit', () => {
  it('derives a card from its index and back', () => {
    const fleet = new PatternFleet({
      iccidPrefix: '898604',
      msisdnPrefix: '1064',
      imsiPrefix: '46004',
      size: 1000,
    });
    const card = fleet.card(42);
    expect(card.iccid).toHaveLength(20);
    expect(fleet.find('iccid', card.iccid)).toBe(42);
    expect(fleet.find('msisdn', card.msisdn)).toBe(42);
    expect(fleet.find('imsi', card.imsi)).toBe(42);
    expect(fleet.find('iccid', '89860400000000009999')).toBeUndefined();
  });

  it('injects faults at the configured share', () => {
    const injector = new FaultInjector({ serverErrorRate: 0.25 }, { seed: 7 });
    for (let index = 0; index < 4000; index += 1) injector.decide();
    expect(injector.injected['server-error']).toBeGreaterThan(900);
    expect(injector.injected['server-error']).toBeLessThan(1100);
  });
});
