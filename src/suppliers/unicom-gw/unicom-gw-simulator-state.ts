import { addDays, type Clock, cstDate, cstParts } from '../../domain/index.js';
import {
  type FaultInjector,
  type FleetCard,
  hashString,
  PatternFleet,
  simulatedDailyKb,
} from '../spec/simulator-kit.js';

/**
 * The simulated China Unicom account: a pattern fleet (no memory per card) plus only what
 * changed — statuses, usage-limit overrides, pending asynchronous changes, the audit trail and
 * the modification times the change feed reads. Written from cn-carriers-notes.md, independently
 * of the client: codes are typed here, not imported.
 */

/** The simulated rate plans and their usage limits (MB). Names are the simulator's own. */
export const SIMULATED_RATE_PLANS = [
  { name: 'UNI-IOT-100M', limitMb: 100 },
  { name: 'UNI-IOT-1G', limitMb: 1024 },
  { name: 'UNI-IOT-10G', limitMb: 10240 },
] as const;

/** changeType 3 transitions the simulator allows (**guess**: Jasper's usual state machine). */
const STATUS_TRANSITIONS: Record<string, string[]> = {
  '2': ['3', '0', '1', '7'], // 已激活 from 已停用, 可测试, 可激活, 库存
  '3': ['2'], // 已停用 from 已激活
  '1': ['0', '7'], // 可激活 from 可测试, 库存
  '7': ['0', '1'], // 库存 from 可测试, 可激活
};

const OVERRIDES = new Set(['DEFAULT', 'TEMPORARY_OVERRIDE', 'PERMANENT_OVERRIDE']);

export interface SimulatedAuditEntry {
  field: string;
  priorValue: string;
  value: string;
  effectiveDate: number;
  status: 'Executed';
  userName: string;
}

interface PendingChange {
  changeType: '3' | '7';
  target: string;
  settleAt: number;
}

export class UnicomGwSimulatorState {
  readonly fleet: PatternFleet;
  readonly settleDelayMs: number;
  readonly startDay = 27;
  #clock: Clock;
  #seed: number;
  #faults: FaultInjector;
  #statuses = new Map<number, string>();
  #overrides = new Map<number, string>();
  #pending = new Map<string, PendingChange>();
  #audit = new Map<number, SimulatedAuditEntry[]>();
  #modified = new Map<number, number>();

  constructor(options: {
    size: number;
    clock: Clock;
    seed: number;
    faults: FaultInjector;
    settleDelayMs: number;
  }) {
    this.fleet = new PatternFleet({
      iccidPrefix: '89860124',
      msisdnPrefix: '1464',
      imsiPrefix: '46006',
      imeiPrefix: '86',
      size: options.size,
    });
    this.#clock = options.clock;
    this.#seed = options.seed;
    this.#faults = options.faults;
    this.settleDelayMs = options.settleDelayMs;
  }

  get faults(): FaultInjector {
    return this.#faults;
  }

  find(iccid: string): number | undefined {
    return this.fleet.find('iccid', iccid);
  }

  hash(card: FleetCard, salt: string): number {
    return hashString(`${this.#seed}|${card.iccid}|${salt}`);
  }

  #baseStatus(index: number): string {
    const bucket = this.hash(this.fleet.card(index), 'status') % 100;
    if (bucket < 80) return '2';
    if (bucket < 88) return '3';
    if (bucket < 93) return '1';
    if (bucket < 97) return '0';
    if (bucket < 99) return '7';
    return '4';
  }

  /** The card's `simStatus` now (changes that are due land first). */
  status(index: number): string {
    this.settleDue();
    return this.#statuses.get(index) ?? this.#baseStatus(index);
  }

  override(index: number): string {
    this.settleDue();
    return this.#overrides.get(index) ?? 'DEFAULT';
  }

  ratePlan(index: number): { name: string; limitMb: number } {
    const plans = SIMULATED_RATE_PLANS;
    return plans[this.hash(this.fleet.card(index), 'plan') % plans.length]!;
  }

  /** The billing month (`yyyy-MM`) an instant belongs to: the cycle that ends on the 26th. */
  billingMonth(instant: number): string {
    const { year, month, day } = cstParts(instant);
    const index = year * 12 + (month - 1) + (day >= this.startDay ? 1 : 0);
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  }

  /**
   * KB the card used in a billing month (up to today for the current one). While the usage
   * limit is enforced (override `DEFAULT`) the carrier cuts data at the rate plan's limit, so
   * the figure stops there; an override lets it run on.
   */
  cycleKb(index: number, billingMonth: string): number {
    const used = this.uncappedKb(index, billingMonth);
    if (this.override(index) !== 'DEFAULT') return used;
    return Math.min(used, this.ratePlan(index).limitMb * 1024);
  }

  /** Whether the rate plan's limit has cut the card's data this cycle. */
  limitReached(index: number, billingMonth: string): boolean {
    return (
      this.override(index) === 'DEFAULT' &&
      this.uncappedKb(index, billingMonth) >= this.ratePlan(index).limitMb * 1024
    );
  }

  /** What the card would use in the cycle with no cap. */
  uncappedKb(index: number, billingMonth: string): number {
    const status = this.status(index);
    if (status !== '2' && status !== '3') return 0;
    const card = this.fleet.card(index);
    let total = 0;
    for (const date of this.#cycleDates(billingMonth)) total += simulatedDailyKb(card.iccid, date);
    return total;
  }

  #datesKey = '';
  #dates: string[] = [];

  /** The cycle's dates up to today (cached: a million cards share a handful of cycles). */
  #cycleDates(billingMonth: string): string[] {
    const today = cstDate(this.#clock.now());
    const key = `${billingMonth}|${today}`;
    if (key === this.#datesKey) return this.#dates;
    const [year, month] = billingMonth.split('-').map(Number) as [number, number];
    const previous =
      month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
    const last = `${billingMonth}-${String(this.startDay - 1).padStart(2, '0')}`;
    const dates: string[] = [];
    for (
      let date = `${previous}-${this.startDay}`;
      date <= last && date <= today;
      date = addDays(date, 1)
    ) {
      dates.push(date);
    }
    this.#datesKey = key;
    this.#dates = dates;
    return dates;
  }

  dateActivated(index: number): number | null {
    const status = this.status(index);
    if (status === '0' || status === '1' || status === '7') return null;
    const days = 30 + (this.hash(this.fleet.card(index), 'activated') % 700);
    return this.#clock.now() - days * 86_400_000;
  }

  audit(index: number): SimulatedAuditEntry[] {
    this.settleDue();
    return this.#audit.get(index) ?? [];
  }

  /** Cards modified at or after `since` (every card when undefined), in fleet order. */
  modifiedSince(since: number | undefined): {
    count: number;
    page: (from: number, size: number) => number[];
  } {
    this.settleDue();
    if (since === undefined) {
      const size = this.fleet.size;
      return {
        count: size,
        page: (from, count) =>
          Array.from(
            { length: Math.max(0, Math.min(count, size - from)) },
            (_, offset) => from + offset,
          ),
      };
    }
    const changed = [...this.#modified]
      .filter(([, at]) => at >= since)
      .map(([index]) => index)
      .sort((a, b) => a - b);
    return { count: changed.length, page: (from, count) => changed.slice(from, from + count) };
  }

  /**
   * `wsEditTerminal`: checks the change and applies it now (`asynchronous` 0) or after the
   * settle delay (1). Returns a resultCode and message.
   */
  edit(
    index: number,
    changeType: string,
    target: string,
    asynchronous: boolean,
  ): { resultCode: string; resultMsg: string } {
    this.settleDue();
    if (changeType !== '3' && changeType !== '7') {
      return { resultCode: '1030', resultMsg: `changeType ${changeType} 不支持` };
    }
    const key = `${index}|${changeType}`;
    if (this.#pending.has(key)) {
      return { resultCode: '1020', resultMsg: '该卡有未完成的变更, 请稍后再试' };
    }
    if (changeType === '3') {
      if (!/^[0-9]$/.test(target))
        return { resultCode: '1030', resultMsg: `targetValue ${target} 无效` };
      const from = this.status(index);
      if (!(STATUS_TRANSITIONS[target] ?? []).includes(from)) {
        return { resultCode: '1020', resultMsg: `当前SIM卡状态(${from})不允许变更为${target}` };
      }
    } else if (!OVERRIDES.has(target)) {
      return { resultCode: '1030', resultMsg: `targetValue ${target} 无效` };
    }
    const change: PendingChange = {
      changeType,
      target,
      settleAt: this.#clock.now() + (asynchronous ? this.settleDelayMs : 0),
    };
    if (asynchronous) this.#pending.set(key, change);
    else this.#apply(index, change);
    return { resultCode: '0000', resultMsg: asynchronous ? '受理成功' : '成功' };
  }

  /** Lands every pending change whose delay has passed. */
  settleDue(): void {
    const now = this.#clock.now();
    for (const [key, change] of this.#pending) {
      if (change.settleAt > now) continue;
      this.#pending.delete(key);
      this.#apply(Number(key.split('|')[0]), change);
    }
  }

  #apply(index: number, change: PendingChange): void {
    const field = change.changeType === '3' ? 'simStatus' : 'overageLimitOverride';
    const map = change.changeType === '3' ? this.#statuses : this.#overrides;
    const prior =
      change.changeType === '3'
        ? (this.#statuses.get(index) ?? this.#baseStatus(index))
        : (this.#overrides.get(index) ?? 'DEFAULT');
    map.set(index, change.target);
    const at = Math.max(change.settleAt, 0);
    const list = this.#audit.get(index) ?? [];
    list.push({
      field,
      priorValue: prior,
      value: change.target,
      effectiveDate: at,
      status: 'Executed',
      userName: 'API',
    });
    this.#audit.set(index, list);
    this.#modified.set(index, at);
  }
}
