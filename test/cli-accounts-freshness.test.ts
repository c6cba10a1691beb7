import type { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { CliSandbox, serveOnLoopback } from './cli-harness.js';

describe('simdock accounts list / show: freshness per need', () => {
  const sandbox = new CliSandbox();
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
    sandbox.remove();
  });

  it('shows the share within target per need, the targets, and what the budget can hold', async () => {
    const accounts: string[] = [];
    const imports: [string, string][] = [];
    for (const [id, more] of [
      ['v5', '    rateLimit: 50\n    sync: { freshness: { status: 30m } }\n'],
      // 0.0002 calls/s: about 14 calls a day for 12 one-card-per-call statuses.
      ['slow', '    rateLimit: 0.0002\n'],
    ] as const) {
      const simulated = createSupplierCatalog().get('onelink-v5').simulator.create({ size: 12 });
      const served = await serveOnLoopback(simulated.app as unknown as Hono);
      closers.push(served.close);
      const settings = Object.entries(simulated.settings(served.origin))
        .map(([key, value]) => `    ${key}: ${JSON.stringify(value)}\n`)
        .join('');
      accounts.push(`  - id: ${id}\n    type: onelink-v5\n${more}${settings}`);
      imports.push([id, `${simulated.importLines().slice(0, 12).join('\n')}\n`]);
    }
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db\nfreshness: { usage.monthly: 12h }\naccounts:\n${accounts.join('')}`,
    );
    for (const [id, lines] of imports) {
      sandbox.write(`${id}.txt`, lines);
      expect((await sandbox.run('cards', 'import', `${id}.txt`, '--account', id)).code).toBe(0);
    }
    expect((await sandbox.run('sync', '--account', 'v5', '--days', '0')).code).toBe(0);

    const list = await sandbox.run('accounts', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/FRESHNESS/);
    const v5Row = list.stdout.split('\n').find((line) => line.startsWith('v5 '))!;
    expect(v5Row).toContain('status 100% ≤30m');
    expect(v5Row).toContain('usage.monthly 100% ≤12h');
    const slowRow = list.stdout.split('\n').find((line) => line.startsWith('slow '))!;
    expect(slowRow).toContain('status 0% ≤1h');

    const listed = await sandbox.json<
      { id: string; freshness: { need: string; targetMs: number; targetSource: string }[] }[]
    >('accounts', 'list');
    expect(listed.find((item) => item.id === 'v5')!.freshness).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ need: 'status', targetMs: 1_800_000, targetSource: 'account' }),
        expect.objectContaining({
          need: 'usage.monthly',
          targetMs: 43_200_000,
          targetSource: 'account',
        }),
      ]),
    );

    const shown = await sandbox.run('accounts', 'show', 'v5');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('v5 (onelink-v5): enabled, 12 cards');
    expect(shown.stdout).toContain('call budget: 50 calls/s = 4320000 calls a day');
    expect(shown.stdout).toMatch(
      /status: target 30m \(account\); p50 \d+ s, p99 \d+ s, max \d+ s; 100% of 12 within target, 0 never read\n/,
    );
    // 50 calls/s holds every card within the hour; the hourly runs are what a 30m target misses.
    expect(shown.stdout).toContain(
      '    the hourly schedule holds ≈ 1h; target 30m not reachable\n',
    );
    expect(shown.stdout).not.toContain('budget holds');

    const slow = await sandbox.run('accounts', 'show', 'slow');
    expect(slow.stdout).toContain(
      'status: target 1h (default); p50 -, p99 -, max -; 0% of 12 within target, 12 never read',
    );
    expect(slow.stdout).toMatch(
      /\n {4}budget holds ≈ \d+h; target 1h not reachable at 0\.0002 calls\/s\n/,
    );
    const slowJson = await sandbox.json<{
      freshness: { needs: { need: string; achievableMs: number; targetMs: number }[] };
    }>('accounts', 'show', 'slow');
    const slowStatus = slowJson.freshness.needs.find((need) => need.need === 'status')!;
    expect(slowStatus.achievableMs).toBeGreaterThan(slowStatus.targetMs);

    const missing = await sandbox.run('accounts', 'show', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('unknown account "nope" (known: slow, v5)');
  }, 90_000);

  it('refuses a bad target with the key and the problem', async () => {
    sandbox.write(
      'simdock.yaml',
      'database: sqlite:./data/test.db\naccounts: []\nfreshness: { status: hourly }\n',
    );
    const result = await sandbox.run('accounts', 'list');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/simdock\.yaml: freshness\.status: must be a duration like 30m/);
  });
});
