import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_SIM_STATUS, createAgentSimulator } from '../src/suppliers/agent/index.js';
import { createQuectelSimulator, QUECTEL_SIMULATOR_PATH } from '../src/suppliers/quectel/index.js';
import { CliSandbox, serveOnLoopback } from './cli-harness.js';

interface JobOutput {
  job: {
    id: number;
    action: string;
    state: string;
    total: number;
    done: number;
    skipped: number;
    failed: number;
  };
  reasons: { state: string; code: string | null; message: string | null; count: number }[];
  items: {
    cardId: number;
    state: string;
    code: string | null;
    message: string | null;
    supplierRef: string | null;
    idempotencyKey: string;
  }[];
}

describe('CLI card actions, bulk SMS and orders against the simulators', () => {
  const sandbox = new CliSandbox();
  const agent = createAgentSimulator({
    appId: 'cli-agent',
    secret: 'cli-agent-secret',
    size: 40,
    devices: 0,
    // 0 would leave cards unchanged: the simulator applies a stop only when a processing record
    // settles, and a 0 ms record is born settled (reported as a simulator bug).
    settleDelayMs: 1,
  });
  const quectel = createQuectelSimulator({
    appKey: 'cli-quectel',
    secret: 'cli-quectel-secret',
    size: 30,
  });
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const agentServer = await serveOnLoopback(agent.app);
    const quectelServer = await serveOnLoopback(quectel.app);
    closers.push(agentServer.close, quectelServer.close);
    sandbox.environment.AGENT_SECRET = 'cli-agent-secret';
    sandbox.environment.QUECTEL_SECRET = 'cli-quectel-secret';
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db
accounts:
  - id: reseller
    type: agent
    baseUrl: ${agentServer.origin}
    appId: cli-agent
    secret: \${AGENT_SECRET}
    pollIntervalMs: 1
  - id: quectel
    type: quectel
    baseUrl: ${quectelServer.origin}${QUECTEL_SIMULATOR_PATH}
    appKey: cli-quectel
    secret: \${QUECTEL_SECRET}
`,
    );
    const agentCards = Array.from(
      { length: 40 },
      (_, index) => agent.fleet.cards.card(index).iccid,
    );
    const quectelCards = Array.from(
      { length: 30 },
      (_, index) => quectel.fleet.pattern.card(index).iccid,
    );
    sandbox.write('agent.txt', `${agentCards.join('\n')}\n`);
    sandbox.write('quectel.txt', `${quectelCards.join('\n')}\n`);
    expect((await sandbox.run('cards', 'import', 'agent.txt', '--account', 'reseller')).code).toBe(
      0,
    );
    expect((await sandbox.run('cards', 'import', 'quectel.txt', '--account', 'quectel')).code).toBe(
      0,
    );
  });
  afterAll(async () => {
    for (const close of closers) await close();
    sandbox.remove();
  });

  it('refuses to act without --yes when no terminal can confirm, after saying what it would do', async () => {
    const iccid = agent.fleet.cards.card(0).iccid;
    const result = await sandbox.run('cards', 'pause', iccid, '89860000000000000000');
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('pause: 1 cards — reseller (agent): 1');
    expect(result.stderr).toContain('89860000000000000000: no card with iccid');
    expect(result.stderr).toContain('add --yes to pause 1 cards');
    expect(agent.calls.total).toBe(0);
  });

  it('pauses an account through batch stop, each card done or failed with its reason', async () => {
    const result = await sandbox.run(
      'cards',
      'pause',
      '--filter',
      'account=reseller',
      '--yes',
      '--json',
    );
    expect([0, 5]).toContain(result.code);
    const output = JSON.parse(result.stdout) as JobOutput;
    expect(output.job).toMatchObject({ action: 'pause', total: 40 });
    expect(output.job.done + output.job.failed).toBe(40);
    expect(output.job.done).toBeGreaterThan(30);
    for (const item of output.items) {
      if (item.state === 'failed') expect(item.message).toMatch(/cannot pause|failed/);
    }
    const list = await sandbox.json<{ cards: { id: number; iccid: string; status: string }[] }>(
      'cards',
      'list',
      '--account',
      'reseller',
    );
    const done = new Set(
      output.items.filter((item) => item.state === 'done').map((item) => item.cardId),
    );
    for (const card of list.cards) {
      if (!done.has(card.id)) continue;
      expect(card.status).toBe('suspended');
      expect(agent.fleet.card({ iccid: card.iccid })!.simStatus).toBe(AGENT_SIM_STATUS.stopped);
    }

    // Again: every paused card is skipped as already suspended, nothing is sent.
    const stops = agent.calls.count('/openapi/iot/batchStopCard');
    const again = await sandbox.json<JobOutput>(
      'cards',
      'pause',
      '--filter',
      'account=reseller AND status=suspended',
      '--yes',
    );
    expect(again.job).toMatchObject({ skipped: output.job.done, done: 0 });
    expect(again.reasons[0]).toMatchObject({
      state: 'skipped',
      code: 'already',
      message: 'already suspended',
    });
    expect(agent.calls.count('/openapi/iot/batchStopCard')).toBe(stops);
  });

  it('skips cards whose account cannot do the action, naming it', async () => {
    const result = await sandbox.run('cards', 'activate', '--filter', 'account=reseller', '--yes');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('40 skipped');
    expect(result.stdout).toContain(
      'account reseller (agent) cannot activate (it offers pause, resume)',
    );
  });

  it('sends one text to many cards through Quectel and records each message id', async () => {
    const output = await sandbox.json<JobOutput>(
      'cards',
      'sms',
      'reboot now',
      '--filter',
      'account=quectel AND iccid=898607*',
      '--yes',
    );
    expect(output.job).toMatchObject({ action: 'sms', total: 30, done: 30, failed: 0 });
    expect(output.items.every((item) => item.supplierRef)).toBe(true);
    const agentOnes = await sandbox.run(
      'cards',
      'sms',
      'hi',
      agent.fleet.cards.card(1).iccid,
      '--yes',
    );
    expect(agentOnes.stdout).toContain('cannot send SMS');
  });

  it('lists products, orders a flow package once per card even when re-run, and shows the order', async () => {
    const { products } = await sandbox.json<{
      products: { productId: string; productName: string }[];
    }>('orders', 'products', '--account', 'quectel');
    expect(products.length).toBeGreaterThan(0);
    const iccid = quectel.fleet.pattern.card(3).iccid;
    const placed = await sandbox.json<JobOutput>(
      'orders',
      'recharge',
      iccid,
      '--product',
      products[0]!.productId,
      '--account',
      'quectel',
      '--yes',
    );
    expect(placed.job).toMatchObject({ action: 'recharge', done: 1 });
    const orderNo = placed.items[0]!.supplierRef!;
    expect(quectel.commerce.orders.get(orderNo)).toMatchObject({
      iccid,
      externalId: placed.items[0]!.idempotencyKey,
    });
    const ordersBefore = quectel.commerce.orders.size;
    const rerun = await sandbox.json<JobOutput>(
      'orders',
      'recharge',
      '--job',
      String(placed.job.id),
    );
    expect(rerun.job.done).toBe(1);
    expect(quectel.commerce.orders.size).toBe(ordersBefore);
    const shown = await sandbox.json<{
      orderNo: string;
      state: string;
      details: { iccid: string };
    }>('orders', 'show', orderNo, '--account', 'quectel');
    expect(shown).toMatchObject({ orderNo, details: { iccid } });
    expect(['pending', 'complete']).toContain(shown.state);
    const wrong = await sandbox.run('orders', 'products', '--account', 'reseller');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('its supplier takes no orders');
  });
});
