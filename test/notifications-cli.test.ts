import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeRobot,
  startFakeRobot,
} from '../src/services/notifications/notifications-robots.test-support.js';
import { CliSandbox } from './cli-harness.js';

let sandbox: CliSandbox | undefined;
let robot: FakeRobot | undefined;
afterEach(async () => {
  await robot?.close();
  robot = undefined;
  sandbox?.remove();
  sandbox = undefined;
});

describe('simdock notifications', () => {
  it('adds a signed Feishu channel from environment secrets, masks them, tests it and shows the log', async () => {
    sandbox = new CliSandbox();
    sandbox.write('simdock.yaml', 'database: sqlite:./simdock.db\naccounts: []\n');
    robot = await startFakeRobot({
      type: 'feishu',
      token: 'cli-feishu-hook-0a1b2c3d4e5f',
      secret: 'cli-feishu-secret-99',
      now: () => Date.now(),
    });
    sandbox.environment.FEISHU_URL = robot.url;
    sandbox.environment.FEISHU_SECRET = 'cli-feishu-secret-99';

    const refused = await sandbox.run('notifications', 'add', 'feishu', '--url-env', 'FEISHU_URL');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/must be https/);
    expect(refused.stderr).not.toContain('0a1b2c3d4e5f');
    const missing = await sandbox.run('notifications', 'add', 'feishu', '--url-env', 'NOT_SET');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NOT_SET');

    const created = await sandbox.json<{ id: number; secrets: Record<string, string> }>(
      'notifications',
      'add',
      'feishu',
      '--name',
      'ops',
      '--locale',
      'en',
      '--url-env',
      'FEISHU_URL',
      '--secret-env',
      'FEISHU_SECRET',
      '--min-severity',
      'warning',
      '--allow-private',
    );
    expect(created.secrets).toEqual({
      webhookUrl: expect.stringContaining('••••4e5f'),
      secret: '••••',
    });
    const listed = await sandbox.run('notifications', 'list');
    expect(listed.stdout).toMatch(/ops\s+feishu\s+root\s+en/);
    expect(listed.stdout).not.toContain('cli-feishu-secret-99');
    expect(listed.stdout).not.toContain('0a1b2c3d4e5f');

    const blocked = await sandbox.run('notifications', 'test', String(created.id));
    expect(blocked.code).toBe(4);
    expect(blocked.stdout).toMatch(/pending/);
    const tested = await sandbox.run(
      'notifications',
      'test',
      String(created.id),
      '--allow-private',
    );
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/succeeded, answer code 0/);
    expect(robot.received[0]!.title).toBe('simdock test message');

    const log = await sandbox.json<{ messages: { kind: string; lastCode: string }[] }>(
      'notifications',
      'log',
    );
    expect(log.messages).toEqual([
      expect.objectContaining({ kind: 'test', lastCode: '0' }),
      expect.objectContaining({ kind: 'test', state: 'pending', lastCode: null }),
    ]);
    const disabled = await sandbox.json<{ enabled: boolean }>(
      'notifications',
      'update',
      String(created.id),
      '--disable',
    );
    expect(disabled.enabled).toBe(false);
    expect((await sandbox.run('notifications', 'log', '--state', 'lost')).code).toBe(1);
    expect((await sandbox.run('notifications', 'remove', String(created.id))).code).toBe(0);
  });
});
