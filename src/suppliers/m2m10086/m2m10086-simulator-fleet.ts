import {
  addDays,
  cstDate,
  cstMonth,
  cstStartOfDay,
  cstToday,
  daysInMonth,
  lastMonths,
} from '../../domain/index.js';
import {
  type FleetCard,
  hashString,
  PatternFleet,
  simulatedDailyKb,
} from '../spec/simulator-kit.js';

/**
 * The simulated M2M fleet: every figure is derived from the card's index and the date, so the
 * simulator holds no memory per card however large the fleet.
 */

/** Card statuses of §2.2.3 with their share of the fleet (per cent, cumulative). */
const STATUS_SHARES: readonly [number, string][] = [
  [80, '00'],
  [84, '02'],
  [87, '01'],
  [91, '07'],
  [93, '06'],
  [96, '03'],
  [98, '04'],
  [100, '00'],
];

const MEALS: readonly [string, number][] = [
  ['30M月包', 30_720],
  ['100M月包', 102_400],
  ['500M月包', 512_000],
  ['1G月包', 1_048_576],
];

export interface M2mSimulatedCard extends FleetCard {
  /** Two-digit card status (§2.2.3). */
  cardstatus: string;
  /** Whether the device is powered on. */
  deviceOn: boolean;
  online: boolean;
  meals: string;
  /** Package allowance in KB. */
  mealsKb: number;
  /** CST date `YYYY-MM-DD`. */
  activationdate: string;
}

export function createM2mFleet(size: number): PatternFleet {
  return new PatternFleet({
    iccidPrefix: '898604',
    msisdnPrefix: '1064',
    imsiPrefix: '46004',
    imeiPrefix: '86',
    size,
  });
}

/** Everything the simulator says about card `index`. */
export function simulatedCard(fleet: PatternFleet, index: number): M2mSimulatedCard {
  const card = fleet.card(index);
  const hash = hashString(`m2m|${card.iccid}`);
  const bucket = hash % 100;
  const cardstatus = STATUS_SHARES.find(([edge]) => bucket < edge)?.[1] ?? '00';
  const deviceOn = cardstatus === '00' && (hash >>> 8) % 4 !== 0;
  const [meals, mealsKb] = MEALS[(hash >>> 12) % MEALS.length]!;
  return {
    ...card,
    cardstatus,
    deviceOn,
    online: deviceOn && (hash >>> 16) % 3 !== 0,
    meals,
    mealsKb,
    activationdate: addDays('2023-01-01', (hash >>> 4) % 365),
  };
}

/** Finds a card by any of the identifiers `key` may hold (§2.1.1: 卡号、iccid、imsi、imei). */
export function findCard(fleet: PatternFleet, key: string): number | undefined {
  for (const kind of ['msisdn', 'iccid', 'imsi', 'imei'] as const) {
    const index = fleet.find(kind, key);
    if (index !== undefined) return index;
  }
  return undefined;
}

/**
 * KB used by a card in a CST month (`YYYY-MM`), up to and including today for the current
 * month. Suspended and cancelled cards use nothing.
 */
export function monthFlowKb(card: M2mSimulatedCard, month: string, now: number): number {
  if (card.cardstatus !== '00') return 0;
  const today = cstToday(now);
  let total = 0;
  for (let day = 1; day <= daysInMonth(month); day += 1) {
    const date = `${month}-${String(day).padStart(2, '0')}`;
    if (date > today) break;
    if (date < card.activationdate) continue;
    // Scaled down so a month's use stays in the range of the small packages.
    total += Math.floor(simulatedDailyKb(card.iccid, date) / 16);
  }
  return total;
}

/** Whether a month is one the platform answers (§2.7: the last 12 months). */
export function inMonthWindow(month: string, now: number): boolean {
  return lastMonths(12, now).includes(month);
}

/** `yyyy-MM-dd HH:mm:ss` in CST, as the platform writes times. */
export function cstDateTime(instant: number): string {
  const date = cstDate(instant);
  const seconds = Math.floor((instant - cstStartOfDay(date)) / 1000);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date} ${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

/** A deterministic position near a seed (around Hangzhou), for LBS answers. */
export function simulatedPosition(seed: string): {
  longitude: string;
  latitude: string;
  radius: string;
} {
  const hash = hashString(seed);
  return {
    longitude: (120.0 + (hash % 10_000) / 10_000).toFixed(6),
    latitude: (30.0 + ((hash >>> 14) % 10_000) / 10_000).toFixed(6),
    radius: String(200 + (hash % 1_300)),
  };
}

/**
 * The records of the daily flow notice (§3.2, pushed at 0:00): every card past 80 % (near) of
 * its package this month, `isover` from 100 %. Computed card by card, nothing kept.
 */
export function flowMonitorRecords(fleet: PatternFleet, now: number): Record<string, string>[] {
  const month = cstMonth(now);
  const datas: Record<string, string>[] = [];
  for (let index = 0; index < fleet.size; index += 1) {
    const card = simulatedCard(fleet, index);
    const used = monthFlowKb(card, month, now);
    const near = Math.floor(card.mealsKb * 0.8);
    if (used < near) continue;
    datas.push({
      cardcode: card.msisdn,
      taocan: card.meals,
      taocanflow: String(card.mealsKb),
      nearflow: String(near),
      overflow: String(card.mealsKb),
      useflow: String(used),
      billingdate: `${month}-01`,
      billingenddate: '2099-12-31',
      isnear: '1',
      isover: used >= card.mealsKb ? '1' : '0',
    });
  }
  return datas;
}
