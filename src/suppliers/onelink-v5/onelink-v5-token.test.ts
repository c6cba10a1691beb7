import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { SupplierError } from '../spec/index.js';
import { onelinkV5Bench } from './onelink-v5.test-support.js';
import { OnelinkV5TokenCache } from './onelink-v5-token.js';

describe('onelink-v5 token cache', () => {
  it('keeps a token for its ttl minus the margin, then fetches a new one', async () => {
    const clock = new ManualClock();
    let issued = 0;
    const cache = new OnelinkV5TokenCache({
      clock,
      marginSeconds: 60,
      fetchToken: async () => ({ token: `t${++issued}`, ttlSeconds: 3600 }),
    });
    expect(await cache.get()).toBe('t1');
    clock.advance(3539_000);
    expect(await cache.get()).toBe('t1');
    clock.advance(1_000);
    expect(await cache.get()).toBe('t2');
    expect(cache.fetches).toBe(2);
  });

  it('shares one in-flight fetch between concurrent callers', async () => {
    const clock = new ManualClock();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const cache = new OnelinkV5TokenCache({
      clock,
      fetchToken: async () => {
        await gate;
        return { token: 'shared', ttlSeconds: 7200 };
      },
    });
    const waiting = Array.from({ length: 25 }, () => cache.get());
    release();
    expect(new Set(await Promise.all(waiting))).toEqual(new Set(['shared']));
    expect(cache.fetches).toBe(1);
  });

  it('lets a failed fetch fail its callers and tries again on the next call', async () => {
    let attempts = 0;
    const cache = new OnelinkV5TokenCache({
      clock: new ManualClock(),
      fetchToken: async () => {
        attempts += 1;
        if (attempts === 1) throw new SupplierError('supplier_unavailable', 'down');
        return { token: 'ok', ttlSeconds: 600 };
      },
    });
    await expect(cache.get()).rejects.toThrow('down');
    expect(await cache.get()).toBe('ok');
  });

  it('invalidates only the refused token, not one fetched meanwhile', async () => {
    let issued = 0;
    const cache = new OnelinkV5TokenCache({
      clock: new ManualClock(),
      fetchToken: async () => ({ token: `t${++issued}`, ttlSeconds: 600 }),
    });
    await cache.get();
    cache.invalidate('t1');
    expect(await cache.get()).toBe('t2');
    cache.invalidate('t1');
    expect(await cache.get()).toBe('t2');
  });
});

describe('onelink-v5 token against the simulator', () => {
  it('fetches one token for many calls and reuses it until it nears expiry', async () => {
    const { adapter, simulator, clock } = onelinkV5Bench({
      autoAdvance: false,
      simulator: { tokenTtlSeconds: 600 },
    });
    const card = simulator.state.fleet.card(1);
    for (let index = 0; index < 5; index += 1) {
      await adapter.doGetStatus({ cards: [{ key: 'a', iccid: card.iccid }] });
    }
    expect(simulator.tokensIssued()).toBe(1);
    clock.advance(541_000); // past 600 s minus the 60 s margin
    await adapter.doGetStatus({ cards: [{ key: 'a', iccid: card.iccid }] });
    expect(simulator.tokensIssued()).toBe(2);
    expect(simulator.calls.count('get/token')).toBe(2);
  });

  it('refreshes once on 12021 and retries the call, N concurrent calls costing one fetch', async () => {
    const { adapter, simulator } = onelinkV5Bench({ autoAdvance: false });
    const cards = Array.from({ length: 12 }, (_, index) => {
      const card = simulator.state.fleet.card(index);
      return { key: `k${index}`, msisdn: card.msisdn };
    });
    await adapter.doGetStatus({ cards: cards.slice(0, 1) });
    simulator.expireTokens();
    const result = await adapter.doGetStatus({ cards });
    expect(result.items.every((item) => item.ok)).toBe(true);
    expect(simulator.tokensIssued()).toBe(2);
    // The refused attempts are kept in the response, then the successful ones.
    const refused = result.response.bodies.filter(
      (body) => (body as { status: string }).status === '12021',
    );
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(simulator.calls.count('query/sim-status')).toBe(1 + 12 + refused.length);
  });

  it('fails with supplier_auth_failed when even a fresh token is refused (no loop)', async () => {
    const { adapter, simulator } = onelinkV5Bench({
      autoAdvance: false,
      simulator: { tokenTtlSeconds: 0 },
    });
    const card = simulator.state.fleet.card(2);
    const error = await adapter
      .doGetStatus({ cards: [{ key: 'a', iccid: card.iccid }] })
      .catch((caught: unknown) => caught);
    expect(SupplierError.isInstance(error)).toBe(true);
    expect((error as SupplierError).code).toBe('supplier_auth_failed');
    expect((error as SupplierError).supplierCode).toBe('12021');
    expect(simulator.calls.count('query/sim-status')).toBe(2);
    expect(simulator.tokensIssued()).toBe(2);
  });
});
