import { type Clock, errorMessage, SimdockError } from '../domain/index.js';
import type { JobHandler, JobProgress } from '../services/job-queue.js';
import type { QueueJobsRepository } from '../store/index.js';
import { type JobRow, toJobRecord } from './jobs-repository.js';

/**
 * The wait before retry number `attempts + 1`: e^min(attempts, 10) seconds, the formula
 * graphile-worker applies on PostgreSQL (2.7 s, 7.4 s, 20 s, … capped near 6 hours), so both
 * implementations back off alike.
 */
export function retryDelayMs(attempts: number): number {
  return Math.round(Math.exp(Math.min(Math.max(attempts, 1), 10)) * 1000);
}

/** How one run of a job ended. */
export type ExecutionOutcome =
  | { state: 'succeeded'; result: unknown }
  | { state: 'cancelled' }
  | { state: 'failed'; error: string }
  | { state: 'retry'; error: string; runAt: number };

/** What running a taken job needs from its worker. */
export interface ExecutionOptions {
  repository: QueueJobsRepository;
  clock: Clock;
  /** The worker holding the job's lease. */
  workerId: string;
  /** How long a lease lasts without renewal. */
  leaseMs: number;
  /** How often (real time) the lease is renewed and a cancel request looked for. */
  checkIntervalMs: number;
  /** Minimum time between two progress writes (clock time). */
  progressIntervalMs: number;
  /** Aborted when the worker stops. */
  stopSignal: AbortSignal;
  /** Jobs running in this process, so that a cancel here aborts at once. */
  running: Map<string, AbortController>;
}

/** The reason a handler's signal carries when its job was cancelled. */
export class JobCancelledError extends SimdockError {
  constructor(id: string) {
    super('cancelled', `job ${id} was cancelled`);
  }
}

/**
 * Runs a job the worker has taken: renews its lease and watches for a cancel while the handler
 * runs, writes progress (throttled), and records the outcome on the job's row.
 */
export async function executeJob(
  row: JobRow,
  handler: JobHandler,
  options: ExecutionOptions,
): Promise<ExecutionOutcome> {
  const { repository, clock, workerId } = options;
  const record = toJobRecord(row);
  const id = row.id;
  const controller = new AbortController();
  options.running.set(record.id, controller);
  const onStop = () => controller.abort(new SimdockError('cancelled', 'the worker is stopping'));
  if (options.stopSignal.aborted) onStop();
  else options.stopSignal.addEventListener('abort', onStop, { once: true });

  let checking: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    checking = checking.then(async () => {
      try {
        await repository.renew(id, workerId, clock.now() + options.leaseMs);
        if (!controller.signal.aborted && (await repository.cancelRequested(id))) {
          controller.abort(new JobCancelledError(record.id));
        }
      } catch {
        // A failed check is retried at the next tick; the lease outlives a few of them.
      }
    });
  }, options.checkIntervalMs);
  timer.unref?.();

  let lastWrite = Number.NEGATIVE_INFINITY;
  let unwritten: JobProgress | null = null;
  let writing: Promise<void> = Promise.resolve();
  const progress = async (value: JobProgress) => {
    unwritten = { ...value };
    const now = clock.now();
    if (now - lastWrite < options.progressIntervalMs && value.done < value.total) return;
    lastWrite = now;
    const toWrite = unwritten;
    unwritten = null;
    writing = writing.then(() => repository.setProgress(id, workerId, toWrite));
    await writing;
  };

  let outcome: ExecutionOutcome;
  try {
    const result = await handler(record.payload, {
      job: record,
      abortSignal: controller.signal,
      progress,
    });
    outcome = { state: 'succeeded', result: result ?? null };
  } catch (error) {
    const cancelled =
      controller.signal.reason instanceof JobCancelledError ||
      (await repository.cancelRequested(id).catch(() => false));
    if (cancelled) {
      outcome = { state: 'cancelled' };
    } else {
      const message = errorMessage(error) || 'the job failed';
      const attempts = Number(row.attempts);
      outcome =
        attempts >= Number(row.max_attempts)
          ? { state: 'failed', error: message }
          : { state: 'retry', error: message, runAt: clock.now() + retryDelayMs(attempts) };
    }
  } finally {
    clearInterval(timer);
    options.stopSignal.removeEventListener('abort', onStop);
    options.running.delete(record.id);
    await checking;
  }
  await writing.catch(() => {});
  if (unwritten) await repository.setProgress(id, workerId, unwritten).catch(() => {});
  await repository.finish(
    id,
    workerId,
    outcome.state === 'retry'
      ? { state: 'pending', error: outcome.error, runAt: outcome.runAt }
      : outcome,
    clock.now(),
  );
  return outcome;
}
