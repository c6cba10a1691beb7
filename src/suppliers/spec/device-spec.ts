import type { Device, DeviceSlot, WifiBand } from '../../domain/device.js';
import type {
  CallOptions,
  ItemResult,
  SupplierAdapterV1,
  SupplierResponseInfo,
  SupplierWarning,
} from './supplier-spec.js';

/**
 * Version 1 of the device extension of the supplier contract: an adapter whose supplier also
 * manages multi-SIM devices implements `DeviceOperationsV1` next to `SupplierAdapterV1`.
 * Same shape as the card contract: one options object in (with `abortSignal`), one result out
 * (with `warnings` and the raw `response`); whole-call failures are thrown as `SupplierError`.
 */

/** A device as the caller knows it. `key` is echoed back in results. */
export interface DeviceRef {
  /** The caller's key for this device (simdock uses its device id). */
  key: string;
  /** The supplier's device number. */
  deviceNo: string;
  /**
   * The supplier account the caller believes the device belongs to. When given and not the
   * adapter's account, the adapter refuses before any supplier call.
   */
  accountId?: string;
}

/** The commands a device may accept. */
export const DEVICE_COMMAND_TYPES = [
  /** Make another slot's card carry traffic. */
  'switch-network',
  'reboot',
  /** Factory reset: Wi-Fi settings and passwords go back to their defaults. */
  'reset',
  'shutdown',
  /** Broadcast or hide the SSID. */
  'wifi-visibility',
  /** Change the SSID and/or the Wi-Fi password. */
  'wifi-credentials',
  /** Stop the device's service (the supplier stops its cards). */
  'stop',
  /** Resume a stopped device. */
  'resume',
] as const;

export type DeviceCommandType = (typeof DEVICE_COMMAND_TYPES)[number];

/** A command with its arguments. */
export type DeviceCommand =
  | { type: 'switch-network'; slot: DeviceSlot }
  | { type: 'reboot' }
  | { type: 'reset' }
  | { type: 'shutdown' }
  | { type: 'wifi-visibility'; visible: boolean; band?: WifiBand }
  | { type: 'wifi-credentials'; name?: string; password?: string; band?: WifiBand }
  | { type: 'stop' }
  | { type: 'resume' };

export interface GetDevicesOptions extends CallOptions {
  devices: DeviceRef[];
}

export interface DeviceBatchResult<T> {
  items: ItemResult<T>[];
  warnings: SupplierWarning[];
  response: SupplierResponseInfo;
}

export interface DeviceCommandOptions extends CallOptions {
  device: DeviceRef;
  command: DeviceCommand;
}

export interface DeviceCommandResult {
  key: string;
  /** True when the supplier accepted the command (devices apply it when next reachable). */
  accepted: boolean;
  warnings: SupplierWarning[];
  response: SupplierResponseInfo;
}

/** Limits the device layer needs to plan calls. */
export interface DeviceLimits {
  /** Devices per `doGetDevices` supplier call. */
  batchSize: number;
  /** Smallest and largest Wi-Fi password length accepted. */
  wifiPasswordLength?: { min: number; max: number };
}

/** The device operations an adapter may implement next to `SupplierAdapterV1`. */
export interface DeviceOperationsV1 {
  readonly deviceSpecificationVersion: 'v1';
  /** The commands `doDeviceCommand` accepts. */
  readonly deviceCommands: ReadonlySet<DeviceCommandType>;
  readonly deviceLimits: DeviceLimits;
  /** Reads each device in full: slots and cards, radio, Wi-Fi (secrets in clear), position. */
  doGetDevices(options: GetDevicesOptions): Promise<DeviceBatchResult<Device>>;
  /** Sends one command to one device. */
  doDeviceCommand(options: DeviceCommandOptions): Promise<DeviceCommandResult>;
}

/** Whether an adapter also manages devices. */
export function hasDeviceOperations(
  adapter: SupplierAdapterV1,
): adapter is SupplierAdapterV1 & DeviceOperationsV1 {
  const candidate = adapter as Partial<DeviceOperationsV1>;
  return (
    candidate.deviceSpecificationVersion === 'v1' &&
    typeof candidate.doGetDevices === 'function' &&
    typeof candidate.doDeviceCommand === 'function'
  );
}
