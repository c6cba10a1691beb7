import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentSimulator } from '../src/suppliers/agent/index.js';
import { CliSandbox, serveOnLoopback } from './cli-harness.js';

interface JobOutput {
  job: { id: number; action: string; state: string; total: number; done: number; failed: number };
  items: { cardId: number; state: string }[];
}

describe('CLI: simdock jobs retry', () => {
  const sandbox = new CliSandbox();
  const agent = createAgentSimulator({
    appId: 'retry-agent',
    secret: 'retry-agent-secret',
    size: 40,
    devices: 0,
    settleDelayMs: 1,
  });
  let close: () => Promise<void>;

  beforeAll(async () => {
    const served = await serveOnLoopback(agent.app);
    close = served.close;
    sandbox.environment.AGENT_SECRET = 'retry-agent-secret';
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/retry.db
accounts:
  - id: reseller
    type: agent
    baseUrl: ${served.origin}
    appId: retry-agent
    secret: \${AGENT_SECRET}
    pollIntervalMs: 1
`,
    );
    const cards = Array.from({ length: 40 }, (_, index) => agent.fleet.cards.card(index).iccid);
    sandbox.write('agent.txt', `${cards.join('\n')}\n`);
    expect((await sandbox.run('cards', 'import', 'agent.txt', '--account', 'reseller')).code).toBe(
      0,
    );
  });
  afterAll(async () => {
    await close();
    sandbox.remove();
  });

  it('runs a new job over the failed cards of a job, and refuses one with nothing to retry', async () => {
    const first = await sandbox.run(
      'cards',
      'pause',
      '--filter',
      'account=reseller',
      '--yes',
      '--json',
    );
    const original = JSON.parse(first.stdout) as JobOutput;
    // Some cards of the simulated fleet cannot be paused (their status forbids it).
    expect(original.job.failed).toBeGreaterThan(0);
    expect(first.code).toBe(5);
    const failed = original.items
      .filter((item) => item.state === 'failed')
      .map((item) => item.cardId);

    const retried = await sandbox.run('jobs', 'retry', String(original.job.id), '--json');
    const retry = JSON.parse(retried.stdout) as JobOutput;
    expect(retry.job).toMatchObject({ action: 'pause', total: failed.length });
    expect(retry.job.id).toBeGreaterThan(original.job.id);
    expect(retry.items.map((item) => item.cardId).sort((a, b) => a - b)).toEqual(
      [...failed].sort((a, b) => a - b),
    );
    expect(retried.code).toBe(retry.job.failed > 0 ? 5 : 0);

    // A job is retried once: asked again, it names the retry, which is the one to retry next.
    const again = await sandbox.run('jobs', 'retry', String(original.job.id));
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(
      `job ${original.job.id} was already retried as job ${retry.job.id}`,
    );
    // The cards whose status forbids a pause failed again: the retry has them to retry.
    expect(retry.job.failed).toBe(failed.length);
    const text = await sandbox.run('jobs', 'retry', String(retry.job.id));
    expect(text.stdout).toContain(`retrying ${failed.length} cards of job ${retry.job.id}`);

    const paused = await sandbox.run(
      'cards',
      'pause',
      '--filter',
      'account=reseller AND status=suspended',
      '--yes',
      '--json',
    );
    const clean = JSON.parse(paused.stdout) as JobOutput;
    const nothing = await sandbox.run('jobs', 'retry', String(clean.job.id));
    expect(nothing.code).toBe(3);
    expect(nothing.stderr).toContain('no failed or unrun card to retry');
    const missing = await sandbox.run('jobs', 'retry', '999');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no bulk job 999');
    expect((await sandbox.run('jobs', 'retry', 'x')).code).toBe(1);
  });
});
