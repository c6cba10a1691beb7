import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../domain/index.js';

/** Settings shared by both queue implementations. */
export interface JobQueueOptions {
  /** Where job times come from (tests pass a ManualClock). */
  clock?: Clock;
  /** How long a worker holds a job without renewing its lease (default 60 s). */
  leaseMs?: number;
  /** How often, in real time, a running job's lease is renewed and a cancel looked for (1 s). */
  checkIntervalMs?: number;
  /** Minimum clock time between two progress writes of one job (default 1 s). */
  progressIntervalMs?: number;
  /** PostgreSQL: the connection URL graphile-worker opens its own pool on (required there). */
  databaseUrl?: string;
  /**
   * PostgreSQL: graphile-worker's schema. Default `graphile_worker` when simdock's tables live in
   * `public`, else `<schema>_graphile_worker`, so each simdock schema has its own queue.
   */
  workerSchema?: string;
  /** PostgreSQL: graphile-worker's log lines (default: errors and warnings to stderr). */
  log?: (level: string, message: string) => void;
}

export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_CHECK_INTERVAL_MS = 1_000;
export const DEFAULT_PROGRESS_INTERVAL_MS = 1_000;

/** A worker id that names the host and process, for `locked_by` and for people reading it. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
