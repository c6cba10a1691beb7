import {
  DEVICE_SLOTS,
  type Device,
  type DevicePosition,
  type DeviceSlot,
  type DeviceSlotCard,
  type DeviceWifi,
} from '../../domain/device.js';
import {
  type CardStatus,
  cstStartOfDay,
  isCstDate,
  statusMapper,
  toBytes,
} from '../../domain/index.js';
import { AGENT_CONTROL_EVENTS, AGENT_SIM_STATUS, AGENT_SLOT_NUMBERS } from './agent-protocol.js';
import type { AgentDevice, AgentDeviceData, AgentSim } from './agent-schemas.js';

/** `simStatus` → the normalized card status (see AGENT_SIM_STATUS; the reading is a guess). */
export const agentCardStatus = statusMapper({
  [AGENT_SIM_STATUS.inventory]: 'inventory',
  [AGENT_SIM_STATUS.test]: 'test',
  [AGENT_SIM_STATUS.silent]: 'inventory',
  [AGENT_SIM_STATUS.active]: 'active',
  [AGENT_SIM_STATUS.stopped]: 'suspended',
  [AGENT_SIM_STATUS.preCancelled]: 'pre_deactivated',
  [AGENT_SIM_STATUS.cancelled]: 'deactivated',
} satisfies Record<number, CardStatus>);

/** An empty wire string means "none" (the document sends `"vice2Iccid": ""`): null. */
export function blankToNull(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * `yyyy-MM-dd HH:mm:ss` in CST (the document's times) → epoch ms; null when absent or not a
 * time.
 */
export function parseAgentTime(value: string | null | undefined): number | null {
  const text = blankToNull(value);
  if (text === null) return null;
  const match = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!match || !isCstDate(match[1]!)) return null;
  const [, date, hours = '0', minutes = '0', seconds = '0'] = match;
  return (
    cstStartOfDay(date!) + ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000
  );
}

/** Formats an instant the way the platform writes times (CST, `yyyy-MM-dd HH:mm:ss`). */
export function formatAgentTime(epochMs: number): string {
  const shifted = new Date(epochMs + 8 * 60 * 60 * 1000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 19)}`;
}

const slotByNumber = new Map<number, DeviceSlot>(
  Object.entries(AGENT_SLOT_NUMBERS).map(([slot, number]) => [number, slot as DeviceSlot]),
);

/** The slot a wire slot number (`vice`, `effectiveSim`) names; null for 0 or unknown numbers. */
export function slotOfNumber(number: number | null): DeviceSlot | null {
  return number === null ? null : (slotByNumber.get(number) ?? null);
}

const slotFields: Record<DeviceSlot, { iccid: keyof AgentDevice; msisdn: keyof AgentDevice }> = {
  main: { iccid: 'mainIccid', msisdn: 'mainSimNo' },
  vice1: { iccid: 'vice1Iccid', msisdn: 'vice1SimNo' },
  vice2: { iccid: 'vice2Iccid', msisdn: 'vice2SimNo' },
  // The wire's fourth slot is `usim*`; simdock calls it the eSIM slot.
  esim: { iccid: 'usimIccid', msisdn: 'usimNo' },
};

function slotCard(device: AgentDevice, sims: AgentSim[], slot: DeviceSlot): DeviceSlotCard {
  const iccid = blankToNull(device[slotFields[slot].iccid] as string | null)?.toUpperCase() ?? null;
  const msisdn = blankToNull(device[slotFields[slot].msisdn] as string | null);
  const sim =
    sims.find((candidate) => iccid !== null && candidate.iccid?.toUpperCase() === iccid) ??
    sims.find((candidate) => msisdn !== null && candidate.simNo === msisdn) ??
    (iccid === null && msisdn === null
      ? undefined
      : sims.find((candidate) => slotOfNumber(candidate.vice) === slot));
  return {
    slot,
    iccid: iccid ?? blankToNull(sim?.iccid)?.toUpperCase() ?? null,
    msisdn: msisdn ?? blankToNull(sim?.simNo),
    imsi: blankToNull(sim?.imsi),
    status: sim ? agentCardStatus(sim.simStatus) : null,
    usedBytes: toBytes(sim?.useFlow),
    totalBytes: toBytes(sim?.totalFlow),
  };
}

function flag(value: number | null): boolean | null {
  if (value === 1) return true;
  if (value === 0) return false;
  return null;
}

function wifiOf(device: AgentDevice): DeviceWifi[] {
  const bands: DeviceWifi[] = [
    {
      band: '2.4GHz',
      name: blankToNull(device.wifiName),
      password: blankToNull(device.wifiPass),
      visible: flag(device.showWifi),
      enabled: flag(device.switchWifi),
      connectedClients: device.connCount,
      maxClients: device.maxConnCount,
      encryption: blankToNull(device.wifiEncrypt),
    },
  ];
  // A device without a 5 GHz radio sends empty `*5G` fields and zeros (the document's example).
  if (blankToNull(device.wifiName5G) !== null || device.switchWifi5G === 1) {
    bands.push({
      band: '5GHz',
      name: blankToNull(device.wifiName5G),
      password: blankToNull(device.wifiPass5G),
      visible: flag(device.showWifi5G),
      enabled: flag(device.switchWifi5G),
      connectedClients: device.connCount5G,
      maxClients: device.maxConnCount5G,
      encryption: blankToNull(device.wifiEncrypt5G),
    });
  }
  return bands;
}

function positionOf(position: AgentDevice['position']): DevicePosition | null {
  if (!position) return null;
  // (0, 0) is no fix, not a point in the Gulf of Guinea.
  const hasFix =
    position.lat !== null && position.lng !== null && !(position.lat === 0 && position.lng === 0);
  return {
    cellId: blankToNull(position.cellId),
    lac: blankToNull(position.lac),
    mcc: blankToNull(position.mcc),
    mnc: blankToNull(position.mnc),
    latitude: hasFix ? position.lat : null,
    longitude: hasFix ? position.lng : null,
    provinceCode: blankToNull(position.provinceCode),
    cityCode: blankToNull(position.cityCode),
    region: blankToNull(position.regionName),
    updatedAt: parseAgentTime(position.updateAt),
  };
}

/** The online flag of `onlineStatus` (1 online, 0 or 2 offline: guess; else unknown). */
function onlineOf(value: number | null): boolean | null {
  if (value === 1) return true;
  if (value === 0 || value === 2) return false;
  return null;
}

/** The device response (queryDeviceFlow / queryDeviceInfo `data`) as a simdock device. */
export function agentDeviceToDomain(data: AgentDeviceData): Device {
  const { device, sims } = data;
  return {
    deviceNo: device.deviceNo,
    imei: blankToNull(device.imei),
    slots: DEVICE_SLOTS.map((slot) => slotCard(device, sims, slot)),
    effectiveSlot: slotOfNumber(device.effectiveSim),
    network: {
      smartSwitching: flag(device.wisdomNetwork),
      modes: (blankToNull(device.deviceNetwork) ?? '')
        .split(',')
        .map((mode) => mode.trim())
        .filter((mode) => mode !== ''),
    },
    signalDbm: device.rssi,
    batteryPercent: device.electric,
    online: onlineOf(device.onlineStatus),
    statusRaw: device.deviceStatus === null ? null : String(device.deviceStatus),
    wifi: wifiOf(device),
    adminPassword: blankToNull(device.webPassword),
    mac: blankToNull(device.mac),
    position: positionOf(device.position),
    firmware: blankToNull(device.softVersion),
    lastSeenAt: parseAgentTime(device.lastDeviceStatusAt),
    lastUsageAt: parseAgentTime(device.lastDeviceFlowAt),
    controlHistory: (device.controlResponse ?? []).map((event) => ({
      at: parseAgentTime(event.controlAt),
      type: event.eventType === null ? '' : String(event.eventType),
      command: event.eventType === null ? null : (AGENT_CONTROL_EVENTS[event.eventType] ?? null),
      values: [event.eventValue1, event.eventValue2].filter(
        (value): value is string => blankToNull(value) !== null,
      ),
    })),
  };
}
