import {
  addDays,
  addMonths,
  type Clock,
  cstDate,
  cstMonth,
  cstStartOfDay,
  daysInMonth,
  SimdockError,
  systemClock,
} from '../domain/index.js';
import type { JobQueue, JobRecord } from '../services/job-queue.js';
import { WEBHOOKS_JOB_NAME } from '../services/webhooks/webhooks-job.js';
import type { Store } from '../store/index.js';
import { parseJobId } from './jobs-repository.js';
import { acquireLeadership, type Leadership } from './leader-lock.js';

/** Work the scheduler enqueues on a period: every N ms, daily at a CST time, or monthly. */
export interface ScheduleEntry {
  /** The job (handler) name. */
  name: string;
  payload: unknown;
  /** The entry's identity and dedupe-key prefix (default: `name`); unique among entries. */
  key?: string;
  /** Every so many milliseconds (periods aligned to the epoch). */
  everyMs?: number;
  /** Daily at this CST time, `HH:mm`; with `monthlyOn`, the time on that day. */
  at?: string;
  /** Monthly on this day of the month (1–31; a shorter month uses its last day), CST. */
  monthlyOn?: number;
  queue?: string;
  maxAttempts?: number;
}

/** The latest occurrence of an entry at or before `now`, and the period it starts. */
export interface ScheduleOccurrence {
  period: string;
  at: number;
}

function minutesOfDay(at: string | undefined): number {
  if (at === undefined) return 0;
  const match = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(at);
  if (!match) throw new SimdockError('invalid_argument', `schedule time "${at}" is not HH:mm`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Validates an entry and computes its latest occurrence at or before `now`. */
export function latestOccurrence(entry: ScheduleEntry, now: number): ScheduleOccurrence {
  const kinds = [
    entry.everyMs !== undefined,
    entry.monthlyOn !== undefined || entry.at !== undefined,
  ];
  if (kinds.filter(Boolean).length !== 1) {
    throw new SimdockError(
      'invalid_argument',
      `schedule "${entry.key ?? entry.name}" needs one of everyMs, at or monthlyOn`,
    );
  }
  if (entry.everyMs !== undefined) {
    if (!Number.isSafeInteger(entry.everyMs) || entry.everyMs < 1000) {
      throw new SimdockError('invalid_argument', 'everyMs must be at least 1000');
    }
    const start = Math.floor(now / entry.everyMs) * entry.everyMs;
    return { period: new Date(start).toISOString(), at: start };
  }
  const offset = minutesOfDay(entry.at) * 60_000;
  if (entry.monthlyOn !== undefined) {
    const day = entry.monthlyOn;
    if (!Number.isInteger(day) || day < 1 || day > 31) {
      throw new SimdockError('invalid_argument', 'monthlyOn must be a day from 1 to 31');
    }
    const inMonth = (month: string) => {
      const date = `${month}-${String(Math.min(day, daysInMonth(month))).padStart(2, '0')}`;
      return cstStartOfDay(date) + offset;
    };
    let month = cstMonth(now);
    if (inMonth(month) > now) month = addMonths(month, -1);
    return { period: month, at: inMonth(month) };
  }
  let date = cstDate(now);
  if (cstStartOfDay(date) + offset > now) date = addDays(date, -1);
  return { period: date, at: cstStartOfDay(date) + offset };
}

/**
 * The scheduler's defaults, fitted to the suppliers' data freshness: statuses hourly; daily
 * usage at 09:30 CST, after the T+1 suppliers publish yesterday (OneLink: after 09:00); and on
 * the 1st a month-end reconciliation of last month's usage. `schedule:` in simdock.yaml
 * replaces them.
 */
export function defaultScheduleEntries(): ScheduleEntry[] {
  return [
    // `days: 0` skips daily usage: statuses (and identities, inventory, month-to-date usage).
    { name: 'sync', key: 'sync-status-hourly', everyMs: 3_600_000, payload: { days: 0 } },
    { name: 'sync', key: 'sync-usage-daily', at: '09:30', payload: {} },
    {
      name: 'sync',
      key: 'sync-month-end',
      monthlyOn: 1,
      at: '10:00',
      payload: { days: 0, month: 'previous' },
    },
  ];
}

/**
 * The delivery schedule, beside the syncs (whatever `schedule:` says): a webhook delivery pass
 * every 10 seconds (new events, retries), a notification pass every 15 seconds (alerts routed,
 * retries, digests) and the notifications' daily digest at 09:00 CST.
 */
export function deliveryScheduleEntries(): ScheduleEntry[] {
  return [
    { name: WEBHOOKS_JOB_NAME, key: 'webhooks', everyMs: 10_000, payload: {} },
    { name: 'notifications', key: 'notifications', everyMs: 15_000, payload: {} },
    { name: 'notifications-daily', key: 'notifications-daily', at: '09:00', payload: {} },
  ];
}

export interface SchedulerOptions {
  entries: ScheduleEntry[];
  clock?: Clock;
  /** How often (real time) the leader looks for due work, and others try to lead (15 s). */
  tickIntervalMs?: number;
  /** PostgreSQL: the URL the leader lock's connection is opened on. */
  databaseUrl?: string;
}

export interface Scheduler {
  /** Enqueues every entry whose latest period has not been enqueued yet; returns the jobs. */
  tick(): Promise<JobRecord[]>;
  /** Starts trying to lead, and ticking while leader. */
  start(): void;
  /** Stops ticking and gives leadership up. */
  stop(): Promise<void>;
  /** Whether this process leads now. */
  readonly leading: boolean;
}

/**
 * The scheduler: the leader enqueues each entry's latest due period once (a missed period is
 * caught up once, not replayed). The period is recorded in `job_schedules` before the job is
 * enqueued, with a dedupe key per period, so a change of leader never enqueues a period twice.
 */
export function createScheduler(
  queue: JobQueue,
  store: Store,
  options: SchedulerOptions,
): Scheduler {
  const clock = options.clock ?? systemClock;
  const entries = options.entries;
  const keys = new Set<string>();
  for (const entry of entries) {
    const key = entry.key ?? entry.name;
    if (keys.has(key)) throw new SimdockError('invalid_argument', `schedule key "${key}" repeats`);
    keys.add(key);
    latestOccurrence(entry, clock.now());
  }
  const schedules = store.jobSchedules;

  const tick = async (): Promise<JobRecord[]> => {
    const now = clock.now();
    const enqueued: JobRecord[] = [];
    for (const entry of entries) {
      const key = entry.key ?? entry.name;
      const { period } = latestOccurrence(entry, now);
      if (!(await schedules.claimPeriod(key, period, now))) continue;
      let job: JobRecord;
      try {
        job = await queue.enqueue({
          name: entry.name,
          payload: entry.payload,
          key: `${key}:${period}`,
          ...(entry.queue ? { queue: entry.queue } : {}),
          ...(entry.maxAttempts ? { maxAttempts: entry.maxAttempts } : {}),
          createdBy: 'scheduler',
        });
      } catch (error) {
        // Not enqueued: forget the period so that the next tick tries again.
        await schedules.releasePeriod(key, period);
        throw error;
      }
      await schedules.setJob(key, parseJobId(job.id));
      enqueued.push(job);
    }
    return enqueued;
  };

  let leadership: Leadership | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const step = async () => {
    if (stopped) return;
    if (leadership?.signal.aborted) leadership = null;
    leadership ??= await acquireLeadership(store, {
      name: 'scheduler',
      databaseUrl: options.databaseUrl,
    });
    if (leadership && !stopped) await tick();
  };
  return {
    tick,
    get leading() {
      return leadership !== null && !leadership.signal.aborted;
    },
    start() {
      if (timer) return;
      stopped = false;
      const next = () => {
        running = running.then(step).catch(() => {
          // A failed tick (database unreachable) is tried again at the next interval.
        });
      };
      next();
      timer = setInterval(next, options.tickIntervalMs ?? 15_000);
      timer.unref?.();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
      await running;
      await leadership?.release();
      leadership = null;
    },
  };
}
