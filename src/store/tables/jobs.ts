import type { Generated } from 'kysely';

/** Every job of the job queue, on both dialects (migration 0003). */
export interface JobsTable {
  id: Generated<number>;
  name: string;
  /** JSON. */
  payload: string;
  queue: string | null;
  /** Dedupe key: one live (`pending`, `running`) job per key. */
  key: string | null;
  state: string;
  attempts: Generated<number>;
  max_attempts: number;
  run_at: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  progress: string | null;
  result: string | null;
  last_error: string | null;
  created_by: string | null;
  locked_by: string | null;
  locked_until: number | null;
  cancel_requested: Generated<number>;
}

/** The scheduler's last enqueued period per schedule entry (migration 0003). */
export interface JobSchedulesTable {
  name: string;
  period: string;
  enqueued_at: number;
  job_id: number | null;
}

export type PartialDB = {
  jobs: JobsTable;
  job_schedules: JobSchedulesTable;
};
