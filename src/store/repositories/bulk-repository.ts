import { type Selectable, sql } from 'kysely';
import { SimdockError } from '../../domain/index.js';
import { subtreePattern } from '../card-scope.js';
import type { RepositoryContext } from '../store-context.js';
import type { Database } from '../store-schema.js';

/** The actions a bulk job can carry out on each of its cards. */
export const BULK_ACTIONS = [
  'pause',
  'resume',
  'activate',
  'end-test',
  'reset',
  'sms',
  'recharge',
  'renew',
  'speed-limit',
  'speed-unlimit',
  'data-cap-set',
  'data-cap-cancel',
] as const;

export type BulkAction = (typeof BULK_ACTIONS)[number];

export function isBulkAction(value: string): value is BulkAction {
  return (BULK_ACTIONS as readonly string[]).includes(value);
}

/** A job: `pending` until run, `running`, then `succeeded`, `partial` (some cards failed), `failed` (every card failed) or `cancelled`. */
export type BulkJobState = 'pending' | 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled';

/**
 * One card of a job. `sending` is written before the supplier call, so a run that stops in the
 * middle leaves the card marked and the next run reads its outcome back instead of sending again.
 */
export type BulkItemState = 'pending' | 'sending' | 'done' | 'skipped' | 'failed';

export interface BulkJob {
  id: number;
  action: BulkAction;
  params: Record<string, unknown>;
  /** How the cards were chosen: `{identifiers}`, `{cardIds}` or `{filter}`. */
  selection: Record<string, unknown>;
  createdBy: string;
  state: BulkJobState;
  total: number;
  done: number;
  skipped: number;
  failed: number;
  /** How many times the job was run (resumes and retries included). */
  runs: number;
  /** The job-queue job that runs it, when it went through the queue. */
  queueJobId: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface BulkItem {
  id: number;
  jobId: number;
  cardId: number;
  account: string;
  state: BulkItemState;
  /** simdock's error code of a failure, or why the card was skipped (`already`, `unsupported`…). */
  code: string | null;
  /** The supplier's own code, verbatim. */
  supplierCode: string | null;
  message: string | null;
  /** The supplier's reference for what was done: an SMS message id, an order number. */
  supplierRef: string | null;
  /** Sent to the supplier where it deduplicates (SMS keys, Quectel `externalId`). */
  idempotencyKey: string;
  /** Supplier calls made for this card (a resumed send is not counted twice). */
  attempts: number;
  updatedAt: number;
}

/** The outcome written for one item. */
export interface BulkItemOutcome {
  id: number;
  state: 'done' | 'skipped' | 'failed' | 'pending';
  code?: string | null;
  supplierCode?: string | null;
  message?: string | null;
  supplierRef?: string | null;
}

type JobRow = Selectable<Database['bulk_jobs']>;
type ItemRow = Selectable<Database['bulk_job_items']>;

function toJob(row: JobRow): BulkJob {
  return {
    id: Number(row.id),
    action: row.action as BulkAction,
    params: JSON.parse(row.params) as Record<string, unknown>,
    selection: JSON.parse(row.selection) as Record<string, unknown>,
    createdBy: row.created_by,
    state: row.state as BulkJobState,
    total: Number(row.total),
    done: Number(row.done),
    skipped: Number(row.skipped),
    failed: Number(row.failed),
    runs: Number(row.runs),
    queueJobId: row.queue_job_id,
    createdAt: Number(row.created_at),
    startedAt: row.started_at === null ? null : Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

function toItem(row: ItemRow): BulkItem {
  return {
    id: Number(row.id),
    jobId: Number(row.job_id),
    cardId: Number(row.card_id),
    account: row.account_id,
    state: row.state as BulkItemState,
    code: row.code,
    supplierCode: row.supplier_code,
    message: row.message,
    supplierRef: row.supplier_ref,
    idempotencyKey: row.idempotency_key,
    attempts: Number(row.attempts),
    updatedAt: Number(row.updated_at),
  };
}

/** Rows per insert or update statement: well under both dialects' parameter limits. */
const ROWS_PER_STATEMENT = 500;

/** Bulk jobs and their per-card items, on either dialect. */
export class BulkJobsRepository {
  readonly #store: RepositoryContext;
  readonly #now: () => number;

  constructor(store: RepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  #db() {
    return this.#store.db;
  }

  /** Creates a job and its items (state `pending`) in one transaction; returns the job. */
  /** The job made to retry `jobId`, or null when it was not retried. */
  async retryOf(jobId: number): Promise<BulkJob | null> {
    const row = await this.#db()
      .selectFrom('bulk_jobs')
      .selectAll()
      .where('retry_of', '=', jobId)
      .executeTakeFirst();
    return row ? toJob(row) : null;
  }

  async create(input: {
    action: BulkAction;
    params: Record<string, unknown>;
    selection: Record<string, unknown>;
    createdBy: string;
    cards: { cardId: number; account: string }[];
    /**
     * The job this one retries. A job is retried once: a second retry of it (even one asked at
     * the same moment) is a unique violation (`already_exists`), and nothing is created.
     */
    retryOf?: number;
  }): Promise<BulkJob> {
    const now = this.#now();
    const id = await this.#db()
      .transaction()
      .execute(async (transaction) => {
        const row = await transaction
          .insertInto('bulk_jobs')
          .values({
            action: input.action,
            params: JSON.stringify(input.params),
            selection: JSON.stringify(input.selection),
            created_by: input.createdBy,
            state: 'pending',
            total: input.cards.length,
            done: 0,
            skipped: 0,
            failed: 0,
            runs: 0,
            queue_job_id: null,
            created_at: now,
            started_at: null,
            finished_at: null,
            retry_of: input.retryOf ?? null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const jobId = Number(row.id);
        for (let start = 0; start < input.cards.length; start += ROWS_PER_STATEMENT) {
          await transaction
            .insertInto('bulk_job_items')
            .values(
              input.cards.slice(start, start + ROWS_PER_STATEMENT).map((card) => ({
                job_id: jobId,
                card_id: card.cardId,
                account_id: card.account,
                state: 'pending',
                code: null,
                supplier_code: null,
                message: null,
                supplier_ref: null,
                // Stored before any call: a retry of this card reuses it (BulkItem.idempotencyKey).
                idempotency_key: `simdock-${jobId}-${card.cardId}`,
                attempts: 0,
                updated_at: now,
              })),
            )
            .execute();
        }
        return jobId;
      });
    return (await this.get(id))!;
  }

  async get(id: number): Promise<BulkJob | null> {
    const row = await this.#db()
      .selectFrom('bulk_jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toJob(row) : null;
  }

  /** The job, or `not_found`. */
  async require(id: number): Promise<BulkJob> {
    const job = await this.get(id);
    if (!job) throw new SimdockError('not_found', `no bulk job ${id}`, { details: { job: id } });
    return job;
  }

  /** Jobs, newest first. */
  async list(filter: { limit?: number; state?: BulkJobState } = {}): Promise<BulkJob[]> {
    let select = this.#db().selectFrom('bulk_jobs').selectAll();
    if (filter.state) select = select.where('state', '=', filter.state);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50)
      .execute();
    return rows.map(toJob);
  }

  async update(
    id: number,
    changes: Partial<Pick<BulkJob, 'state' | 'queueJobId' | 'startedAt' | 'finishedAt' | 'runs'>>,
  ): Promise<void> {
    const values: Partial<JobRow> = {};
    if (changes.state !== undefined) values.state = changes.state;
    if (changes.queueJobId !== undefined) values.queue_job_id = changes.queueJobId;
    if (changes.startedAt !== undefined) values.started_at = changes.startedAt;
    if (changes.finishedAt !== undefined) values.finished_at = changes.finishedAt;
    if (changes.runs !== undefined) values.runs = changes.runs;
    await this.#db().updateTable('bulk_jobs').set(values).where('id', '=', id).execute();
  }

  /** Recounts the job's items by state into the job row; returns the counts. */
  async refreshCounts(id: number): Promise<Record<BulkItemState, number>> {
    const rows = await this.#db()
      .selectFrom('bulk_job_items')
      .select(['state', (select) => select.fn.countAll<number>().as('count')])
      .where('job_id', '=', id)
      .groupBy('state')
      .execute();
    const counts: Record<BulkItemState, number> = {
      pending: 0,
      sending: 0,
      done: 0,
      skipped: 0,
      failed: 0,
    };
    for (const row of rows) counts[row.state as BulkItemState] = Number(row.count);
    await this.#db()
      .updateTable('bulk_jobs')
      .set({ done: counts.done, skipped: counts.skipped, failed: counts.failed })
      .where('id', '=', id)
      .execute();
    return counts;
  }

  /** The job's items in one state (all states when absent), by id, one page at a time. */
  async items(
    jobId: number,
    options: { state?: BulkItemState; afterId?: number; limit?: number } = {},
  ): Promise<BulkItem[]> {
    let select = this.#db()
      .selectFrom('bulk_job_items')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('id', '>', options.afterId ?? 0);
    if (options.state) select = select.where('state', '=', options.state);
    const rows = await select
      .orderBy('id')
      .limit(options.limit ?? 100_000)
      .execute();
    return rows.map(toItem);
  }

  /** Failures grouped by code and message, most frequent first. */
  async failureReasons(
    jobId: number,
  ): Promise<
    { state: BulkItemState; code: string | null; message: string | null; count: number }[]
  > {
    const rows = await this.#db()
      .selectFrom('bulk_job_items')
      .select(['state', 'code', 'message', (select) => select.fn.countAll<number>().as('count')])
      .where('job_id', '=', jobId)
      .where('state', 'in', ['failed', 'skipped'])
      .groupBy(['state', 'code', 'message'])
      .execute();
    return rows
      .map((row) => ({
        state: row.state as BulkItemState,
        code: row.code,
        message: row.message,
        count: Number(row.count),
      }))
      .sort((a, b) => b.count - a.count);
  }

  /**
   * Marks items `sending` (and counts one attempt each) in one transaction, before the supplier
   * call. Only items still `pending` are taken; returns the ids taken.
   */
  async markSending(ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const now = this.#now();
    return this.#db()
      .transaction()
      .execute(async (transaction) => {
        const taken: number[] = [];
        for (let start = 0; start < ids.length; start += ROWS_PER_STATEMENT) {
          const part = ids.slice(start, start + ROWS_PER_STATEMENT);
          const rows = await transaction
            .updateTable('bulk_job_items')
            .set((set) => ({
              state: 'sending',
              attempts: set('attempts', '+', 1),
              updated_at: now,
            }))
            .where('id', 'in', part)
            .where('state', '=', 'pending')
            .returning('id')
            .execute();
          taken.push(...rows.map((row) => Number(row.id)));
        }
        return taken;
      });
  }

  /** Writes outcomes in one transaction: one statement per distinct outcome, not per card. */
  async settle(outcomes: readonly BulkItemOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    const now = this.#now();
    const groups = new Map<string, { outcome: BulkItemOutcome; ids: number[] }>();
    for (const outcome of outcomes) {
      const key = JSON.stringify([
        outcome.state,
        outcome.code ?? null,
        outcome.supplierCode ?? null,
        outcome.message ?? null,
        outcome.supplierRef,
      ]);
      const group = groups.get(key) ?? { outcome, ids: [] };
      group.ids.push(outcome.id);
      groups.set(key, group);
    }
    await this.#db()
      .transaction()
      .execute(async (transaction) => {
        for (const { outcome, ids } of groups.values()) {
          for (let start = 0; start < ids.length; start += ROWS_PER_STATEMENT) {
            await transaction
              .updateTable('bulk_job_items')
              .set({
                state: outcome.state,
                code: outcome.code ?? null,
                supplier_code: outcome.supplierCode ?? null,
                message: outcome.message ?? null,
                ...(outcome.supplierRef !== undefined ? { supplier_ref: outcome.supplierRef } : {}),
                updated_at: now,
              })
              .where('id', 'in', ids.slice(start, start + ROWS_PER_STATEMENT))
              .execute();
          }
        }
      });
  }

  /** Puts the job's failed items back to `pending` (a re-run retries them); returns how many. */
  async retryFailed(jobId: number): Promise<number> {
    const result = await this.#db()
      .updateTable('bulk_job_items')
      .set({ state: 'pending', updated_at: this.#now() })
      .where('job_id', '=', jobId)
      .where('state', '=', 'failed')
      .executeTakeFirst();
    return Number(result.numUpdatedRows ?? 0);
  }

  /** The ids among `jobIds` whose items all name cards assigned inside the subtree at `tenantPath`. */
  async jobsWithinSubtree(tenantPath: string, jobIds: readonly number[]): Promise<Set<number>> {
    if (jobIds.length === 0) return new Set();
    const pattern = subtreePattern(tenantPath);
    const rows = await this.#db()
      .selectFrom('bulk_job_items')
      .select([
        'job_id',
        sql<number>`sum(case when exists (select 1 from card_tenants ct
        where ct.card_id = bulk_job_items.card_id and ct.tenant_path like ${pattern})
        then 0 else 1 end)`.as('outside'),
      ])
      .where('job_id', 'in', jobIds)
      .groupBy('job_id')
      .execute();
    return new Set(
      rows.filter((row) => Number(row.outside) === 0).map((row) => Number(row.job_id)),
    );
  }
}
