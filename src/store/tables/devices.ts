import type { Generated } from 'kysely';

/** A multi-SIM device (MiFi, CPE) of one account (migration 0007). */
export interface DevicesTable {
  id: Generated<number>;
  account_id: string;
  supplier: string;
  device_no: string;
  imei: string | null;
  effective_slot: string | null;
  smart_switching: number | null;
  /** JSON. */
  network_modes: string;
  signal_dbm: number | null;
  battery_percent: number | null;
  online: number | null;
  status_raw: string | null;
  /** Wi-Fi access points without their passwords (JSON). */
  wifi: string;
  /** The Wi-Fi and admin passwords, sealed (AES-256-GCM) and bound to the device row's key. */
  secrets: string | null;
  mac: string | null;
  position: string | null;
  firmware: string | null;
  last_seen_at: number | null;
  last_usage_at: number | null;
  synced_at: number;
  created_at: number;
  updated_at: number;
}

/** A SIM slot of a device and the card in it (migration 0007). */
export interface DeviceSlotsTable {
  device_id: number;
  slot: string;
  card_id: number | null;
  iccid: string | null;
  msisdn: string | null;
  imsi: string | null;
  status: string | null;
  status_raw: string | null;
  used_bytes: number | null;
  total_bytes: number | null;
}

/** A command of a device's history (migration 0007). */
export interface DeviceCommandsTable {
  id: Generated<number>;
  device_id: number;
  /** `supplier` (the supplier's control history) or `simdock` (a command simdock sent). */
  source: string;
  at: number | null;
  type: string;
  command: string | null;
  /** Arguments or the supplier's values, secrets left out (JSON). */
  arguments: string;
  actor: string | null;
  outcome: string | null;
  error: string | null;
}

export type PartialDB = {
  devices: DevicesTable;
  device_slots: DeviceSlotsTable;
  device_commands: DeviceCommandsTable;
};
