import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceNumber } from '../src/suppliers/agent/agent-simulator-fleet.js';
import { createAgentSimulator } from '../src/suppliers/agent/index.js';
import { createM2mSimulator } from '../src/suppliers/m2m10086/index.js';
import { CliSandbox, serveOnLoopback } from './cli-harness.js';

/** The device of agent-openapi-v2-querydeviceflow.txt. */
const DOCUMENT_DEVICE = '865214078636124';

describe('CLI: devices and texts against simulators on loopback', () => {
  const sandbox = new CliSandbox();
  const agent = createAgentSimulator({
    appId: 'app001',
    secret: 'SECRETKEY123',
    size: 20,
    devices: 2,
  });
  const m2m = createM2mSimulator({
    partnercode: 'P00012',
    servicecode: 'SVC0000001',
    password: '1234ABcd12',
    size: 20,
  });
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const agentServer = await serveOnLoopback(agent.app);
    const m2mServer = await serveOnLoopback(m2m.app);
    closers.push(agentServer.close, m2mServer.close);
    sandbox.environment.AGENT_SECRET = 'SECRETKEY123';
    sandbox.environment.M2M_PASSWORD = '1234ABcd12';
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/test.db
accounts:
  - id: agent
    type: agent
    baseUrl: ${agentServer.origin}
    appId: app001
    secret: \${AGENT_SECRET}
  - id: m2m
    type: m2m10086
    baseUrl: ${m2mServer.origin}
    partnercode: P00012
    servicecode: SVC0000001
    password: \${M2M_PASSWORD}
`,
    );
    sandbox.write(
      'agent.txt',
      [
        '898608841925D2210999',
        ...[0, 1, 2, 3].map((index) => agent.fleet.cards.card(index).iccid),
      ].join('\n'),
    );
    sandbox.write('m2m.txt', m2m.fleet.card(2).msisdn);
    expect((await sandbox.run('cards', 'import', 'agent.txt', '--account', 'agent')).code).toBe(0);
    expect((await sandbox.run('cards', 'import', 'm2m.txt', '--account', 'm2m')).code).toBe(0);
  });
  afterAll(async () => {
    for (const close of closers) await close();
    sandbox.remove();
  });

  it('syncs devices, lists them, shows one masked unless --reveal', async () => {
    const synced = await sandbox.json<{ synced: number; devices: number }>(
      'devices',
      'sync',
      '--account',
      'agent',
      '--device',
      DOCUMENT_DEVICE,
    );
    expect(synced).toMatchObject({ devices: 3, synced: 3 });
    const listed = await sandbox.json<{ devices: { deviceNo: string }[] }>('devices', 'list');
    expect(listed.devices.map((device) => device.deviceNo).sort()).toEqual(
      [DOCUMENT_DEVICE, deviceNumber(0), deviceNumber(1)].sort(),
    );
    const shown = await sandbox.run('devices', 'show', DOCUMENT_DEVICE);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('MIFI-059D');
    expect(shown.stdout).toContain('********');
    expect(shown.stdout).not.toContain('1234567890');
    const json = await sandbox.json<{ wifi: { password: string }[]; slots: unknown[] }>(
      'devices',
      'show',
      DOCUMENT_DEVICE,
    );
    expect(json.wifi[0]?.password).toBe('********');
    expect(json.slots).toHaveLength(4);
    const revealed = await sandbox.json<{ wifi: { password: string }[]; adminPassword: string }>(
      'devices',
      'show',
      DOCUMENT_DEVICE,
      '--reveal',
    );
    expect(revealed).toMatchObject({ wifi: [{ password: '1234567890' }], adminPassword: 'admin' });
  });

  it('switches network and refuses a device of another account with one clear line', async () => {
    const switched = await sandbox.json<{
      results: { accepted: boolean }[];
      device: { effectiveSlot: string };
    }>('devices', 'switch-network', deviceNumber(0), 'vice1');
    expect(switched).toMatchObject({
      results: [{ accepted: true }],
      device: { effectiveSlot: 'vice1' },
    });
    const calls = agent.calls.count();
    const refused = await sandbox.run('devices', 'reboot', deviceNumber(0), '--account', 'm2m');
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `simdock: device ${deviceNumber(0)} belongs to agent (agent), not to account m2m`,
    );
    expect(agent.calls.count()).toBe(calls);
    const badSlot = await sandbox.run('devices', 'switch-network', deviceNumber(0), 'slot9');
    expect(badSlot.code).toBe(1);
  });

  it('sends a text, pulls replies, and lists the thread', async () => {
    const msisdn = m2m.fleet.card(2).msisdn;
    const sent = await sandbox.json<{
      sent: boolean;
      message: { status: string; supplierMessageId: string };
    }>('sms', 'send', msisdn, 'status?');
    expect(sent).toMatchObject({ sent: true, message: { status: 'sent' } });
    expect(m2m.sentSms(sent.message.supplierMessageId)).toMatchObject({ content: 'status?' });
    m2m.receiveSms(msisdn, 'all good');
    const pulled = await sandbox.json<{ read: number; stored: { text: string }[] }>(
      'sms',
      'pull',
      '--account',
      'm2m',
    );
    expect(pulled).toMatchObject({ read: 1, stored: [{ text: 'all good' }] });
    const thread = await sandbox.json<{ messages: { direction: string; text: string }[] }>(
      'sms',
      'list',
      msisdn,
    );
    expect(thread.messages.map((message) => [message.direction, message.text])).toEqual([
      ['out', 'status?'],
      ['in', 'all good'],
    ]);
    const noPull = await sandbox.run('sms', 'pull', '--account', 'agent');
    expect(noPull.code).toBe(1);
    expect(noPull.stderr).toContain('offers no pull of texts');
  });
});
