import type { Generated } from 'kysely';

/** A card export run as a job (migration 0020). */
export interface CardExportsTable {
  id: Generated<number>;
  /** `csv` or `xlsx`. */
  format: string;
  /** JSON: the card list's filters, sort and order. */
  query: string;
  /** JSON: who asked, as the tenant scope the export reads through. */
  principal: string;
  tenant_id: string;
  created_by: string;
  /** pending, running, succeeded, failed, cancelled, expired. */
  state: string;
  /** Matching cards when the export started; null until then. */
  total: number | null;
  /** 0 when `total` is a lower bound (filters counted only up to a cap). */
  total_exact: number;
  rows_written: number;
  bytes: number;
  /** The name the download is offered under. */
  file_name: string;
  /** Where the file is while it exists. */
  file_path: string | null;
  queue_job_id: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  expires_at: number | null;
  /**
   * While pending or running: when its writer's lease runs out unless renewed (0025). Past it,
   * the writer is taken for dead. Null on rows from before 0025.
   */
  lease_until: number | null;
}

export type PartialDB = {
  card_exports: CardExportsTable;
};
