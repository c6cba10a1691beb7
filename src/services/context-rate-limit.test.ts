import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../domain/clock.js';
import { openStore, type Store } from '../store/index.js';
import { createSupplierCatalog } from '../suppliers/catalog.js';
import { createServiceContext, saveAccounts } from './context.js';
import { SharedCallLimiter } from './limits/shared-limiter.js';

describe('a supplier type default rate limit', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  it('is held by the shared limiter, like a configured one; 0 still means unlimited', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 10, 3));
    store = await openStore({ url: 'sqlite::memory:', secretKey: Buffer.alloc(32, 3), clock });
    const catalog = createSupplierCatalog();
    const settings = {
      baseUrl: 'http://onelink.simulator/v2',
      appid: 'a',
      password: 'p',
      ebids: { batchquerycardinfo: '1' },
    };
    await saveAccounts(store, catalog, [
      { id: 'plain', type: 'onelink-v2', name: null, rateLimit: null, settings },
      { id: 'unlimited', type: 'onelink-v2', name: null, rateLimit: 0, settings },
    ] as never);
    const context = createServiceContext({ store, catalog, clock });
    await context.adapter('plain');
    await context.adapter('unlimited');
    // OneLink v2's documented guess, 5 calls/s, through the database: shared by every process.
    expect(catalog.get('onelink-v2').defaultRateLimit).toBe(5);
    expect(context.callLimiter('plain')).toBeInstanceOf(SharedCallLimiter);
    expect(context.callLimiter('unlimited')).toBeUndefined();
  });
});
