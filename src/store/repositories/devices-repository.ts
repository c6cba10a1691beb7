import { type Selectable, sql } from 'kysely';
import {
  type CardStatus,
  DEVICE_SLOTS,
  type Device,
  type DeviceControlEvent,
  type DeviceSlot,
  type DeviceWifi,
} from '../../domain/index.js';
import { type CardScope, cardVisible } from '../card-scope.js';
import type { SecretSealer } from '../secret-sealer.js';
import type { RepositoryContext } from '../store-context.js';
import type { DevicesTable } from '../store-schema.js';
import { writeTransaction } from '../store-sql.js';

/** A device as stored: the domain device (secrets in clear, mask before showing) and its links. */
export interface StoredDevice {
  id: number;
  account: string;
  supplier: string;
  device: Device;
  /** The simdock card id in each slot, when the card is in the inventory. */
  slotCardIds: Partial<Record<DeviceSlot, number>>;
  syncedAt: number;
  createdAt: number;
  updatedAt: number;
}

/** One entry of a device's history: recorded by the supplier, or a command simdock sent. */
export interface StoredDeviceCommand {
  id: number;
  deviceId: number;
  source: 'supplier' | 'simdock';
  at: number | null;
  type: string;
  command: string | null;
  arguments: unknown;
  actor: string | null;
  outcome: 'succeeded' | 'failed' | null;
  error: string | null;
}

interface DeviceSecrets {
  wifi: Partial<Record<string, string>>;
  adminPassword: string | null;
}

/**
 * Devices, their slots and history (`devices`, `device_slots`, `device_commands`, migration
 * 0007). The Wi-Fi and admin passwords are sealed with the store's secret key, bound to the
 * device's account and number, and never written in clear.
 */
export class DevicesRepository {
  readonly #store: RepositoryContext;
  readonly #sealer: SecretSealer;
  readonly #now: () => number;

  constructor(store: RepositoryContext, sealer: SecretSealer, now: () => number = Date.now) {
    this.#store = store;
    this.#sealer = sealer;
    this.#now = now;
  }

  #db() {
    return this.#store.db;
  }

  /**
   * Stores the device as the supplier reported it: the row, every slot (with the card id where
   * the card is known) and the supplier's control history replace what was stored; commands
   * simdock sent are kept.
   */
  async upsert(input: {
    account: string;
    supplier: string;
    device: Device;
    slotCardIds: Partial<Record<DeviceSlot, number>>;
  }): Promise<StoredDevice> {
    const { device } = input;
    const now = this.#now();
    const secrets: DeviceSecrets = {
      wifi: Object.fromEntries(
        device.wifi.flatMap((wifi) => (wifi.password === null ? [] : [[wifi.band, wifi.password]])),
      ),
      adminPassword: device.adminPassword,
    };
    const hasSecrets = Object.keys(secrets.wifi).length > 0 || secrets.adminPassword !== null;
    const sealed = hasSecrets
      ? await this.#sealer.seal(JSON.stringify(secrets), secretsBinding(input.account, device))
      : null;
    const row = {
      account_id: input.account,
      supplier: input.supplier,
      device_no: device.deviceNo,
      imei: device.imei,
      effective_slot: device.effectiveSlot,
      smart_switching: flag(device.network.smartSwitching),
      network_modes: JSON.stringify(device.network.modes),
      signal_dbm: device.signalDbm,
      battery_percent: device.batteryPercent,
      online: flag(device.online),
      status_raw: device.statusRaw,
      wifi: JSON.stringify(device.wifi.map((wifi) => ({ ...wifi, password: null }))),
      secrets: sealed,
      mac: device.mac,
      position: device.position === null ? null : JSON.stringify(device.position),
      firmware: device.firmware,
      last_seen_at: device.lastSeenAt,
      last_usage_at: device.lastUsageAt,
      synced_at: now,
      updated_at: now,
    };
    const db = this.#store.db as unknown as Parameters<typeof writeTransaction>[0];
    const id = await writeTransaction(db, this.#store.dialect, async (transaction) => {
      const trx = transaction;
      const existing = await trx
        .selectFrom('devices')
        .select('id')
        .where('account_id', '=', input.account)
        .where('device_no', '=', device.deviceNo)
        .executeTakeFirst();
      let deviceId: number;
      if (existing) {
        deviceId = Number(existing.id);
        await trx.updateTable('devices').set(row).where('id', '=', deviceId).execute();
        await trx.deleteFrom('device_slots').where('device_id', '=', deviceId).execute();
        await trx
          .deleteFrom('device_commands')
          .where('device_id', '=', deviceId)
          .where('source', '=', 'supplier')
          .execute();
      } else {
        const inserted = await trx
          .insertInto('devices')
          .values({ ...row, created_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        deviceId = Number(inserted.id);
      }
      for (const slot of DEVICE_SLOTS) {
        const card = device.slots.find((entry) => entry.slot === slot);
        await trx
          .insertInto('device_slots')
          .values({
            device_id: deviceId,
            slot,
            card_id: input.slotCardIds[slot] ?? null,
            iccid: card?.iccid ?? null,
            msisdn: card?.msisdn ?? null,
            imsi: card?.imsi ?? null,
            status: card?.status?.status ?? null,
            status_raw: card?.status?.raw ?? null,
            used_bytes: card?.usedBytes ?? null,
            total_bytes: card?.totalBytes ?? null,
          })
          .execute();
      }
      for (const event of device.controlHistory) {
        await trx
          .insertInto('device_commands')
          .values({
            device_id: deviceId,
            source: 'supplier',
            at: event.at,
            type: event.type,
            command: event.command,
            arguments: JSON.stringify(event.values),
            actor: null,
            outcome: null,
            error: null,
          })
          .execute();
      }
      return deviceId;
    });
    const stored = await this.get(id);
    if (!stored) throw new Error(`device ${id} vanished after being stored`);
    return stored;
  }

  /** The device with this simdock id, or null. */
  async get(id: number): Promise<StoredDevice | null> {
    const row = await this.#db()
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? this.#toDevice(row) : null;
  }

  /** Devices carrying this device number (or IMEI), in any account, by id. */
  async findByNumber(deviceNo: string): Promise<StoredDevice[]> {
    const rows = await this.#db()
      .selectFrom('devices')
      .selectAll()
      .where((where) => where.or([where('device_no', '=', deviceNo), where('imei', '=', deviceNo)]))
      .orderBy('id')
      .execute();
    return Promise.all(rows.map((row) => this.#toDevice(row)));
  }

  /** Devices, by id, optionally of one account. */
  async list(filter: { account?: string; limit?: number } = {}): Promise<StoredDevice[]> {
    let query = this.#db().selectFrom('devices').selectAll();
    if (filter.account !== undefined) query = query.where('account_id', '=', filter.account);
    const rows = await query
      .orderBy('id')
      .limit(filter.limit ?? 1000)
      .execute();
    return Promise.all(rows.map((row) => this.#toDevice(row)));
  }

  /** The device numbers already stored for an account. */
  async numbers(account: string): Promise<string[]> {
    const rows = await this.#db()
      .selectFrom('devices')
      .select('device_no')
      .where('account_id', '=', account)
      .orderBy('id')
      .execute();
    return rows.map((row) => row.device_no);
  }

  /** The devices holding a card, with the slot. */
  async ofCard(cardId: number): Promise<{ deviceId: number; slot: DeviceSlot }[]> {
    const rows = await this.#db()
      .selectFrom('device_slots')
      .select(['device_id', 'slot'])
      .where('card_id', '=', cardId)
      .execute();
    return rows.map((row) => ({ deviceId: Number(row.device_id), slot: row.slot as DeviceSlot }));
  }

  /** Appends a command simdock sent (arguments without secrets); returns its id. */
  async recordCommand(input: {
    deviceId: number;
    type: string;
    arguments: Record<string, unknown>;
    actor: string;
    outcome: 'succeeded' | 'failed';
    error?: string | null;
  }): Promise<number> {
    const row = await this.#db()
      .insertInto('device_commands')
      .values({
        device_id: input.deviceId,
        source: 'simdock',
        at: this.#now(),
        type: input.type,
        command: input.type,
        arguments: JSON.stringify(input.arguments),
        actor: input.actor,
        outcome: input.outcome,
        error: input.error ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** A device's history, oldest first. */
  async commands(deviceId: number): Promise<StoredDeviceCommand[]> {
    const rows = await this.#db()
      .selectFrom('device_commands')
      .selectAll()
      .where('device_id', '=', deviceId)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      deviceId: Number(row.device_id),
      source: row.source as StoredDeviceCommand['source'],
      at: row.at === null ? null : Number(row.at),
      type: row.type,
      command: row.command,
      arguments: JSON.parse(row.arguments),
      actor: row.actor,
      outcome: row.outcome as StoredDeviceCommand['outcome'],
      error: row.error,
    }));
  }

  /**
   * The ids of the devices a scope may see, by id, at most `limit`, optionally of one account:
   * a device holding at least one card the scope may see (the root: every device).
   */
  async visibleIds(
    scope: CardScope,
    filter: { account?: string; limit: number },
  ): Promise<number[]> {
    let select = this.#db().selectFrom('devices').select('id').where(deviceVisible(scope));
    if (filter.account) select = select.where('account_id', '=', filter.account);
    const rows = await select.orderBy('id').limit(filter.limit).execute();
    return rows.map((row) => Number(row.id));
  }

  /** Whether device `id` exists and the scope may see it. */
  async isVisible(scope: CardScope, id: number): Promise<boolean> {
    const row = await this.#db()
      .selectFrom('devices')
      .select('id')
      .where('id', '=', id)
      .where(deviceVisible(scope))
      .executeTakeFirst();
    return row !== undefined;
  }

  async #toDevice(row: Selectable<DevicesTable>): Promise<StoredDevice> {
    const id = Number(row.id);
    const slots = await this.#db()
      .selectFrom('device_slots')
      .selectAll()
      .where('device_id', '=', id)
      .execute();
    const history = (await this.commands(id)).filter((entry) => entry.source === 'supplier');
    const secrets: DeviceSecrets =
      row.secrets === null
        ? { wifi: {}, adminPassword: null }
        : (JSON.parse(
            await this.#sealer.open(
              row.secrets,
              secretsBinding(row.account_id, { deviceNo: row.device_no }),
              `device ${row.device_no}`,
            ),
          ) as DeviceSecrets);
    const slotCardIds: Partial<Record<DeviceSlot, number>> = {};
    const ordered = DEVICE_SLOTS.map((slot) => slots.find((entry) => entry.slot === slot));
    for (const slot of slots) {
      if (slot.card_id !== null) slotCardIds[slot.slot as DeviceSlot] = Number(slot.card_id);
    }
    const number = (value: number | null) => (value === null ? null : Number(value));
    const device: Device = {
      deviceNo: row.device_no,
      imei: row.imei,
      slots: ordered.map((slot, index) => ({
        slot: DEVICE_SLOTS[index]!,
        iccid: slot?.iccid ?? null,
        msisdn: slot?.msisdn ?? null,
        imsi: slot?.imsi ?? null,
        status:
          slot?.status != null ? { status: slot.status as CardStatus, raw: slot.status_raw } : null,
        usedBytes: number(slot?.used_bytes ?? null),
        totalBytes: number(slot?.total_bytes ?? null),
      })),
      effectiveSlot: row.effective_slot as DeviceSlot | null,
      network: {
        smartSwitching: unflag(row.smart_switching),
        modes: JSON.parse(row.network_modes) as string[],
      },
      signalDbm: number(row.signal_dbm),
      batteryPercent: number(row.battery_percent),
      online: unflag(row.online),
      statusRaw: row.status_raw,
      wifi: (JSON.parse(row.wifi) as DeviceWifi[]).map((wifi) => ({
        ...wifi,
        password: secrets.wifi[wifi.band] ?? null,
      })),
      adminPassword: secrets.adminPassword,
      mac: row.mac,
      position: row.position === null ? null : JSON.parse(row.position),
      firmware: row.firmware,
      lastSeenAt: number(row.last_seen_at),
      lastUsageAt: number(row.last_usage_at),
      controlHistory: history.map(
        (entry): DeviceControlEvent => ({
          at: entry.at,
          type: entry.type,
          command: entry.command,
          values: entry.arguments as string[],
        }),
      ),
    };
    return {
      id,
      account: row.account_id,
      supplier: row.supplier,
      device,
      slotCardIds,
      syncedAt: Number(row.synced_at),
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  }
}

/** What a device's sealed secrets are bound to: a blob copied to another device fails. */
function secretsBinding(account: string, device: { deviceNo: string }): string {
  return `device:${account}:${device.deviceNo}`;
}

function flag(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
}

function unflag(value: number | null): boolean | null {
  return value === null ? null : Number(value) === 1;
}

/** The condition that a device holds at least one card the scope may see (root: any device). */
function deviceVisible(scope: CardScope) {
  if (scope.isRoot) return sql<boolean>`1 = 1`;
  return sql<boolean>`exists (select 1 from device_slots ds where ds.device_id = devices.id
    and ds.card_id is not null and ${cardVisible(scope, 'ds.card_id')})`;
}
