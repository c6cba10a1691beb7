import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../src/api/app.js';
import { ManualClock } from '../src/domain/index.js';
import { ApiKeysRepository, REVOCATION_CHECK_MS } from '../src/services/access/access-keys.js';
import { createServiceContext } from '../src/services/context.js';
import { LEASE_MS } from '../src/services/limits/api-key-limiter.js';
import { type Dialect, openStore, type Store } from '../src/store/index.js';
import { TenantsRepository } from '../src/store/repositories/tenants-repository.js';
import {
  openTestStore,
  POSTGRES_TEST_URL,
  TEST_SECRET_KEY,
} from '../src/store/store.test-support.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';

/**
 * Two API apps on one database, as two `simdock serve` processes (or hosts) are: each its own
 * store connection, key memory and leases; one clock.
 */
async function twoApps(dialect: Dialect, cleanups: (() => Promise<void> | void)[]) {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 2, 0, 0));
  let url: string;
  let first: Store;
  if (dialect === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'simdock-api-limits-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    url = `sqlite:${join(directory, 'shared.db')}`;
    first = await openStore({ url, secretKey: TEST_SECRET_KEY, clock });
    cleanups.push(() => first.close());
  } else {
    const opened = await openTestStore('postgres', { clock });
    cleanups.push(opened.dispose);
    url = opened.url;
    first = opened.store;
  }
  const second = await openStore({ url, secretKey: TEST_SECRET_KEY, clock });
  cleanups.push(() => second.close());
  const now = () => clock.now();
  await new TenantsRepository(first, now).root();
  const keys = new ApiKeysRepository(first, now);
  const { key, apiKey } = await keys.create({ name: 'busy', role: 'owner', tenantId: 'root' });
  const { key: otherKey } = await keys.create({ name: 'other', role: 'owner', tenantId: 'root' });
  const catalog = createSupplierCatalog();
  const rateLimit = { requestsPerMinute: 60, burst: 10 };
  const apps = [first, second].map((store) =>
    createApiApp({
      context: createServiceContext({ store, catalog, clock }),
      options: { rateLimit },
    }),
  );
  const ask = (app: number, secret = key) =>
    Promise.resolve(
      apps[app]!.request('/api/v1/auth/me', { headers: { authorization: `Bearer ${secret}` } }),
    );
  return { clock, apps, ask, key, otherKey, keyId: apiKey.id, first };
}

function describeBoth(title: string, body: (dialect: Dialect) => void) {
  describe(`${title} (sqlite)`, () => body('sqlite'));
  describe.skipIf(!POSTGRES_TEST_URL)(`${title} (postgres)`, () => body('postgres'));
}

describeBoth('API keys across two API processes', (dialect) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('share one key’s request limit', async () => {
    const { ask, clock } = await twoApps(dialect, cleanups);
    // At one instant: the burst of 10 between both, whichever process is asked.
    const statuses: number[] = [];
    for (let request = 0; request < 30; request += 1) {
      statuses.push((await ask(request % 2)).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    const refused = await ask(1);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    // Over the next 20 s, 1 a second: at most 20 more plus one lease's lifetime of refill,
    // however the requests are spread over the two processes.
    let accepted = 0;
    for (let tick = 0; tick < 80; tick += 1) {
      clock.advance(250);
      for (const app of [0, 1, 0, 1]) if ((await ask(app)).status === 200) accepted += 1;
    }
    expect(accepted).toBeLessThanOrEqual(20 + LEASE_MS / 1000);
    expect(accepted).toBeGreaterThanOrEqual(18);
  });

  it('keep another key’s limit apart', async () => {
    const { ask, otherKey } = await twoApps(dialect, cleanups);
    for (let request = 0; request < 12; request += 1) await ask(request % 2);
    expect((await ask(0)).status).toBe(429);
    expect((await ask(1, otherKey)).status).toBe(200);
  });

  it(`refuse a key revoked by the other within ${REVOCATION_CHECK_MS} ms`, async () => {
    const { ask, key, keyId, first, clock } = await twoApps(dialect, cleanups);
    // Both processes know the key (and remember it for a few seconds).
    expect((await ask(0, key)).status).toBe(200);
    expect((await ask(1, key)).status).toBe(200);
    await new ApiKeysRepository(first, () => clock.now()).revoke(keyId, '/root/');
    // The revoking process refuses it at once.
    expect((await ask(0, key)).status).toBe(401);
    // The other within the revocation check's period (real time: the key memory is real time).
    const revokedAt = performance.now();
    // (The manual clock stands still, so the key's burst runs out meanwhile: 200s, then 429s.)
    for (;;) {
      const { status } = await ask(1, key);
      if (status === 401) break;
      expect([200, 429]).toContain(status);
      expect(performance.now() - revokedAt).toBeLessThan(REVOCATION_CHECK_MS + 500);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});
