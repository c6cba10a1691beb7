import { expect, it } from 'vitest';
import { MASKED_SECRET } from '../../domain/index.js';
import { SecretBox } from '../../store/secret-box.js';
import {
  describeEachDialect,
  TEST_SECRET_KEY,
  useTestStore,
} from '../../store/store.test-support.js';
import { deviceNumber } from '../../suppliers/agent/agent-simulator-fleet.js';
import { agentDefinition, createAgentSimulator } from '../../suppliers/agent/index.js';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import { createServiceContext } from '../context.js';
import {
  attachDeviceSecrets,
  devicesRepository,
  deviceView,
  findDevice,
  sendDeviceCommand,
  syncDevices,
} from './devices-service.js';

/** The device of agent-openapi-v2-querydeviceflow.txt. */
const DOCUMENT_DEVICE = '865214078636124';
const AGENT = { appId: 'app001', secret: 'SECRETKEY123' };

describeEachDialect('devices ($dialect)', (target) => {
  const test = useTestStore(target);

  async function rig() {
    const { store, clock } = test.current;
    clock.set(Date.UTC(2025, 8, 18, 2));
    attachDeviceSecrets(
      store,
      new SecretBox(async () => ({ key: TEST_SECRET_KEY, origin: 'test' })),
    );
    const simulator = createAgentSimulator({ ...AGENT, size: 20, devices: 3, clock });
    const context = createServiceContext({
      store,
      catalog: createSupplierCatalog(),
      clock,
      fetch: simulator.fetch,
    });
    await store.accounts.upsert({
      id: 'agent-1',
      type: agentDefinition.type,
      settings: { baseUrl: 'http://agent.test', appId: AGENT.appId },
      secrets: { secret: AGENT.secret },
    });
    await store.accounts.upsert({
      id: 'other-1',
      type: agentDefinition.type,
      settings: { baseUrl: 'http://agent.test', appId: AGENT.appId },
      secrets: { secret: AGENT.secret },
    });
    // The document's two cards and the first six fleet cards (three generated devices).
    await store.cards.importCards('agent-1', agentDefinition.type, [
      { iccid: '898608841925D2210999' },
      { iccid: '8986032142201828602' },
      ...Array.from({ length: 6 }, (_, index) => ({
        iccid: simulator.fleet.cards.card(index).iccid,
      })),
    ]);
    return { store, simulator, context };
  }

  it("stores the document's device with all slots, cards linked, passwords sealed and masked", async () => {
    const { store, context } = await rig();
    const summary = await syncDevices(context, 'agent-1');
    expect(summary).toMatchObject({ devices: 4, synced: 4, failed: [] });
    const stored = await findDevice(context, DOCUMENT_DEVICE);
    expect(stored.device.slots.map((slot) => [slot.slot, slot.iccid])).toEqual([
      ['main', '898608841925D2210999'],
      ['vice1', '8986032142201828602'],
      ['vice2', null],
      ['esim', null],
    ]);
    expect(stored.device).toMatchObject({
      effectiveSlot: 'vice1',
      signalDbm: -84,
      batteryPercent: 100,
      mac: '3C:68:01:97:05:9D',
      position: { cellId: '151007697', latitude: 22.7617255 },
    });
    expect(stored.device.controlHistory).toHaveLength(3);
    const [main] = await store.cards.findByIdentifier('898608841925D2210999');
    expect(stored.slotCardIds).toMatchObject({ main: main!.id });
    expect(await devicesRepository(context).ofCard(main!.id)).toEqual([
      { deviceId: stored.id, slot: 'main' },
    ]);
    const shown = deviceView(stored);
    expect(shown.wifi[0]).toMatchObject({ name: 'MIFI-059D', password: MASKED_SECRET });
    expect(shown.adminPassword).toBe(MASKED_SECRET);
    expect(deviceView(stored, { reveal: true }).wifi[0]?.password).toBe('1234567890');
    // Nothing in the database holds the passwords in clear.
    const rows = await store.db
      .withTables<{ devices: { wifi: string; secrets: string | null; device_no: string } }>()
      .selectFrom('devices')
      .select(['wifi', 'secrets'])
      .where('device_no', '=', DOCUMENT_DEVICE)
      .execute();
    expect(JSON.stringify(rows)).not.toContain('1234567890');
    expect(rows[0]?.secrets).toMatch(/^v1:/);
    // A second sync replaces rather than duplicates.
    await syncDevices(context, 'agent-1');
    expect(await devicesRepository(context).list({ account: 'agent-1' })).toHaveLength(4);
    expect((await findDevice(context, DOCUMENT_DEVICE)).device.controlHistory).toHaveLength(3);
  });

  it('commands go through the simulator, change the device, and are recorded', async () => {
    const { store, simulator, context } = await rig();
    await syncDevices(context, 'agent-1');
    const deviceNo = deviceNumber(1);
    const switched = await sendDeviceCommand(
      context,
      deviceNo,
      { type: 'switch-network', slot: 'vice1' },
      'alice',
    );
    expect(switched).toMatchObject({
      accepted: true,
      device: { device: { effectiveSlot: 'vice1' } },
    });
    const rebooted = await sendDeviceCommand(context, deviceNo, { type: 'reboot' }, 'alice');
    expect(rebooted.device.device.online).toBe(false);
    const wifi = { type: 'wifi-credentials', password: 'n3w-passw0rd' } as const;
    // A rebooting device is offline: the supplier refuses, and the refusal is recorded.
    await expect(sendDeviceCommand(context, deviceNo, wifi, 'alice')).rejects.toMatchObject({
      supplierCode: '2006',
    });
    test.current.clock.advance(91_000);
    await sendDeviceCommand(context, deviceNo, wifi, 'alice');
    const history = await devicesRepository(context).commands(rebooted.device.id);
    const ours = history.filter((entry) => entry.source === 'simdock');
    expect(ours.map((entry) => [entry.type, entry.outcome, entry.actor])).toEqual([
      ['switch-network', 'succeeded', 'alice'],
      ['reboot', 'succeeded', 'alice'],
      ['wifi-credentials', 'failed', 'alice'],
      ['wifi-credentials', 'succeeded', 'alice'],
    ]);
    expect(ours[3]?.arguments).toEqual({ password: MASKED_SECRET });
    const stored = await findDevice(context, deviceNo);
    expect(stored.device.wifi[0]?.password).toBe('n3w-passw0rd');
    const audit = await store.audit.list({ account: 'agent-1' });
    expect(JSON.stringify(audit)).not.toContain('n3w-passw0rd');
    expect(audit.map((entry) => entry.action)).toContain('devices.reboot');
    expect(simulator.calls.count()).toBeGreaterThan(0);
  });

  it('refuses a device of another account, and a bad Wi-Fi password, before any call', async () => {
    const { simulator, context } = await rig();
    await syncDevices(context, 'agent-1');
    const calls = simulator.calls.count();
    await expect(
      sendDeviceCommand(context, DOCUMENT_DEVICE, { type: 'reboot' }, 'bob', {
        account: 'other-1',
      }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/belongs to agent-1 \(agent\), not to account other-1/),
    });
    await expect(
      sendDeviceCommand(
        context,
        DOCUMENT_DEVICE,
        { type: 'wifi-credentials', password: '1' },
        'bob',
      ),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(
      sendDeviceCommand(context, '000000000000000', { type: 'reboot' }, 'bob'),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(simulator.calls.count()).toBe(calls);
  });
  it('stops at the first authentication refusal: one refused call for a wrong secret', async () => {
    const { store, simulator } = await rig();
    await store.accounts.upsert({
      id: 'agent-1',
      type: agentDefinition.type,
      settings: { baseUrl: 'http://agent.test', appId: AGENT.appId },
      secrets: { secret: 'WRONG' },
    });
    const calls: string[] = [];
    const context = createServiceContext({
      store,
      catalog: createSupplierCatalog(),
      clock: test.current.clock,
      fetch: (input, init) => {
        calls.push(String(input));
        return simulator.fetch(input, init);
      },
    });
    await expect(
      syncDevices(context, 'agent-1', { deviceNos: ['d1', 'd2', 'd3', 'd4', 'd5'] }),
    ).rejects.toMatchObject({ code: 'supplier_auth_failed' });
    expect(calls).toHaveLength(1);
  });

  it('finds a device by the number asked for when the answer names it otherwise', async () => {
    const { store, simulator } = await rig();
    const context = createServiceContext({
      store,
      catalog: createSupplierCatalog(),
      clock: test.current.clock,
      fetch: async (input, init) => {
        const response = await simulator.fetch(input, init);
        if (!String(input).endsWith('/queryDeviceFlow')) return response;
        // The answer names the device by another number (its IMEI-like alias).
        const text = (await response.text()).replaceAll(DOCUMENT_DEVICE, '0865214078636124');
        return new Response(text, { status: response.status, headers: response.headers });
      },
    });
    await syncDevices(context, 'agent-1', { deviceNos: [DOCUMENT_DEVICE] });
    const stored = await findDevice(context, DOCUMENT_DEVICE);
    expect(stored.device.deviceNo).toBe(DOCUMENT_DEVICE);
  });

  it("gives slot cards imported by ICCID the slot's MSISDN", async () => {
    const { store, context } = await rig();
    await syncDevices(context, 'agent-1');
    const stored = await findDevice(context, DOCUMENT_DEVICE);
    const main = stored.device.slots.find((slot) => slot.slot === 'main')!;
    expect(main.msisdn).not.toBeNull();
    const [card] = await store.cards.findByIdentifier(main.iccid!);
    expect(card?.msisdn).toBe(main.msisdn);
  });
});
