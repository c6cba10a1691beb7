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

  it('says clearly that a supplier without caps cannot show or set one', async () => {
    const shown = await sandbox.run('cards', 'cap', 'show', iccid);
    expect(shown.code).not.toBe(0);
    expect(shown.stderr).toContain(
      'account quectel (quectel) offers no carrier-side data caps (达量断网)',
    );
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
      job: { action: string; params: Record<string, unknown>; skipped: number };
      reasons: { code: string | null; message: string | null }[];
    };
    expect(output.job).toMatchObject({
      action: 'data-cap-set',
      params: { capBytes: 500 * 1024 * 1024 },
      skipped: 1,
    });
    expect(output.reasons[0]).toMatchObject({ code: 'unsupported' });
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
