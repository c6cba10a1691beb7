import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuectelSimulator, QUECTEL_SIMULATOR_PATH } from '../src/suppliers/quectel/index.js';
import { CliSandbox, serveOnLoopback } from './cli-harness.js';

describe('CLI carrier-side caps and billing cycles', () => {
  const sandbox = new CliSandbox();
  const quectel = createQuectelSimulator({
    appKey: 'cli-cap-quectel',
    secret: 'cli-cap-quectel-secret',
    size: 4,
  });
  const iccid = quectel.fleet.pattern.card(0).iccid;
  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const server = await serveOnLoopback(quectel.app);
    close = server.close;
    sandbox.environment.QUECTEL_SECRET = 'cli-cap-quectel-secret';
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db
accounts:
  - id: quectel
    type: quectel
    baseUrl: ${server.origin}${QUECTEL_SIMULATOR_PATH}
    appKey: cli-cap-quectel
    secret: \${QUECTEL_SECRET}
    billingCycleStartDay: 27
`,
    );
    sandbox.write('cards.txt', `${iccid}\n`);
    expect((await sandbox.run('cards', 'import', 'cards.txt', '--account', 'quectel')).code).toBe(
      0,
    );
  });
  afterAll(async () => {
    await close();
    sandbox.remove();
  });

  it('shows the card’s billing cycle, here the account’s override of the 27th', async () => {
    const shown = await sandbox.json<{ usage: { cycle: Record<string, unknown> } }>(
      'cards',
      'show',
      iccid,
    );
    expect(shown.usage.cycle).toMatchObject({
      startDay: 27,
      source: 'account',
      calendarMonth: false,
    });
    const text = await sandbox.run('cards', 'show', iccid);
    expect(text.stdout).toMatch(
      /This cycle\s+— \(\d{4}-\d{2}-27 – \d{4}-\d{2}-26 CST, billing month/,
    );
  });

  it('sets, shows and cancels a card’s cap as bulk jobs (Quectel: its stop threshold)', async () => {
    const set = await sandbox.run(
      'cards',
      'cap',
      'set',
      '--size',
      '500MB',
      iccid,
      '--yes',
      '--json',
    );
    const output = JSON.parse(set.stdout) as {
      job: { action: string; params: Record<string, unknown>; state: string; skipped: number };
    };
    expect(output.job).toMatchObject({
      action: 'data-cap-set',
      params: { capBytes: 500 * 1024 * 1024 },
      skipped: 0,
    });
    const shown = await sandbox.json<Record<string, unknown>>('cards', 'cap', 'show', iccid);
    expect(JSON.stringify(shown)).toContain(String(500 * 1024 * 1024));
    const cancelled = await sandbox.run('cards', 'cap', 'cancel', iccid, '--yes', '--json');
    expect(
      (JSON.parse(cancelled.stdout) as { job: { action: string; skipped: number } }).job,
    ).toMatchObject({ action: 'data-cap-cancel', skipped: 0 });
  });

  it('refuses a cap without a size or with a bad one, before any job', async () => {
    const missing = await sandbox.run('cards', 'cap', 'set', iccid, '--yes');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('--size is required');
    const bad = await sandbox.run('cards', 'cap', 'set', '--size', 'lots', iccid, '--yes');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--size: "lots" is not a size');
  });
});
