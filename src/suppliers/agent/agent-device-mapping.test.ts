import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  effectiveCard,
  MASKED_SECRET,
  maskDeviceSecrets,
  occupiedSlots,
  slotOfCard,
} from '../../domain/device.js';
import { agentDeviceToDomain, parseAgentTime } from './agent-device-mapping.js';
import { AGENT_DOCUMENT_DEVICE_DATA } from './agent-document-device.js';
import { agentDeviceDataSchema, agentEnvelopeSchema } from './agent-schemas.js';

// agent-openapi-v2-querydeviceflow.txt, 查询设备流量, "返回响应" example, verbatim.
const documentBody = JSON.parse(
  readFileSync(new URL('./__fixtures__/query-device-flow.json', import.meta.url), 'utf8'),
);

const cst = (text: string) => Date.parse(`${text.replace(' ', 'T')}+08:00`);

describe("the document's device response", () => {
  const envelope = agentEnvelopeSchema.parse(documentBody);
  const data = agentDeviceDataSchema.parse(envelope.data);
  const device = agentDeviceToDomain(data);

  it('reads the envelope: code 0, message, timestamp, traceID', () => {
    expect(envelope.code).toBe(0);
    expect(envelope.message).toBe('操作成功');
    expect(envelope.timestamp).toBe(1758192050);
    expect(envelope.traceID).toBe('5831f960804c9217ec01e425b8cc76f5');
  });

  it('keeps every field of the device and of its cards', () => {
    expect(Object.keys(data.device).sort()).toEqual(Object.keys(documentBody.data.device).sort());
    for (const [index, sim] of data.sims.entries()) {
      expect(Object.keys(sim).sort()).toEqual(Object.keys(documentBody.data.sims[index]).sort());
    }
    expect(data.sims[0]).toMatchObject({
      iccid: '898608841925D2210999',
      simNo: '1064939169796',
      vice: 1,
      simStatus: 4,
      totalFlow: 104_857_600,
      useFlow: 20_971_520,
      dockUserFlow: 4_374_736,
      breakAt: '2025-08-20 18:25:19',
      authAt: null,
    });
  });

  it('is the device the simulator seeds its fleet with', () => {
    expect(AGENT_DOCUMENT_DEVICE_DATA).toEqual(documentBody.data);
  });

  it('maps the slots: main and vice 1 hold cards, vice 2 and the eSIM slot are empty', () => {
    expect(device.deviceNo).toBe('865214078636124');
    expect(device.imei).toBe('865214078636124');
    expect(device.slots).toEqual([
      {
        slot: 'main',
        iccid: '898608841925D2210999',
        msisdn: '1064939169796',
        imsi: null,
        status: { status: 'active', raw: '4' },
        usedBytes: 20_971_520,
        totalBytes: 104_857_600,
      },
      {
        slot: 'vice1',
        iccid: '8986032142201828602',
        msisdn: '1442549810999',
        imsi: null,
        status: { status: 'active', raw: '4' },
        usedBytes: 24_117_248,
        totalBytes: 104_857_600,
      },
      {
        slot: 'vice2',
        iccid: null,
        msisdn: null,
        imsi: null,
        status: null,
        usedBytes: null,
        totalBytes: null,
      },
      {
        slot: 'esim',
        iccid: null,
        msisdn: null,
        imsi: null,
        status: null,
        usedBytes: null,
        totalBytes: null,
      },
    ]);
    expect(occupiedSlots(device).map((slot) => slot.slot)).toEqual(['main', 'vice1']);
    expect(slotOfCard(device, { msisdn: '1442549810999' })).toBe('vice1');
    expect(slotOfCard(device, { iccid: '898608841925d2210999' })).toBe('main');
  });

  it('reads the effective slot, network, signal, battery and online state', () => {
    // `effectiveSim` 2 names the card whose `vice` is 2: the one in vice 1.
    expect(device.effectiveSlot).toBe('vice1');
    expect(effectiveCard(device)?.iccid).toBe('8986032142201828602');
    expect(device.network).toEqual({ smartSwitching: false, modes: ['1', '4'] });
    expect(device.signalDbm).toBe(-84);
    expect(device.batteryPercent).toBe(100);
    expect(device.online).toBe(true);
    expect(device.statusRaw).toBe('3');
    expect(device.mac).toBe('3C:68:01:97:05:9D');
    expect(device.firmware).toBe('UZ901LD1.0_KSBC_JINANZHENGYI_SL_V2.01.01.02P42U28P1_02-250730');
  });

  it('reads Wi-Fi: one 2.4 GHz access point, no 5 GHz radio', () => {
    expect(device.wifi).toEqual([
      {
        band: '2.4GHz',
        name: 'MIFI-059D',
        password: '1234567890',
        visible: true,
        enabled: true,
        connectedClients: 0,
        maxClients: 10,
        encryption: 'WPA2PSK',
      },
    ]);
    expect(device.adminPassword).toBe('admin');
  });

  it('masks the Wi-Fi and admin passwords unless revealed', () => {
    const masked = maskDeviceSecrets(device);
    expect(masked.wifi[0]?.password).toBe(MASKED_SECRET);
    expect(masked.adminPassword).toBe(MASKED_SECRET);
    expect(JSON.stringify(masked)).not.toContain('1234567890');
    expect(JSON.stringify(masked)).not.toContain('"admin"');
    expect(masked.wifi[0]?.name).toBe('MIFI-059D');
    expect(device.wifi[0]?.password).toBe('1234567890');
    expect(maskDeviceSecrets(device, { reveal: true })).toBe(device);
  });

  it('reads the position and the times as CST', () => {
    expect(device.position).toEqual({
      cellId: '151007697',
      lac: '9083',
      mcc: '460',
      mnc: '0',
      latitude: 22.7617255,
      longitude: 114.1027542,
      provinceCode: '440000',
      cityCode: '441900',
      region: '广东省 东莞市 高园路 靠近石鼓广场',
      updatedAt: null,
    });
    expect(device.lastSeenAt).toBe(cst('2025-09-18 18:24:10'));
    expect(device.lastUsageAt).toBe(cst('2025-08-20 18:25:19'));
  });

  it('reads the control history, the 251 events as network switches', () => {
    expect(device.controlHistory).toEqual([
      { at: cst('2025-08-01 13:44:57'), type: '251', command: 'switch-network', values: ['1'] },
      { at: cst('2025-08-01 22:45:25'), type: '251', command: 'switch-network', values: ['2'] },
      { at: cst('2025-08-01 22:46:25'), type: '251', command: 'switch-network', values: ['2'] },
    ]);
  });
});

describe('agent wire values', () => {
  it('reads numbers sent as strings and keeps unknown as null', () => {
    const data = agentDeviceDataSchema.parse({
      device: { deviceNo: 865214078636124, rssi: '-71', electric: '', effectiveSim: '1' },
    });
    const device = agentDeviceToDomain(data);
    expect(device.deviceNo).toBe('865214078636124');
    expect(device.signalDbm).toBe(-71);
    expect(device.batteryPercent).toBeNull();
    expect(device.effectiveSlot).toBe('main');
    expect(device.online).toBeNull();
    expect(device.position).toBeNull();
    expect(device.slots.every((slot) => slot.iccid === null)).toBe(true);
  });

  it('parses CST times and refuses non-times', () => {
    expect(parseAgentTime('2025-07-30 21:58:48')).toBe(Date.UTC(2025, 6, 30, 13, 58, 48));
    expect(parseAgentTime('2025-02-30 00:00:00')).toBeNull();
    expect(parseAgentTime('')).toBeNull();
    expect(parseAgentTime(null)).toBeNull();
  });
});
