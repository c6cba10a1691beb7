import type { CardStatusValue } from './status.js';

/**
 * Multi-SIM devices (MiFi, CPE) as simdock shows them: the slots and the card in each, which
 * slot carries traffic, radio and battery state, Wi-Fi settings, position, firmware and the
 * history of commands sent to the device. Pure types and functions: suppliers map their wire
 * shapes onto these, storage persists them, the API and the console mask their secrets.
 */

/** The SIM slots of a multi-SIM device, in the order devices number them. */
export const DEVICE_SLOTS = ['main', 'vice1', 'vice2', 'esim'] as const;

export type DeviceSlot = (typeof DEVICE_SLOTS)[number];

export function isDeviceSlot(value: string): value is DeviceSlot {
  return (DEVICE_SLOTS as readonly string[]).includes(value);
}

/** The card in one slot. Unknown values are null, never 0. */
export interface DeviceSlotCard {
  slot: DeviceSlot;
  /** Null when the slot is empty or the supplier did not say. */
  iccid: string | null;
  msisdn: string | null;
  imsi: string | null;
  /** The card's status, when the supplier sent it with the device. */
  status: CardStatusValue | null;
  /** Bytes used in the current billing cycle. */
  usedBytes: number | null;
  /** Bytes the card's package allows in the current cycle. */
  totalBytes: number | null;
}

/** The Wi-Fi frequency bands a device may serve. */
export const WIFI_BANDS = ['2.4GHz', '5GHz'] as const;

export type WifiBand = (typeof WIFI_BANDS)[number];

/** One Wi-Fi access point of the device. `password` is a secret (see `maskDeviceSecrets`). */
export interface DeviceWifi {
  band: WifiBand;
  /** SSID. */
  name: string | null;
  /** Secret: encrypted at rest, masked unless a role may reveal it. */
  password: string | null;
  /** True when the SSID is broadcast. */
  visible: boolean | null;
  /** True when the radio is on. */
  enabled: boolean | null;
  connectedClients: number | null;
  maxClients: number | null;
  /** The encryption as the supplier names it, e.g. `WPA2PSK`. */
  encryption: string | null;
}

/** Where the device was last seen. */
export interface DevicePosition {
  cellId: string | null;
  /** Location area code. */
  lac: string | null;
  mcc: string | null;
  mnc: string | null;
  latitude: number | null;
  longitude: number | null;
  provinceCode: string | null;
  cityCode: string | null;
  /** The region as the supplier describes it, verbatim. */
  region: string | null;
  /** Epoch ms of the fix; null when not given. */
  updatedAt: number | null;
}

/** One command the supplier recorded for the device. */
export interface DeviceControlEvent {
  /** Epoch ms; null when not given. */
  at: number | null;
  /** The supplier's event type, verbatim. */
  type: string;
  /** A simdock reading of the type when known (`switch-network`, `reboot`, …), else null. */
  command: string | null;
  /** The supplier's event values, verbatim. */
  values: string[];
}

/** A multi-SIM device. */
export interface Device {
  /** The supplier's device number (often the IMEI). */
  deviceNo: string;
  imei: string | null;
  /** Every slot, occupied or not, in `DEVICE_SLOTS` order. */
  slots: DeviceSlotCard[];
  /** The slot whose card carries traffic now; null when unknown. */
  effectiveSlot: DeviceSlot | null;
  network: {
    /** True when the device picks the best card by itself. */
    smartSwitching: boolean | null;
    /** The network modes the device allows, as the supplier names them. */
    modes: string[];
  };
  /** Received signal strength, dBm. */
  signalDbm: number | null;
  batteryPercent: number | null;
  online: boolean | null;
  /** The supplier's own device status value, verbatim. */
  statusRaw: string | null;
  wifi: DeviceWifi[];
  /** Secret: the password of the device's admin web page. */
  adminPassword: string | null;
  mac: string | null;
  position: DevicePosition | null;
  firmware: string | null;
  /** Epoch ms the supplier last heard the device's state / usage; null when not given. */
  lastSeenAt: number | null;
  lastUsageAt: number | null;
  controlHistory: DeviceControlEvent[];
}

/** What a masked secret shows. Same length for every secret, so nothing leaks. */
export const MASKED_SECRET = '********';

/** A secret as shown to someone who may not reveal it: null stays null, anything else is masked. */
export function maskSecret(value: string | null): string | null {
  if (value === null) return null;
  return MASKED_SECRET;
}

/** The secret fields of a device, as paths, for storage encryption and audit redaction. */
export const DEVICE_SECRET_FIELDS = ['wifi[].password', 'adminPassword'] as const;

/**
 * The device as shown to someone who may not reveal secrets: every Wi-Fi password and the admin
 * password masked. Returns a copy; `reveal: true` returns the device unchanged.
 */
export function maskDeviceSecrets(device: Device, options: { reveal?: boolean } = {}): Device {
  if (options.reveal) return device;
  return {
    ...device,
    wifi: device.wifi.map((wifi) => ({ ...wifi, password: maskSecret(wifi.password) })),
    adminPassword: maskSecret(device.adminPassword),
  };
}

/** The card in a slot, or undefined when the device has no such slot entry. */
export function deviceSlotCard(device: Device, slot: DeviceSlot): DeviceSlotCard | undefined {
  return device.slots.find((card) => card.slot === slot);
}

/** The card that carries traffic now, when known and present. */
export function effectiveCard(device: Device): DeviceSlotCard | null {
  if (device.effectiveSlot === null) return null;
  const card = deviceSlotCard(device, device.effectiveSlot);
  return card && card.iccid !== null ? card : null;
}

/** The slots that hold a card. */
export function occupiedSlots(device: Device): DeviceSlotCard[] {
  return device.slots.filter((card) => card.iccid !== null || card.msisdn !== null);
}

/** The slot holding a card, by ICCID or MSISDN; null when the card is not in the device. */
export function slotOfCard(
  device: Device,
  card: { iccid?: string | null; msisdn?: string | null },
): DeviceSlot | null {
  const iccid = card.iccid?.toUpperCase() ?? null;
  const found = device.slots.find(
    (slotCard) =>
      (iccid !== null && slotCard.iccid?.toUpperCase() === iccid) ||
      (card.msisdn && slotCard.msisdn === card.msisdn),
  );
  return found?.slot ?? null;
}
