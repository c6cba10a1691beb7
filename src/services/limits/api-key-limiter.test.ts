import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../store/index.js';
import {
  openTestStore,
  POSTGRES_TEST_URL,
  TEST_SECRET_KEY,
} from '../../store/store.test-support.js';
import { ApiKeyLimiter, LEASE_MS } from './api-key-limiter.js';

const CHILD = fileURLToPath(new URL('./api-key-limiter.child.test-support.ts', import.meta.url));

/** The most instants in any window of `ms` milliseconds. */
function busiestWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to += 1) {
    while (sorted[to]! - sorted[from]! >= ms) from += 1;
    most = Math.max(most, to - from + 1);
  }
  return most;
}

interface ChildResult {
  accepted: number[];
  refused: number;
}

function runChild(args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as ChildResult) : reject(new Error(`exit ${code}`)),
    );
  });
}

describe('the per-key API limit shared through the database', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  // 120 a minute (2 a second), burst 6; two processes each trying ~15 requests a second for 3 s.
  const PER_MINUTE = 120;
  const BURST = 6;
  const DURATION_MS = 3000;

  async function twoProcesses(url: string) {
    const args = [url, '7', String(PER_MINUTE), String(BURST), String(DURATION_MS), '200'];
    const [one, two] = await Promise.all([runChild(args), runChild(args)]);
    const accepted = [...one!.accepted, ...two!.accepted];
    // Both processes got some: the bucket is shared, not owned by the first to ask.
    expect(one!.accepted.length + two!.accepted.length).toBeGreaterThan(BURST);
    expect(one!.refused + two!.refused).toBeGreaterThan(0);
    // The bound: the burst plus the rate over the span and one lease's lifetime. Alone, each
    // process would have accepted about as much as both together do here.
    const span = (Math.max(...accepted) - Math.min(...accepted)) / 1000;
    expect(accepted.length).toBeLessThanOrEqual(
      BURST + Math.ceil((PER_MINUTE / 60) * (span + LEASE_MS / 1000)),
    );
    // In any one second: a second's rate, the burst and a lease's worth at most.
    expect(busiestWindow(accepted, 1000)).toBeLessThanOrEqual(
      BURST + Math.ceil((PER_MINUTE / 60) * (1 + LEASE_MS / 1000)),
    );
  }

  it('holds two processes on one SQLite file to one key limit together', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'simdock-key-limit-'));
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
    const url = `sqlite:${join(directory, 'shared.db')}`;
    await (await openStore({ url, secretKey: Buffer.alloc(32, 1) })).close();
    await twoProcesses(url);
  }, 60_000);

  it.skipIf(!POSTGRES_TEST_URL)(
    'holds two processes on PostgreSQL to one key limit together',
    async () => {
      const { url, dispose } = await openTestStore('postgres');
      cleanups.push(dispose);
      await twoProcesses(url);
    },
    60_000,
  );

  it('leases tokens so that requests within a lease cost no database call', async () => {
    const { store, clock, dispose } = await openTestStore('sqlite');
    cleanups.push(dispose);
    let leases = 0;
    const lease = store.apiKeyLimits.lease.bind(store.apiKeyLimits);
    store.apiKeyLimits.lease = (...args) => {
      leases += 1;
      return lease(...args);
    };
    // 6,000 a minute: 100 a second, leases of up to 200.
    const limiter = new ApiKeyLimiter({
      store,
      clock,
      limit: { requestsPerMinute: 6000, burst: 6000 },
    });
    let accepted = 0;
    for (let request = 0; request < 1000; request += 1) {
      if ((await limiter.take(1)).allowed) accepted += 1;
    }
    expect(accepted).toBe(1000);
    // Leases double while the key is busy: a handful of transactions, not a thousand.
    expect(leases).toBeLessThan(20);
    // Another limiter (another process) on the same store finds what is left.
    const other = new ApiKeyLimiter({
      store,
      clock,
      limit: { requestsPerMinute: 6000, burst: 6000 },
    });
    let otherAccepted = 0;
    for (let request = 0; request < 6000; request += 1) {
      if ((await other.take(1)).allowed) otherAccepted += 1;
    }
    expect(otherAccepted).toBeLessThanOrEqual(5000);
    expect(otherAccepted).toBeGreaterThan(4500);
    // Refused requests are answered from memory until a token will be there.
    const before = leases;
    const refused = await other.take(1);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    for (let request = 0; request < 100; request += 1) await other.take(1);
    expect(leases).toBe(before);
  });

  it('gives unspent tokens of an expired lease back to the shared bucket', async () => {
    const { store, clock, dispose } = await openTestStore('sqlite');
    cleanups.push(dispose);
    const limit = { requestsPerMinute: 60, burst: 8 };
    const one = new ApiKeyLimiter({ store, clock, limit });
    const two = new ApiKeyLimiter({ store, clock, limit });
    // One takes a lease of 1, then 2 (busy): it holds a token unspent.
    expect((await one.take(3)).allowed).toBe(true);
    expect((await one.take(3)).allowed).toBe(true);
    // Two takes the rest of the bucket (8 − 3 leased).
    let taken = 0;
    while ((await two.take(3)).allowed) taken += 1;
    expect(taken).toBe(5);
    // After the lease expired (no refill: a rate of 1 a second over 1 s refills 1), one's
    // next lease returns its unspent token and the refill, and spends them.
    clock.advance(LEASE_MS);
    let again = 0;
    while ((await one.take(3)).allowed) again += 1;
    expect(again).toBe(2);
  });
});

describe('revocation counter', () => {
  it('is bumped with every revocation, on one store seen by another', async () => {
    const opened = await openTestStore(POSTGRES_TEST_URL ? 'postgres' : 'sqlite');
    try {
      const { store } = opened;
      expect(await store.apiKeyLimits.revocationGeneration()).toBe(0);
      await store.apiKeys.setRevokedAt(1, 1);
      await store.apiKeys.setRevokedAt(2, 2);
      if (opened.url.startsWith('postgres')) {
        const other = await openStore({ url: opened.url, secretKey: TEST_SECRET_KEY });
        try {
          expect(await other.apiKeyLimits.revocationGeneration()).toBe(2);
        } finally {
          await other.close();
        }
      } else {
        expect(await store.apiKeyLimits.revocationGeneration()).toBe(2);
      }
    } finally {
      await opened.dispose();
    }
  });
});
