import { describe, expect, it } from 'vitest';
import { maskDeviceSecrets } from '../../domain/device.js';
import { ManualClock } from '../../domain/index.js';
import type { AgentAdapter } from './agent-adapter.js';
import { agentDefinition } from './agent-definition.js';
import { createAgentSimulator } from './agent-simulator.js';
import { deviceNumber } from './agent-simulator-fleet.js';

const START = Date.UTC(2025, 8, 18, 2, 0, 0);
const DOCUMENT_DEVICE = { key: 'doc', deviceNo: '865214078636124' };

function setup() {
  const clock = new ManualClock(START);
  const simulator = createAgentSimulator({
    appId: 'app001',
    secret: 'SECRETKEY123',
    size: 50,
    devices: 3,
    clock,
    rebootMs: 90_000,
  });
  const adapter = agentDefinition.create(
    'agent-1',
    agentDefinition.parseSettings({
      baseUrl: 'http://agent.test',
      appId: 'app001',
      secret: 'SECRETKEY123',
    }),
    { fetch: simulator.fetch, clock },
  ) as AgentAdapter;
  const read = async (device = DOCUMENT_DEVICE) => {
    const result = await adapter.doGetDevices({ devices: [device] });
    const item = result.items[0]!;
    if (!item.ok) throw item.error;
    return item.value;
  };
  return { clock, simulator, adapter, read };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as { code: string; supplierCode: string | null },
  );

describe('agent devices', () => {
  it("reads the document's device and generated devices; unknown and foreign ones per item", async () => {
    const { simulator, adapter } = setup();
    const result = await adapter.doGetDevices({
      devices: [
        DOCUMENT_DEVICE,
        { key: 'gen', deviceNo: deviceNumber(1) },
        { key: 'missing', deviceNo: '999999999999999' },
        { key: 'foreign', deviceNo: deviceNumber(0), accountId: 'onelink-1' },
      ],
    });
    const [documentDevice, generated, missing, foreign] = result.items;
    expect(documentDevice).toMatchObject({
      ok: true,
      value: { effectiveSlot: 'vice1', wifi: [{ name: 'MIFI-059D', password: '1234567890' }] },
    });
    expect(generated).toMatchObject({
      ok: true,
      value: {
        deviceNo: deviceNumber(1),
        effectiveSlot: 'main',
        online: true,
        slots: [
          { slot: 'main', iccid: simulator.fleet.cards.card(2).iccid },
          { slot: 'vice1', iccid: simulator.fleet.cards.card(3).iccid },
          { slot: 'vice2', iccid: null },
          { slot: 'esim', iccid: null },
        ],
      },
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    // The foreign device cost no call.
    expect(simulator.calls.count('/openapi/iot/queryDeviceFlow')).toBe(3);
  });

  it('switches network: the effective slot changes and the switch is in the history', async () => {
    const { clock, adapter, read } = setup();
    clock.advance(1_000);
    const result = await adapter.doDeviceCommand({
      device: DOCUMENT_DEVICE,
      command: { type: 'switch-network', slot: 'main' },
    });
    expect(result).toMatchObject({ key: 'doc', accepted: true });
    const device = await read();
    expect(device.effectiveSlot).toBe('main');
    expect(device.controlHistory.at(-1)).toEqual({
      at: START + 1_000,
      type: '251',
      command: 'switch-network',
      values: ['1'],
    });
    expect(
      await failure(
        adapter.doDeviceCommand({
          device: DOCUMENT_DEVICE,
          command: { type: 'switch-network', slot: 'vice2' },
        }),
      ),
    ).toMatchObject({ code: 'invalid_argument', supplierCode: '1001' });
  });

  it('takes a rebooted device offline for a while, refusing commands meanwhile', async () => {
    const { clock, adapter, read } = setup();
    const reboot = await adapter.doDeviceCommand({
      device: DOCUMENT_DEVICE,
      command: { type: 'reboot' },
    });
    expect(reboot.warnings[0]?.message).toMatch(/offline/);
    expect((await read()).online).toBe(false);
    const refused = await failure(
      adapter.doDeviceCommand({ device: DOCUMENT_DEVICE, command: { type: 'reboot' } }),
    );
    expect(refused).toMatchObject({ code: 'supplier_rejected', supplierCode: '2006' });
    clock.advance(90_000);
    expect((await read()).online).toBe(true);
  });

  it('resets Wi-Fi to factory settings and shuts down until powered on', async () => {
    const { clock, simulator, adapter, read } = setup();
    await adapter.doDeviceCommand({
      device: DOCUMENT_DEVICE,
      command: { type: 'wifi-credentials', name: 'fleet-van-12', password: 's3cret-pass' },
    });
    expect((await read()).wifi[0]).toMatchObject({ name: 'fleet-van-12', password: 's3cret-pass' });
    await adapter.doDeviceCommand({ device: DOCUMENT_DEVICE, command: { type: 'reset' } });
    clock.advance(90_000);
    const reset = await read();
    expect(reset.wifi[0]).toMatchObject({ name: 'MIFI-059D', password: '1234567890' });
    expect(reset.adminPassword).toBe('admin');
    await adapter.doDeviceCommand({ device: DOCUMENT_DEVICE, command: { type: 'shutdown' } });
    clock.advance(24 * 3_600_000);
    expect((await read()).online).toBe(false);
    simulator.powerOn(DOCUMENT_DEVICE.deviceNo);
    expect((await read()).online).toBe(true);
  });

  it('hides and shows Wi-Fi, changes its password, and masks it for display', async () => {
    const { simulator, adapter, read } = setup();
    await adapter.doDeviceCommand({
      device: DOCUMENT_DEVICE,
      command: { type: 'wifi-visibility', visible: false },
    });
    expect((await read()).wifi[0]?.visible).toBe(false);
    const calls = simulator.calls.total;
    expect(
      await failure(
        adapter.doDeviceCommand({
          device: DOCUMENT_DEVICE,
          command: { type: 'wifi-credentials', password: 'short' },
        }),
      ),
    ).toMatchObject({ code: 'invalid_argument' });
    expect(simulator.calls.total).toBe(calls);
    expect(
      await failure(
        adapter.doDeviceCommand({
          device: DOCUMENT_DEVICE,
          command: { type: 'wifi-visibility', visible: true, band: '5GHz' },
        }),
      ),
    ).toMatchObject({ supplierCode: '1001' });
    await adapter.doDeviceCommand({
      device: DOCUMENT_DEVICE,
      command: { type: 'wifi-credentials', password: 'new-password-1' },
    });
    const device = await read();
    expect(device.wifi[0]).toMatchObject({ visible: false, password: 'new-password-1' });
    const shown = JSON.stringify(maskDeviceSecrets(device));
    expect(shown).not.toContain('new-password-1');
    expect(shown).toContain('MIFI-059D');
  });

  it('stops and resumes a device with its cards', async () => {
    const { adapter, read } = setup();
    await adapter.doDeviceCommand({ device: DOCUMENT_DEVICE, command: { type: 'stop' } });
    const stopped = await read();
    expect(stopped.slots.slice(0, 2).map((slot) => slot.status?.status)).toEqual([
      'suspended',
      'suspended',
    ]);
    expect(
      await failure(
        adapter.doDeviceCommand({ device: DOCUMENT_DEVICE, command: { type: 'stop' } }),
      ),
    ).toMatchObject({ code: 'supplier_rejected', supplierCode: '2002' });
    await adapter.doDeviceCommand({ device: DOCUMENT_DEVICE, command: { type: 'resume' } });
    expect((await read()).slots[0]?.status?.status).toBe('active');
  });

  it('refuses a command for a device of another account before any call', async () => {
    const { simulator, adapter } = setup();
    const error = await failure(
      adapter.doDeviceCommand({
        device: { ...DOCUMENT_DEVICE, accountId: 'quectel-1' },
        command: { type: 'reboot' },
      }),
    );
    expect(error).toMatchObject({ code: 'invalid_argument' });
    expect(simulator.calls.total).toBe(0);
  });

  it('hands out a terminal token and reads the device by its info operation too', async () => {
    const { adapter } = setup();
    const token = await adapter.client.getTerminalToken(DOCUMENT_DEVICE.deviceNo);
    expect(token.data.token).toMatch(/^[0-9a-f]{32}$/);
    expect(token.data.expireAt).toBe('2025-09-18 12:00:00');
    const info = await adapter.client.queryDeviceInfo(DOCUMENT_DEVICE.deviceNo);
    expect(info.data.sims.map((sim) => sim.vice)).toEqual([1, 2]);
  });
});
