import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runWorker } from '../src/cli/commands/server/worker.js';
import type { CommandIo } from '../src/cli/io.js';
import type { JobRecord } from '../src/services/job-queue.js';
import { createOnelinkV2Simulator } from '../src/suppliers/onelink-v2/index.js';
import { CliSandbox, serveOnLoopback } from './cli-harness.js';

const credentials = {
  appid: 'jobs-cli',
  password: 'jobs-password',
  ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
};

describe('CLI: simdock worker and simdock jobs', () => {
  const sandbox = new CliSandbox();
  const simulator = createOnelinkV2Simulator({ ...credentials, size: 30 });
  let close: () => Promise<void>;

  beforeAll(async () => {
    const served = await serveOnLoopback(simulator.app);
    close = served.close;
    sandbox.environment.ONELINK_PASSWORD = credentials.password;
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/jobs.db
accounts:
  - id: cmcc
    type: onelink-v2
    baseUrl: ${served.origin}/v2
    appid: ${credentials.appid}
    password: \${ONELINK_PASSWORD}
    ebids: { batchquerycardinfo: "1", batchgprsusedbydate: "2" }
schedule:
  - key: sync-status-hourly
    everyMinutes: 60
    sync: { days: 0 }
  - key: sync-usage-daily
    at: "09:30"
    sync: {}
`,
    );
    const lines = Array.from({ length: 30 }, (_, index) => simulator.fleet.card(index).iccid);
    sandbox.write('cards.txt', `${lines.join('\n')}\n`);
    const imported = await sandbox.run('cards', 'import', 'cards.txt', '--account', 'cmcc');
    expect(imported.code).toBe(0);
  });
  afterAll(async () => {
    await close();
    sandbox.remove();
  });

  it('worker --once schedules the configured syncs and runs them; jobs list, show and cancel', async () => {
    const once = await sandbox.json<{ scheduled: JobRecord[]; ran: JobRecord[] }>(
      'worker',
      '--once',
    );
    // The webhook and notification passes are scheduled beside the syncs whatever `schedule:`
    // says.
    const syncs = (list: JobRecord[]) =>
      list.filter((job) => job.name !== 'webhooks' && !job.name.startsWith('notifications'));
    expect(once.scheduled.map((job) => job.key?.split(':')[0])).toEqual([
      'sync-status-hourly',
      'sync-usage-daily',
      'webhooks',
      'notifications',
      'notifications-daily',
    ]);
    // Each sync plans its run and hands the slices to sync-slice jobs: one range here (30 cards),
    // read once by the hourly run and twice by the daily one (yesterday's usage first).
    expect(
      syncs(once.ran)
        .map((job) => job.name)
        .sort(),
    ).toEqual(['sync', 'sync', 'sync-slice', 'sync-slice', 'sync-slice']);
    expect(once.ran.every((job) => job.state === 'succeeded')).toBe(true);

    // The same periods are not scheduled twice.
    const again = await sandbox.json<{ scheduled: JobRecord[]; ran: JobRecord[] }>(
      'worker',
      '--once',
    );
    expect({ scheduled: syncs(again.scheduled), ran: syncs(again.ran) }).toEqual({
      scheduled: [],
      ran: [],
    });

    const jobs = syncs(await sandbox.json<JobRecord[]>('jobs', 'list', '--state', 'succeeded'));
    expect(jobs).toHaveLength(5);
    const daily = jobs.find((job) => job.key?.startsWith('sync-usage-daily'))!;
    const dailyRun = (daily.result as { accounts: { runId: number }[] }).accounts[0]!.runId;
    expect(daily.result).toEqual({
      accounts: [
        expect.objectContaining({ account: 'cmcc', status: 'distributed', cards: 30, slices: 2 }),
      ],
    });
    // The daily run, planned while the hourly run's slice still waited, took its place: that
    // slice asked nothing, and the daily run read the identities and wrote 7 days of usage per
    // card (yesterday in its first slice, the other six in its second, which closed the run).
    const hourly = jobs.find((job) => job.key?.startsWith('sync-status-hourly'))!;
    const hourlyRun = (hourly.result as { accounts: { runId: number }[] }).accounts[0]!.runId;
    expect(jobs.find((job) => job.key === `sync-slice:${hourlyRun}:0`)?.result).toMatchObject({
      stoppedBy: null,
      finished: null,
    });
    const slice = jobs.find((job) => job.key === `sync-slice:${dailyRun}:1`)!;
    expect(slice.result).toMatchObject({
      finished: {
        account: 'cmcc',
        status: 'succeeded',
        cards: 30,
        failed: 0,
        rowsWritten: 30 + 30 * 7,
      },
    });

    const shown = await sandbox.run('jobs', 'show', daily.id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/State\s+succeeded/);
    expect(shown.stdout).toContain('by scheduler');

    const text = await sandbox.run('jobs', 'list');
    expect(text.stdout).toMatch(/^ID\s+NAME\s+STATE/);

    const cancel = await sandbox.run('jobs', 'cancel', daily.id);
    expect(cancel.code).toBe(3);
    expect(cancel.stdout).toContain('had already ended (succeeded)');

    const missing = await sandbox.run('jobs', 'show', '9999');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no job with id "9999"');

    const badState = await sandbox.run('jobs', 'list', '--state', 'done');
    expect(badState.code).toBe(1);
    expect(badState.stderr).toMatch(/--state must be one of/);
  });

  it('worker runs until stopped and reports both ends', async () => {
    let stdout = '';
    const io: CommandIo = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      environment: sandbox.environment,
      cwd: sandbox.directory,
    };
    const controller = new AbortController();
    const running = runWorker(
      { json: true, concurrency: 1, schedule: true, stopSignal: controller.signal },
      io,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    expect(await running).toBe(0);
    const events = stdout
      .trim()
      .split(/\n(?=\{)/)
      .map((chunk) => JSON.parse(chunk) as { event: string; leading?: boolean });
    expect(events.map((event) => event.event)).toEqual(['started', 'stopped']);
    expect(events[1]!.leading).toBe(true);
  });
});
