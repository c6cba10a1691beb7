import {
  type Clock,
  compactDate,
  cstMonth,
  cstToday,
  dateRange,
  monthBounds,
} from '../../domain/index.js';
import { PatternFleet, simulatedDailyKb } from '../spec/simulator-kit.js';

/**
 * The simulated fleet: card `i` is derived from its index (no memory per card); only cards whose
 * state changed are kept in `#changed`. Status names and fields follow
 * quectel-connectivity-api-v3.15.md §1.8 (3) and §2.1.4.
 */

/** The documented reason of a card stopped by its flow threshold (§1.7 停机原因). */
export const THRESHOLD_PAUSE_REASON = '超出阈值停机';

export const CARRIERS = ['中国移动', '中国电信', '中国联通'] as const;

/** The two billing groups of the simulated company (§2.1.1). */
export const BILLING_GROUPS = [
  {
    id: 860,
    name: '1G/月',
    code: '1YY-939-2108-55',
    setMeal: '1G/月',
    totalMb: 1024,
    months: 1,
    productCode: 'CN-QC-1-939-2108-55',
  },
  {
    id: 861,
    name: 'NB-1 年期',
    code: '3YY-122-2067-36',
    setMeal: 'NB-1 年期',
    totalMb: 20000,
    months: 12,
    productCode: 'CN-QC-3-122-2067-36',
  },
] as const;

export interface SimulatedAlarm {
  alarmid: number;
  notifyemails: string | null;
  alarmthreshold1: string | null;
  alarmthreshold2: string | null;
  alarmthreshold3: string | null;
  alarmstatus: number;
  pauseflowthreshold: string | null;
  pausestatus: number;
  createdatetime: number;
  updatedatetime: number;
}

/** What can change on a card. */
export interface SimulatedCardState {
  status: string;
  pausereason: string;
  gprsstatus: '0' | '1';
  islock: '0' | '1';
  callstatus: number;
  voicewhitelist: string[];
  /** CST month (`YYYY-MM`) of the last whitelist deletion: one a month (§2.4.12). */
  whitelistDeletedIn: string | null;
  /** When a reset resumes the card (§2.4.8: ten minutes after the pause). */
  resumeAt: number | null;
  /** Last IMEI unbind (§2.4.5: once per 30 minutes). */
  unboundAt: number | null;
  /** Last real-name link (§2.3.9: once a minute). */
  realNameAt: number | null;
  activeDate: string | null;
  expiryDate: string;
  alarm: SimulatedAlarm | null;
  flowpackages: {
    tfName: string;
    tfSize: number;
    tfType: string;
    startTime: string;
    endTime: string;
  }[];
}

export class QuectelSimulatedFleet {
  readonly pattern: PatternFleet;
  readonly #changed = new Map<number, SimulatedCardState>();
  readonly #clock: Clock;
  readonly #days = new Map<string, string[]>();

  constructor(size: number, clock: Clock) {
    this.pattern = new PatternFleet({
      // 898607/46007: another China Mobile issuer range than the M2M platform's simulator
      // (898604/46004), so the demo's accounts never share an ICCID or IMSI.
      iccidPrefix: '898607',
      msisdnPrefix: '10648',
      imsiPrefix: '46007',
      size,
    });
    this.#clock = clock;
  }

  get size(): number {
    return this.pattern.size;
  }

  /** How many cards hold their own state (the rest are pure functions of their index). */
  get changedCount(): number {
    return this.#changed.size;
  }

  /** The index of a card named by ICCID or MSISDN. */
  find(kind: 'iccid' | 'msisdn', value: string): number | undefined {
    return this.pattern.find(kind, value);
  }

  carrier(index: number): (typeof CARRIERS)[number] {
    return CARRIERS[index % 3]!;
  }

  group(index: number): (typeof BILLING_GROUPS)[number] {
    return BILLING_GROUPS[index % 2]!;
  }

  #base(index: number): SimulatedCardState {
    const kind = index % 10;
    const status = kind === 0 ? '测试期正常' : kind === 1 ? '待激活' : kind === 2 ? '停机' : '正常';
    const voice = index % 4 === 0;
    return {
      status,
      pausereason: status === '停机' ? '主动停机' : '',
      gprsstatus: '1',
      islock: '0',
      callstatus: voice ? 1 : -2,
      voicewhitelist: voice ? [`1064899${String(index % 1_000_000).padStart(6, '0')}`] : [],
      whitelistDeletedIn: null,
      resumeAt: null,
      unboundAt: null,
      realNameAt: null,
      activeDate: kind === 0 || kind === 1 ? null : '2024-02-01',
      expiryDate: '2026-01-31',
      alarm: null,
      flowpackages: [],
    };
  }

  /**
   * The card's state now: a reset card resumes once its delay has passed, and an active card
   * whose usage has reached its enabled stop threshold is stopped (see `#pastThreshold`).
   */
  state(index: number): SimulatedCardState {
    let state = this.#changed.get(index) ?? this.#base(index);
    if (state.resumeAt !== null && this.#clock.now() >= state.resumeAt) {
      state = { ...state, status: '正常', pausereason: '', resumeAt: null };
      this.#changed.set(index, state);
    }
    if (state.status === '正常' && this.#pastThreshold(index, state.alarm)) {
      state = { ...state, status: '停机', pausereason: THRESHOLD_PAUSE_REASON };
      this.#changed.set(index, state);
    }
    return state;
  }

  /**
   * quectel-connectivity-api-v3.15.md §2.3.7: "达到阈值将进行停机" — with `pausestatus` 1, a card
   * whose flow reaches `pauseflowthreshold` (MB) is stopped, the whole card (停机), with the
   * documented reason 超出阈值停机 (§1.7). The document does not say which flow counts; the
   * simulator takes the billing cycle's (`flow` of §2.1.4), and stops the card when it is next
   * looked at rather than on a timer (guesses).
   */
  #pastThreshold(index: number, alarm: SimulatedAlarm | null): boolean {
    if (alarm?.pausestatus !== 1 || alarm.pauseflowthreshold === null) return false;
    const thresholdMb = Number(alarm.pauseflowthreshold);
    if (!Number.isFinite(thresholdMb)) return false;
    return toMb(this.#cycleKb(index, this.currentMonth())) >= thresholdMb;
  }

  /** Applies a change to one card, which from then on holds its own state. */
  update(index: number, change: Partial<SimulatedCardState>): SimulatedCardState {
    const next = { ...this.state(index), ...change };
    this.#changed.set(index, next);
    return next;
  }

  /** Flow used on one CST date, in KB (deterministic; none before activation). */
  dayKb(index: number, date: string): number {
    const state = this.state(index);
    if (state.status === '待激活') return 0;
    return simulatedDailyKb(this.pattern.card(index).iccid, date);
  }

  /** The CST dates of a month that have happened (today included). */
  daysSoFar(month: string): string[] {
    const today = cstToday(this.#clock.now());
    const key = `${month}|${today}`;
    const cached = this.#days.get(key);
    if (cached) return cached;
    const { first, last } = monthBounds(month);
    const end = [last, today].sort()[0] as string;
    const days = first > today ? [] : dateRange(first, end);
    if (this.#days.size > 64) this.#days.clear();
    this.#days.set(key, days);
    return days;
  }

  /** Flow of a month in KB. */
  monthKb(index: number, month: string): number {
    if (this.state(index).status === '待激活') return 0;
    return this.#monthKb(index, month);
  }

  /** Flow of the billing cycle up to `month`, in KB (year cards count from January). */
  cycleKb(index: number, month: string): number {
    if (this.state(index).status === '待激活') return 0;
    return this.#cycleKb(index, month);
  }

  // The two below do not look at the state, so `state()` can use them.
  #monthKb(index: number, month: string): number {
    const iccid = this.pattern.card(index).iccid;
    let total = 0;
    for (const date of this.daysSoFar(month)) total += simulatedDailyKb(iccid, date);
    return total;
  }

  #cycleKb(index: number, month: string): number {
    if (this.group(index).months === 1) return this.#monthKb(index, month);
    let total = 0;
    const year = month.slice(0, 4);
    for (let number = 1; number <= Number(month.slice(5, 7)); number += 1) {
      total += this.#monthKb(index, `${year}-${String(number).padStart(2, '0')}`);
    }
    return total;
  }

  /** The current CST month. */
  currentMonth(): string {
    return cstMonth(this.#clock.now());
  }

  /** A card as `card.list` describes it (§2.1.4), flows in MB with three decimals. */
  record(index: number): Record<string, unknown> {
    const card = this.pattern.card(index);
    const state = this.state(index);
    const group = this.group(index);
    const month = this.currentMonth();
    const monthKb = this.monthKb(index, month);
    const cycleKb = group.months === 1 ? monthKb : this.cycleKb(index, month);
    return {
      msisdn: card.msisdn,
      iccid: card.iccid,
      imsi: card.imsi,
      imei: state.activeDate ? card.imei : null,
      servicecycle: group.months,
      billingid: group.id,
      billingCode: group.code,
      productCode: group.productCode,
      carrier: this.carrier(index),
      setMeal: group.setMeal,
      flowratenumber: group.totalMb,
      networkType: group.months === 12 ? 'NB' : '4G',
      cardType: '工业贴片 MS1 5mm*6mm',
      status: state.status,
      pausereason: state.pausereason,
      allotDate: '2024-01-15',
      active: state.activeDate ? '激活' : '未激活',
      openDate: '2024-01-10',
      activeDate: state.activeDate,
      expiryDate: state.expiryDate,
      cycleStartDate: group.months === 1 ? `${month}-01` : `${month.slice(0, 4)}-01-01`,
      cycleEndDate: group.months === 1 ? monthBounds(month).last : `${month.slice(0, 4)}-12-31`,
      monthflow: toMb(monthKb),
      flow: toMb(cycleKb),
      residueFlow: Math.max(0, Math.round((group.totalMb - toMb(cycleKb)) * 1000) / 1000),
      islock: state.islock,
      gprsstatus: state.gprsstatus,
      realnamestatus: index % 2,
      callstatus: state.callstatus,
      voicewhitelist: state.voicewhitelist.join('_'),
      voiceflow: state.callstatus === -2 ? null : 300,
      monthvoiceflow: state.callstatus === -2 ? null : this.voiceMinutes(index, month),
      spcode: `1064899${String(index % 1000).padStart(3, '0')}`,
      companyid: 123,
    };
  }

  /** Voice minutes of a month (deterministic, cards with voice only). */
  voiceMinutes(index: number, month: string): number {
    if (this.state(index).callstatus === -2) return 0;
    return this.daysSoFar(month).reduce(
      (total, date) => total + (this.dayKb(index, date) % 7 === 0 ? 3 : 0),
      0,
    );
  }

  /** `yyyyMMdd` of a CST date. */
  compact(date: string): string {
    return compactDate(date);
  }
}

/** KB → MB with three decimals, as the supplier reports flows (§1.8 (1)). */
export function toMb(kb: number): number {
  return Math.round((kb / 1024) * 1000) / 1000;
}
