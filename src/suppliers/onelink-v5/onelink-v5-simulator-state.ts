import type { Clock } from '../../domain/index.js';
import {
  type FaultInjector,
  type FleetCard,
  hashString,
  PatternFleet,
  seededRandom,
} from '../spec/simulator-kit.js';

/**
 * The simulated OneLink v5 account's state: a pattern fleet (no memory per card) plus only what
 * changed — status overrides, per-card locks, batch jobs and change history. Written
 * independently of the client: codes here are typed from PROTOCOL-NOTES.md, not imported.
 */

export type SimulatedIdKind = 'msisdn' | 'iccid' | 'imsi';

/** A batch status change waiting to settle. */
export interface SimulatedJob {
  jobId: string;
  operType: string;
  settleAt: number;
  cards: { index: number; kind: SimulatedIdKind; value: string }[];
  outcomes: { index: number; status: string; message: string }[] | null;
}

/** Where a batch `operType` may start and where it lands (public clients' table, see client). */
const BATCH_TRANSITIONS: Record<string, { from: string[]; to: string }> = {
  '9': { from: ['00', '01'], to: '02' },
  '11': { from: ['02', '01'], to: '00' },
  '5': { from: ['06', '07'], to: '00' },
  '7': { from: ['07'], to: '00' },
};

/** `change/sim-status` operType 0 停机, 1 复机, 2 库存→已激活, 6 待激活→已激活. */
const SINGLE_TRANSITIONS: Record<string, { from: string[]; to: string }> = {
  '0': { from: ['00', '01'], to: '02' },
  '1': { from: ['02', '01'], to: '00' },
  '2': { from: ['06', '07'], to: '00' },
  '6': { from: ['07'], to: '00' },
};

export class OnelinkV5SimulatorState {
  readonly fleet: PatternFleet;
  readonly cooldownMs: number;
  readonly settleDelayMs: number;
  #clock: Clock;
  #seed: number;
  #faults: FaultInjector;
  #random: () => number;
  #statuses = new Map<number, string>();
  #lockedUntil = new Map<number, number>();
  #history = new Map<number, { descStatus: string; targetStatus: string; changeDate: number }[]>();
  #jobs = new Map<string, SimulatedJob>();
  #jobCounter = 0;

  constructor(options: {
    size: number;
    clock: Clock;
    seed: number;
    faults: FaultInjector;
    cooldownMinutes: number;
    settleDelayMs: number;
  }) {
    this.fleet = new PatternFleet({
      iccidPrefix: '898604B2',
      msisdnPrefix: '1440',
      imsiPrefix: '46004',
      size: options.size,
    });
    this.#clock = options.clock;
    this.#seed = options.seed;
    this.#faults = options.faults;
    this.#random = seededRandom(options.seed);
    this.cooldownMs = options.cooldownMinutes * 60_000;
    this.settleDelayMs = options.settleDelayMs;
  }

  /** The card with this identifier, or undefined. */
  find(kind: SimulatedIdKind, value: string): FleetCard | undefined {
    const index = this.fleet.find(kind, value);
    return index === undefined ? undefined : this.fleet.card(index);
  }

  /** A stable per-card number, so figures differ per seed but not per call. */
  hash(card: FleetCard, salt: string): number {
    return hashString(`${this.#seed}|${card.iccid}|${salt}`);
  }

  /** The card's `cardStatus` now (pending jobs that are due settle first). */
  status(index: number): string {
    this.settleDue();
    return this.#statuses.get(index) ?? this.#baseStatus(index);
  }

  /** Whether the card's status is one the supplier set (stopped for arrears, say). */
  stoppedBySupplier(index: number): boolean {
    return !this.#statuses.has(index) && this.#baseStatus(index) === '02';
  }

  #baseStatus(index: number): string {
    const bucket = this.hash(this.fleet.card(index), 'status') % 100;
    if (bucket < 80) return '00';
    if (bucket < 88) return '02';
    if (bucket < 93) return '07';
    if (bucket < 96) return '06';
    if (bucket < 98) return '01';
    return '03';
  }

  history(index: number) {
    return this.#history.get(index) ?? [];
  }

  lockedUntil(index: number): number {
    return this.#lockedUntil.get(index) ?? 0;
  }

  #lock(indexes: number[]): void {
    const until = this.#clock.now() + this.cooldownMs;
    for (const index of indexes) this.#lockedUntil.set(index, until);
  }

  #set(index: number, target: string): void {
    const from = this.#statuses.get(index) ?? this.#baseStatus(index);
    this.#statuses.set(index, target);
    const list = this.#history.get(index) ?? [];
    list.push({ descStatus: from, targetStatus: target, changeDate: this.#clock.now() });
    this.#history.set(index, list);
  }

  /** `change/sim-status`: immediate; refused inside the lock or from the wrong status. */
  changeNow(index: number, operType: string): { status: string; message: string } {
    const transition = SINGLE_TRANSITIONS[operType];
    if (!transition) return { status: '11000', message: `operType ${operType} 不支持` };
    if (this.lockedUntil(index) > this.#clock.now()) {
      return { status: '12089', message: '卡状态不允许操作: 同一卡号3分钟内不能重复办理' };
    }
    const current = this.status(index);
    if (!transition.from.includes(current)) {
      return { status: '12089', message: `卡状态不允许操作: 当前状态 ${current}` };
    }
    if (operType === '1' && this.stoppedBySupplier(index)) {
      return { status: '12098', message: '停机原因不允许自主复机' };
    }
    this.#lock([index]);
    this.#set(index, transition.to);
    return { status: '0', message: '正确' };
  }

  /**
   * `change/sim-status/batch`: one locked card refuses the whole batch (and locks none);
   * otherwise every card is locked and a job settles after the delay.
   */
  submitJob(
    operType: string,
    cards: SimulatedJob['cards'],
  ): { status: string; message: string; jobId?: string } {
    if (!BATCH_TRANSITIONS[operType]) return { status: '11000', message: `operType 不支持` };
    const now = this.#clock.now();
    const locked = cards.find((card) => this.lockedUntil(card.index) > now);
    if (locked) {
      return { status: '12089', message: `卡号${locked.value}在3分钟内已办理, 本批次不允许办理` };
    }
    this.#lock(cards.map((card) => card.index));
    this.#jobCounter += 1;
    const jobId = `${Math.floor(this.#random() * 1e6)}${String(this.#jobCounter).padStart(8, '0')}`;
    this.#jobs.set(jobId, {
      jobId,
      operType,
      settleAt: now + this.settleDelayMs,
      cards,
      outcomes: null,
    });
    return { status: '0', message: '正确', jobId };
  }

  job(jobId: string): SimulatedJob | undefined {
    this.settleDue();
    return this.#jobs.get(jobId);
  }

  /** Applies every job whose delay has passed, in submission order. */
  settleDue(): void {
    const now = this.#clock.now();
    for (const job of this.#jobs.values()) {
      if (job.outcomes || job.settleAt > now) continue;
      job.outcomes = [];
      const transition = BATCH_TRANSITIONS[job.operType]!;
      for (const card of job.cards) {
        const current = this.#statuses.get(card.index) ?? this.#baseStatus(card.index);
        let outcome = { status: '0', message: '成功' };
        if (this.#faults.failItem()) outcome = { status: '99', message: '系统错误' };
        else if (!transition.from.includes(current)) {
          outcome = { status: '12089', message: `卡状态不允许操作: 当前状态 ${current}` };
        } else if (job.operType === '11' && this.stoppedBySupplier(card.index)) {
          outcome = { status: '12098', message: '停机原因不允许自主复机' };
        }
        if (outcome.status === '0') this.#set(card.index, transition.to);
        job.outcomes.push({ index: card.index, ...outcome });
      }
    }
  }
}
