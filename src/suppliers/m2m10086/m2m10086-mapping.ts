import { type CardStatusValue, statusMapper } from '../../domain/index.js';
import type { CardLocation, CardRef } from '../spec/index.js';
import { type M2mRecord, parseCstTime } from './m2m10086-wire.js';

/** Wire records of m2m10086-api-v3.txt mapped to simdock values. */

/** The two-digit card status of m2m10086-api-v3.txt §2.2.3. */
export const m2mCardStatus = statusMapper({
  '00': 'active', // 正常
  '01': 'suspended', // 单向停机
  '02': 'suspended', // 停机
  '03': 'pre_deactivated', // 预销号
  '04': 'deactivated', // 销号
  '05': 'unknown', // 过户 (transferred to another owner)
  '06': 'inventory', // 休眠
  '07': 'inventory', // 待激活
  '96': 'unknown', // 补卡次月生效
  '97': 'deactivated', // 补损销号
  '98': 'unknown', // 未知
});

/** The device and data-session state the same realtime call gives (§2.2.3). */
export interface M2mDeviceState {
  /** `macstatus`: 0 off, 1 on, 99 unknown → null. */
  powered: boolean | null;
  /** `gprsstatus`: 00 offline, 01 online. */
  online: boolean | null;
  ip: string | null;
  /** `rat`: 2, 3 or 4 (G). */
  rat: string | null;
  raw: { macstatus: string | null; gprsstatus: string | null };
}

/** A card status with the device state beside it. */
export interface M2mStatusValue extends CardStatusValue {
  device: M2mDeviceState;
}

/** A diagnosis result (§2.10.3): `macstatus` there is 0 unknown, 1 on. */
export interface M2mDiagnosis {
  powered: boolean | null;
  /** Epoch ms of the diagnosis (`lasttime`); null when not given. */
  at: number | null;
  raw: M2mRecord;
}

/** The device state in a §2.2.3 record. */
export function deviceStateOf(record: M2mRecord): M2mDeviceState {
  const macstatus = record.macstatus ?? null;
  const gprsstatus = record.gprsstatus ?? null;
  return {
    powered: macstatus === '1' ? true : macstatus === '0' ? false : null,
    // §2.2.3 writes 00/01; a single digit is accepted too.
    online:
      gprsstatus === '01' || gprsstatus === '1'
        ? true
        : gprsstatus === '00' || gprsstatus === '0'
          ? false
          : null,
    ip: record.ip ?? null,
    rat: record.rat ?? null,
    raw: { macstatus, gprsstatus },
  };
}

/** The `key` sent for a card: the card number when known, else the ICCID, else the IMSI. */
export function keyOf(card: CardRef): string {
  return (card.msisdn || card.iccid || card.imsi) as string;
}

export function locationOf(record: M2mRecord): CardLocation {
  const number = (value: string | null | undefined) => {
    const parsed = value ? Number(value) : Number.NaN;
    return Number.isFinite(parsed) ? parsed : null;
  };
  return {
    latitude: number(record.latitude ?? record.lat),
    longitude: number(record.longitude ?? record.lng ?? record.lon),
    description: record.address ?? null,
    at: parseCstTime(record.lasttime ?? record.time),
  };
}
