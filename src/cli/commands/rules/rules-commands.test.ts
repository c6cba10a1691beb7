import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../../../../test/cli-harness.js';
import { openStore } from '../../../store/index.js';
import { AlertsRepository } from '../../../store/repositories/alerts-repository.js';

const ICCIDS = ['898602B2221340000878', '898602B2221340001456', '898602B2221340002000'];

describe('simdock plans, rules, alerts and pools', () => {
  const sandbox = new CliSandbox();
  beforeAll(async () => {
    sandbox.environment.ONELINK_PASSWORD = 'unused';
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db
accounts:
  - id: cmcc
    type: onelink-v2
    baseUrl: http://127.0.0.1:9/v2
    appid: A0B40MV
    password: \${ONELINK_PASSWORD}
    ebids: { batchquerycardinfo: "0001000000036", batchgprsusedbydate: "0001000000346" }
`,
    );
    sandbox.write('cards.txt', `${ICCIDS.join('\n')}\n`);
    expect((await sandbox.run('cards', 'import', 'cards.txt', '--account', 'cmcc')).code).toBe(0);
  });
  afterAll(() => sandbox.remove());

  it('creates and assigns plans, creates, lists and deletes rules', async () => {
    const plan = await sandbox.json<{ id: number; quotaBytes: number }>(
      'plans',
      'create',
      '1G',
      '--quota',
      '1GB',
    );
    expect(plan.quotaBytes).toBe(1024 ** 3);
    const assigned = await sandbox.json<{ cardIds: number[] }>(
      'plans',
      'assign',
      '1G',
      ...ICCIDS.slice(0, 2),
      '--expires',
      '2027-01-31',
    );
    expect(assigned.cardIds).toHaveLength(2);
    const rule = await sandbox.json<{ id: number; thresholds: unknown; actions: unknown }>(
      'rules',
      'create',
      '--kind',
      'usage',
      '--scope',
      'plan',
      '--target',
      '1G',
      '--percent',
      '100',
      '--pause',
      '--resume-next-cycle',
      '--webhook',
    );
    expect(rule).toMatchObject({
      thresholds: { percent: 100, resumeNextCycle: true },
      actions: [{ type: 'pause' }, { type: 'webhook' }],
      severity: 'critical',
      targetId: String(plan.id),
    });
    const onCard = await sandbox.run(
      'rules',
      'create',
      '--kind',
      'expiry',
      '--scope',
      'card',
      '--target',
      ICCIDS[0]!,
      '--days',
      '30',
    );
    expect(onCard.stdout).toMatch(/^Created rule 2: expiry days=30 on card \d+ → alert\.\n$/);
    expect(await sandbox.json<unknown[]>('rules', 'list')).toHaveLength(2);
    const bad = await sandbox.run(
      'rules',
      'create',
      '--kind',
      'usage',
      '--scope',
      'plan',
      '--target',
      '1G',
    );
    expect(bad).toMatchObject({
      code: 1,
      stderr: 'simdock: usage rule thresholds: give exactly one of percent or bytes\n',
    });
    expect((await sandbox.run('rules', 'delete', '2')).code).toBe(0);
    expect((await sandbox.run('rules', 'delete', '2')).stderr).toBe('simdock: no rule 2\n');
  });

  it('creates pools, adds cards and shows usage and forecast', async () => {
    const pool = await sandbox.json<{ id: number }>('pools', 'create', 'spare', '--quota', '10GB');
    const added = await sandbox.json<{ added: number }>('pools', 'add', 'spare', ...ICCIDS);
    expect(added.added).toBe(3);
    const shown = await sandbox.json<{
      members: number;
      usedBytes: number | null;
      runOutOn: string | null;
    }>('pools', 'show', String(pool.id));
    expect(shown).toMatchObject({ members: 3, usedBytes: null, runOutOn: null });
    const text = await sandbox.run('pools', 'show', 'spare');
    expect(text.stdout).toContain('Runs out on:         not at the current rate');
    const listed = await sandbox.json<{ pools: { name: string; members: number }[] }>(
      'pools',
      'list',
    );
    expect(listed.pools).toEqual([expect.objectContaining({ name: 'spare', members: 3 })]);
    const removed = await sandbox.json<{ removed: number }>(
      'pools',
      'remove',
      'spare',
      ICCIDS[0]!,
      ICCIDS[1]!,
    );
    expect(removed.removed).toBe(2);
    const again = await sandbox.run('pools', 'remove', 'spare', ICCIDS[0]!);
    expect(again.stdout).toBe('Removed 0 cards from pool "spare".\n');
    expect(await sandbox.json('pools', 'show', 'spare')).toMatchObject({ members: 1 });
  });

  it('updates and deletes pools; a pool a rule watches stays', async () => {
    const pool = await sandbox.json<{ id: number }>('pools', 'create', 'scratch');
    const updated = await sandbox.json<{ name: string; quotaBytes: number; cycleStartDay: number }>(
      'pools',
      'update',
      'scratch',
      '--name',
      'scratch-2',
      '--quota',
      '2GB',
      '--cycle-start-day',
      '27',
    );
    expect(updated).toMatchObject({
      name: 'scratch-2',
      quotaBytes: 2 * 1024 ** 3,
      cycleStartDay: 27,
    });
    expect((await sandbox.run('pools', 'update', 'scratch-2', '--account', 'nowhere')).stderr).toBe(
      'simdock: no account "nowhere"\n',
    );
    const text = await sandbox.run('pools', 'update', String(pool.id), '--quota', 'none');
    expect(text.stdout).toContain('quota unknown');
    const rule = await sandbox.json<{ id: number }>(
      'rules',
      'create',
      '--kind',
      'usage',
      '--scope',
      'pool',
      '--target',
      String(pool.id),
      '--percent',
      '90',
    );
    const refused = await sandbox.run('pools', 'delete', 'scratch-2');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`rule ${rule.id} watches pool ${pool.id}`);
    expect((await sandbox.run('rules', 'delete', String(rule.id))).code).toBe(0);
    expect(await sandbox.json('pools', 'delete', 'scratch-2')).toEqual({ deleted: pool.id });
    expect((await sandbox.run('pools', 'show', 'scratch-2')).stderr).toBe(
      'simdock: no pool "scratch-2"\n',
    );
  });

  it('lists and acknowledges alerts', async () => {
    const store = await openStore({
      url: `sqlite:${join(sandbox.directory, 'data/test.db')}`,
      secretKey: sandbox.environment.SIMDOCK_SECRET_KEY,
    });
    try {
      await new AlertsRepository(store).raise({
        cycle: '2026-11-01',
        dedupeKey: 'test:1',
        source: 'rule',
        kind: 'usage',
        severity: 'warning',
        message: 'over the line',
      });
    } finally {
      await store.close();
    }
    const open = await sandbox.json<{ alerts: { id: number; message: string }[] }>(
      'alerts',
      'list',
    );
    expect(open.alerts.map((alert) => alert.message)).toEqual(['over the line']);
    const ack = await sandbox.run('alerts', 'ack', String(open.alerts[0]!.id), '--by', 'ops');
    expect(ack.stdout).toBe('Acknowledged 1 alert.\n');
    expect((await sandbox.json<{ alerts: unknown[] }>('alerts', 'list')).alerts).toEqual([]);
    const all = await sandbox.json<{ alerts: { acknowledgedBy: string }[] }>(
      'alerts',
      'list',
      '--all',
    );
    expect(all.alerts[0]!.acknowledgedBy).toBe('ops');
  });
});
