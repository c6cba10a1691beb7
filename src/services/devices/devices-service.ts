import {
  type Device,
  type DeviceSlot,
  errorMessage,
  MASKED_SECRET,
  maskDeviceSecrets,
  SimdockError,
} from '../../domain/index.js';
import type { CardIdentityUpdate, Store } from '../../store/index.js';
import {
  DevicesRepository,
  type StoredDevice,
} from '../../store/repositories/devices-repository.js';
import { type SecretSealer, storeSecretSealer } from '../../store/secret-sealer.js';
import {
  type DeviceCommand,
  type DeviceOperationsV1,
  hasDeviceOperations,
  type SupplierAdapterV1,
} from '../../suppliers/spec/index.js';
import type { ServiceContext } from '../context.js';
import { findAccountCard } from '../events/inbound-notices.js';

/**
 * Multi-SIM devices: discovered and read through adapters that implement `DeviceOperationsV1`
 * (the agent open API), stored with every slot and the card in it, and commanded with the
 * command recorded in the device's history and the audit log.
 */

const sealers = new WeakMap<Store, SecretSealer>();

/** Names the sealer device passwords are encrypted with for this store (default: its own key). */
export function attachDeviceSecrets(store: Store, sealer: SecretSealer): void {
  sealers.set(store, sealer);
}

/** The devices repository of a context's store. */
export function devicesRepository(context: ServiceContext): DevicesRepository {
  const sealer = sealers.get(context.store) ?? storeSecretSealer(context.store);
  return new DevicesRepository(context.store, sealer, () => context.clock.now());
}

async function deviceAdapter(
  context: ServiceContext,
  accountId: string,
): Promise<SupplierAdapterV1 & DeviceOperationsV1> {
  const adapter = await context.adapter(accountId);
  if (!hasDeviceOperations(adapter)) {
    throw new SimdockError(
      'unsupported',
      `account ${accountId} (${adapter.supplier}) manages no devices`,
      { details: { account: accountId, supplier: adapter.supplier } },
    );
  }
  return adapter;
}

export interface DeviceSyncSummary {
  account: string;
  /** Device numbers read. */
  devices: number;
  synced: number;
  failed: { deviceNo: string; code: string; message: string }[];
  /** Slots whose card was linked to a card of the inventory. */
  linkedCards: number;
  /** Why devices could not be discovered through the account's cards (the named and stored
   * devices were still read); null when discovery worked. */
  discoveryError: string | null;
}

/**
 * Reads and stores the account's devices. The devices are those already stored, those named
 * in `deviceNos`, and those the supplier names as holding the account's cards (the card-info
 * batch carries each card's device number), so no import of devices is needed.
 */
export async function syncDevices(
  context: ServiceContext,
  accountId: string,
  options: { deviceNos?: string[]; actor?: string } = {},
): Promise<DeviceSyncSummary> {
  const adapter = await deviceAdapter(context, accountId);
  const repository = devicesRepository(context);
  let discovered: string[] = [];
  let discoveryError: string | null = null;
  try {
    discovered = await devicesOfCards(context, adapter, accountId);
  } catch (error) {
    // A refused signature or app refuses every further call too: stop at the first.
    if (!SimdockError.isInstance(error) || error.code === 'supplier_auth_failed') throw error;
    discoveryError = error.message;
  }
  const numbers = new Set([
    ...(await repository.numbers(accountId)),
    ...(options.deviceNos ?? []),
    ...discovered,
  ]);
  const summary: DeviceSyncSummary = {
    account: accountId,
    devices: numbers.size,
    synced: 0,
    failed: [],
    linkedCards: 0,
    discoveryError,
  };
  const refs = [...numbers].map((deviceNo) => ({ key: deviceNo, deviceNo, accountId }));
  for (let start = 0; start < refs.length; start += adapter.deviceLimits.batchSize) {
    const result = await adapter.doGetDevices({
      devices: refs.slice(start, start + adapter.deviceLimits.batchSize),
    });
    for (const item of result.items) {
      if (!item.ok) {
        summary.failed.push({
          deviceNo: item.key,
          code: item.error.code,
          message: item.error.message,
        });
        continue;
      }
      const slotCardIds = await linkSlotCards(context, accountId, item.value);
      summary.linkedCards += Object.keys(slotCardIds).length;
      await repository.upsert({
        account: accountId,
        supplier: adapter.supplier,
        device: item.value,
        slotCardIds,
      });
      summary.synced += 1;
    }
  }
  await context.store.audit.record({
    actor: options.actor ?? 'devices.sync',
    action: 'devices.sync',
    targetType: 'account',
    targetId: accountId,
    account: accountId,
    outcome: summary.failed.length === 0 ? 'succeeded' : 'failed',
    details: { devices: summary.devices, synced: summary.synced, failed: summary.failed.length },
  });
  return summary;
}

/** Device numbers the supplier gives for the account's stored cards. */
async function devicesOfCards(
  context: ServiceContext,
  adapter: SupplierAdapterV1,
  accountId: string,
): Promise<string[]> {
  if (!adapter.doGetIdentities) return [];
  const batch = adapter.limits.batchSize.identities ?? 100;
  const found = new Set<string>();
  let afterId = 0;
  for (;;) {
    const cards = await context.store.cards.listForSync(accountId, { afterId, limit: batch });
    if (cards.length === 0) break;
    afterId = cards[cards.length - 1]!.id;
    const result = await adapter.doGetIdentities({
      cards: cards.map((card) => ({
        key: String(card.id),
        iccid: card.iccid,
        msisdn: card.msisdn,
        imsi: card.imsi,
      })),
    });
    for (const item of result.items) {
      const deviceNo = item.ok ? item.value.extra?.deviceNo : null;
      if (typeof deviceNo === 'string' && deviceNo !== '') found.add(deviceNo);
    }
    if (cards.length < batch) break;
  }
  return [...found];
}

async function linkSlotCards(context: ServiceContext, accountId: string, device: Device) {
  const ids: Partial<Record<DeviceSlot, number>> = {};
  const identities: CardIdentityUpdate[] = [];
  for (const slot of device.slots) {
    const card = await findAccountCard(context, accountId, slot);
    if (!card) continue;
    ids[slot.slot] = card.id;
    // The slot names the card's MSISDN and IMSI: a card imported by ICCID learns them.
    const update: CardIdentityUpdate = { id: card.id };
    if (card.msisdn === null && slot.msisdn) update.msisdn = slot.msisdn;
    if (card.imsi === null && slot.imsi) update.imsi = slot.imsi;
    if (Object.keys(update).length > 1) identities.push(update);
  }
  // Only missing identifiers are filled here, so no history row names this source.
  if (identities.length > 0) {
    await context.store.cards.updateIdentities(identities, `device:${device.deviceNo}`);
  }
  return ids;
}

/**
 * Finds a stored device by number (or IMEI). With `account`, a device stored under another
 * account is refused with a message naming its account.
 */
export async function findDevice(
  context: ServiceContext,
  identifier: string,
  options: { account?: string } = {},
): Promise<StoredDevice> {
  const matches = await devicesRepository(context).findByNumber(identifier.trim());
  const inAccount = options.account
    ? matches.filter((device) => device.account === options.account)
    : matches;
  if (inAccount.length === 1) return inAccount[0]!;
  if (inAccount.length === 0 && matches.length > 0) {
    const owners = matches.map((device) => `${device.account} (${device.supplier})`).join(', ');
    throw new SimdockError(
      'conflict',
      `device ${identifier} belongs to ${owners}, not to account ${options.account}`,
      { details: { device: identifier, account: options.account } },
    );
  }
  if (inAccount.length === 0) {
    throw new SimdockError(
      'not_found',
      `no device "${identifier}" (run \`simdock devices sync --account ID\` first)`,
      { details: { device: identifier } },
    );
  }
  throw new SimdockError(
    'conflict',
    `device ${identifier} is in several accounts (${inAccount.map((device) => device.account).join(', ')}): add --account`,
    { details: { device: identifier } },
  );
}

/** The command's arguments as recorded: passwords masked. */
function recordedArguments(command: DeviceCommand): Record<string, unknown> {
  const { type: _type, ...rest } = command;
  if ('password' in rest && rest.password !== undefined) {
    return { ...rest, password: MASKED_SECRET };
  }
  return rest;
}

/**
 * Sends one command to a stored device through its account's adapter, records it in the
 * device's history and the audit log, and re-reads the device. A device of another account
 * than `options.account`, a command the supplier does not offer, or a Wi-Fi password outside
 * the supplier's length limits is refused before any supplier call.
 */
export async function sendDeviceCommand(
  context: ServiceContext,
  deviceIdentifier: string,
  command: DeviceCommand,
  actor: string,
  options: { account?: string } = {},
): Promise<{ device: StoredDevice; accepted: boolean; warnings: string[] }> {
  const stored = await findDevice(context, deviceIdentifier, options);
  const adapter = await deviceAdapter(context, stored.account);
  if (!adapter.deviceCommands.has(command.type)) {
    throw new SimdockError(
      'unsupported',
      `${adapter.supplier} devices do not accept "${command.type}"`,
      { details: { command: command.type, supplier: adapter.supplier } },
    );
  }
  const length = adapter.deviceLimits.wifiPasswordLength;
  if (command.type === 'wifi-credentials' && command.password !== undefined && length) {
    const size = [...command.password].length;
    if (size < length.min || size > length.max) {
      throw new SimdockError(
        'invalid_argument',
        `the Wi-Fi password must have ${length.min}–${length.max} characters, got ${size}`,
        { details: { field: 'password' } },
      );
    }
  }
  const repository = devicesRepository(context);
  const record = async (outcome: 'succeeded' | 'failed', error: string | null) => {
    await repository.recordCommand({
      deviceId: stored.id,
      type: command.type,
      arguments: recordedArguments(command),
      actor,
      outcome,
      error,
    });
    await context.store.audit.record({
      actor,
      action: `devices.${command.type}`,
      targetType: 'device',
      targetId: String(stored.id),
      account: stored.account,
      outcome,
      details: { deviceNo: stored.device.deviceNo, ...recordedArguments(command), error },
    });
  };
  let accepted: boolean;
  const warnings: string[] = [];
  try {
    const result = await adapter.doDeviceCommand({
      device: {
        key: String(stored.id),
        deviceNo: stored.device.deviceNo,
        accountId: stored.account,
      },
      command,
    });
    accepted = result.accepted;
    warnings.push(...result.warnings.map((warning) => warning.message));
  } catch (error) {
    await record('failed', errorMessage(error));
    throw error;
  }
  await record(accepted ? 'succeeded' : 'failed', accepted ? null : 'not accepted');
  let device = stored;
  try {
    const reread = await adapter.doGetDevices({
      devices: [
        {
          key: stored.device.deviceNo,
          deviceNo: stored.device.deviceNo,
          accountId: stored.account,
        },
      ],
    });
    const item = reread.items[0];
    if (item?.ok) {
      device = await repository.upsert({
        account: stored.account,
        supplier: stored.supplier,
        device: item.value,
        slotCardIds: await linkSlotCards(context, stored.account, item.value),
      });
    } else if (item) {
      warnings.push(`the device could not be read after the command: ${item.error.message}`);
    }
  } catch (error) {
    warnings.push(`the device could not be read after the command: ${errorMessage(error)}`);
  }
  return { device, accepted, warnings };
}

/** A device in the JSON contract: secrets masked unless `reveal`. */
export function deviceView(stored: StoredDevice, options: { reveal?: boolean } = {}) {
  const device = maskDeviceSecrets(stored.device, options);
  const iso = (instant: number | null) =>
    instant === null ? null : new Date(instant).toISOString();
  return {
    id: stored.id,
    account: stored.account,
    supplier: stored.supplier,
    ...device,
    slots: device.slots.map((slot) => ({ ...slot, cardId: stored.slotCardIds[slot.slot] ?? null })),
    lastSeenAt: iso(device.lastSeenAt),
    lastUsageAt: iso(device.lastUsageAt),
    syncedAt: iso(stored.syncedAt),
  };
}
