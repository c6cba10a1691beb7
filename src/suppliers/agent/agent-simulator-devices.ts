import { randomBytes } from 'node:crypto';
import { formatAgentTime } from './agent-device-mapping.js';
import type { AgentOperation } from './agent-paths.js';
import { AGENT_CODES, AGENT_SIM_STATUS } from './agent-protocol.js';
import { fail, ok, type SimulatorAnswer, type SimulatorRequest } from './agent-simulator-cards.js';
import type { SimulatedDevice } from './agent-simulator-fleet.js';

/** How long a device stays offline after a reboot or a reset, in ms (simulation setting). */
export interface DeviceTimings {
  rebootMs: number;
}

/** Whether the device answers commands now. */
export function isOnline(device: SimulatedDevice, now: number): boolean {
  return !device.poweredOff && now >= device.offlineUntil;
}

/** The device response (`data` of queryDeviceFlow / queryDeviceInfo) as of `now`. */
export function deviceData(request: SimulatorRequest, device: SimulatedDevice) {
  const online = isOnline(device, request.now);
  const sims = request.fleet
    .deviceCards(device)
    .map((card) => request.fleet.wireSim(card, request.now));
  return {
    device: {
      ...device.wire,
      onlineStatus: online ? 1 : 0,
      lastDeviceStatusAt: online ? formatAgentTime(request.now) : device.wire.lastDeviceStatusAt,
    },
    sims,
  };
}

function record(device: SimulatedDevice, now: number, eventType: number, value1 = ''): void {
  device.wire.controlResponse = [
    ...(device.wire.controlResponse ?? []),
    { controlAt: formatAgentTime(now), eventType, eventValue1: value1, eventValue2: '' },
  ];
  device.wire.updatedAt = formatAgentTime(now);
}

type DeviceHandler = (
  request: SimulatorRequest,
  device: SimulatedDevice,
  timings: DeviceTimings,
) => SimulatorAnswer;

/** Commands that need the device reachable: refused with "device offline" otherwise. */
const online =
  (handler: DeviceHandler): DeviceHandler =>
  (request, device, timings) =>
    isOnline(device, request.now)
      ? handler(request, device, timings)
      : fail(AGENT_CODES.deviceOffline, '设备离线');

const SLOT_ICCID = ['mainIccid', 'vice1Iccid', 'vice2Iccid', 'usimIccid'] as const;

/** The device operations of the simulated platform. */
export const deviceHandlers: Partial<Record<AgentOperation, DeviceHandler>> = {
  queryDeviceFlow: (request, device) => ok(deviceData(request, device)),
  queryDeviceInfo: (request, device) => ok(deviceData(request, device)),

  switchDeviceNetwork: online((request, device) => {
    const slot = Number(request.form.effectiveSim);
    if (!device.wire[SLOT_ICCID[slot - 1]!]) {
      return fail(AGENT_CODES.invalidParameter, '该卡槽无卡');
    }
    device.wire.effectiveSim = slot;
    record(device, request.now, 251, String(slot));
    return ok();
  }),

  rebootDevice: online((request, device, timings) => {
    device.offlineUntil = request.now + timings.rebootMs;
    record(device, request.now, 252);
    return ok();
  }),

  resetDevice: online((request, device, timings) => {
    const suffix = (device.wire.mac ?? '').replaceAll(':', '').slice(-4);
    device.wire.wifiName = `MIFI-${suffix}`;
    device.wire.wifiPass = '1234567890';
    device.wire.showWifi = 1;
    device.wire.webPassword = 'admin';
    device.offlineUntil = request.now + timings.rebootMs;
    record(device, request.now, 253);
    return ok();
  }),

  shutdownDevice: online((request, device) => {
    device.poweredOff = true;
    record(device, request.now, 254);
    return ok();
  }),

  updateDeviceWifiShow: online((request, device) => {
    const { showWifi, showWifi5G } = request.form;
    if (showWifi5G !== undefined && !device.wire.wifiName5G) {
      return fail(AGENT_CODES.invalidParameter, '设备不支持5G WiFi');
    }
    if (showWifi !== undefined) device.wire.showWifi = Number(showWifi);
    if (showWifi5G !== undefined) device.wire.showWifi5G = Number(showWifi5G);
    record(device, request.now, 255, showWifi ?? showWifi5G);
    return ok();
  }),

  updateDeviceWifiAccount: online((request, device) => {
    const { wifiName, wifiPass, wifiName5G, wifiPass5G } = request.form;
    if ((wifiName5G !== undefined || wifiPass5G !== undefined) && !device.wire.wifiName5G) {
      return fail(AGENT_CODES.invalidParameter, '设备不支持5G WiFi');
    }
    if (wifiName !== undefined) device.wire.wifiName = wifiName;
    if (wifiPass !== undefined) device.wire.wifiPass = wifiPass;
    if (wifiName5G !== undefined) device.wire.wifiName5G = wifiName5G;
    if (wifiPass5G !== undefined) device.wire.wifiPass5G = wifiPass5G;
    record(device, request.now, 256);
    return ok();
  }),

  // Stop and resume act on the platform side (the device's cards), so they work offline too.
  stopDevice: (request, device) => {
    if (device.wire.status === 2) return fail(AGENT_CODES.cardStateForbids, '设备已停机');
    device.wire.status = 2;
    for (const card of request.fleet.deviceCards(device)) {
      request.fleet.mutable(card).simStatus = AGENT_SIM_STATUS.stopped;
    }
    record(device, request.now, 257);
    return ok();
  },

  restoreDevice: (request, device) => {
    if (device.wire.status !== 2) return fail(AGENT_CODES.cardStateForbids, '设备未停机');
    device.wire.status = 1;
    for (const card of request.fleet.deviceCards(device)) {
      request.fleet.mutable(card).simStatus = AGENT_SIM_STATUS.active;
    }
    record(device, request.now, 258);
    return ok();
  },

  getTerminalToken: (request) =>
    ok({
      token: randomBytes(16).toString('hex'),
      expireAt: formatAgentTime(request.now + 2 * 60 * 60 * 1000),
    }),
};
