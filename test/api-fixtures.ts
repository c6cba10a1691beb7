import type { Device } from '../src/domain/index.js';
import { devicesRepository } from '../src/services/devices/devices-service.js';
import { AlertsRepository } from '../src/store/repositories/alerts-repository.js';
import { SmsRepository } from '../src/store/repositories/sms-repository.js';
import { type ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

/** A two-slot device as a supplier would describe it, with a Wi-Fi password to mask. */
export function sampleDevice(deviceNo: string, iccid: string | null): Device {
  const slot = (name: 'main' | 'vice1', value: string | null) => ({
    slot: name,
    iccid: value,
    msisdn: null,
    imsi: null,
    status: null,
    usedBytes: null,
    totalBytes: null,
  });
  return {
    deviceNo,
    imei: deviceNo,
    slots: [slot('main', iccid), slot('vice1', null)],
    effectiveSlot: 'main',
    network: { smartSwitching: null, modes: [] },
    signalDbm: -71,
    batteryPercent: 64,
    online: true,
    statusRaw: '1',
    wifi: [
      {
        band: '2.4GHz',
        name: `wifi-${deviceNo}`,
        password: 'hunter2-secret',
        visible: true,
        enabled: true,
        connectedClients: 2,
        maxClients: 10,
        encryption: null,
      },
    ],
    adminPassword: 'admin-secret',
    mac: null,
    position: null,
    firmware: null,
    lastSeenAt: null,
    lastUsageAt: null,
    controlHistory: [],
  };
}

/** An alert, an inbound text and a device for one card, as rules, suppliers and syncs leave them. */
export async function seedCardRecords(api: ApiHarness, cardId: number) {
  const card = (await api.store.cards.get(cardId))!;
  const now = () => api.clock.now();
  const { alert } = await new AlertsRepository(api.store, now).raise({
    cardId,
    account: ONELINK_ACCOUNT,
    cycle: '2024-11',
    dedupeKey: `test:${cardId}`,
    source: 'rule',
    kind: 'usage',
    severity: 'warning',
    message: `card ${cardId} used a lot`,
  });
  const [sms] = await new SmsRepository(api.store, now).recordInbound([
    {
      account: ONELINK_ACCOUNT,
      cardId,
      supplierMessageId: `in-${cardId}`,
      msisdn: card.msisdn,
      iccid: card.iccid,
      text: `hello from ${cardId}`,
      supplierAt: null,
    },
  ]);
  const device = await devicesRepository(api.context).upsert({
    account: ONELINK_ACCOUNT,
    supplier: 'onelink-v2',
    device: sampleDevice(`8600000000${cardId}`, card.iccid),
    slotCardIds: { main: cardId },
  });
  return { alert: alert.id, sms: sms!.id, device: device.id };
}
