import type { Generated } from 'kysely';

/** A bulk card job: one action on many cards (migration 0004). */
export interface BulkJobsTable {
  id: Generated<number>;
  action: string;
  /** JSON. */
  params: string;
  /** JSON. */
  selection: string;
  created_by: string;
  state: string;
  total: number;
  done: number;
  skipped: number;
  failed: number;
  runs: number;
  queue_job_id: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  /** A retry job: the job it was made from (unique: a job is retried once; 0025). */
  retry_of: number | null;
}

/** One card of a bulk job (unique per job and card). */
export interface BulkJobItemsTable {
  id: Generated<number>;
  job_id: number;
  card_id: number;
  account_id: string;
  state: string;
  code: string | null;
  supplier_code: string | null;
  message: string | null;
  supplier_ref: string | null;
  idempotency_key: string;
  attempts: number;
  updated_at: number;
}

export type PartialDB = {
  bulk_jobs: BulkJobsTable;
  bulk_job_items: BulkJobItemsTable;
};
