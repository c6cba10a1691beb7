import type { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { CliSandbox, serveOnLoopback } from './cli-harness.js';

describe('simdock sync status', () => {
  const sandbox = new CliSandbox();
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
    sandbox.remove();
  });

  it('shows staleness per need, the share within target and what the budget can hold', async () => {
    const simulated = createSupplierCatalog().get('onelink-v5').simulator.create({ size: 12 });
    const served = await serveOnLoopback(simulated.app as unknown as Hono);
    closers.push(served.close);
    const settings = Object.entries(simulated.settings(served.origin))
      .map(([key, value]) => `    ${key}: ${JSON.stringify(value)}\n`)
      .join('');
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db\naccounts:\n  - id: v5\n    type: onelink-v5\n    rateLimit: 50\n    sync: { budgetShare: 0.5 }\n${settings}`,
    );
    sandbox.write('cards.txt', `${simulated.importLines().slice(0, 12).join('\n')}\n`);
    expect((await sandbox.run('cards', 'import', 'cards.txt', '--account', 'v5')).code).toBe(0);

    const before = await sandbox.run('sync', 'status');
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('v5 (onelink-v5): 12 cards');
    expect(before.stdout).toMatch(
      /status: p50 -, p99 -, max -; 0\.0 % within 1\.0 h, 12 never read/,
    );

    const synced = await sandbox.run('sync', '--days', '0');
    expect(synced.code).toBe(0);
    const [status] = await sandbox.json<
      {
        dayCapacity: number;
        scheduleBudget: number;
        needs: { need: string; neverRead: number; withinTarget: number; p50Ms: number }[];
      }[]
    >('sync', 'status', '--account', 'v5');
    // 50 calls/s × 86,400 s, and the schedule's half of it.
    expect(status!.dayCapacity).toBe(4_320_000);
    expect(status!.scheduleBudget).toBe(2_160_000);
    const statusNeed = status!.needs.find((need) => need.need === 'status')!;
    expect(statusNeed).toMatchObject({ neverRead: 0, withinTarget: 1 });
    expect(statusNeed.p50Ms).toBeLessThan(60_000);
    const text = await sandbox.run('sync', 'status');
    expect(text.stdout).toContain('rate 50/s = 4320000 calls a day, schedule budget 2160000');
    expect(text.stdout).toMatch(
      /status: p50 \d+ s, p99 \d+ s, max \d+ s; 100\.0 % within 1\.0 h\n/,
    );
  }, 60_000);
});
