import type { Generated } from 'kysely';

/** The tables the job queue owns (migration 0003-jobs). */
export type JobQueueTables = {
  jobs: {
    id: Generated<number>;
    name: string;
    payload: string;
    queue: string | null;
    key: string | null;
    state: string;
    attempts: number;
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
    cancel_requested: number;
  };
  job_schedules: {
    name: string;
    period: string;
    enqueued_at: number;
    job_id: number | null;
  };
};
