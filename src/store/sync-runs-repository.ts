import type { Selectable } from 'kysely';
import { SimdockError } from '../domain/errors.js';
import type { StoreContext } from './store-context.js';
import type { SyncRunsTable } from './store-schema.js';
import {
  chunks,
  parseJsonObject,
  requireCount,
  requirePositive,
  requireText,
  rowsPerStatement,
  translateForeignKeyError,
  writeTransaction,
} from './store-sql.js';

/**
 * How a finished sync run ended; `superseded`: a newer run of the account that reads all it
 * would took its place before it finished (the rest of its cards were left to that run).
 */
export type SyncRunOutcome = 'succeeded' | 'partial' | 'failed' | 'superseded';

/** A run's status: `running` until finished. */
export type SyncRunStatus = 'running' | SyncRunOutcome;

const OUTCOMES: readonly SyncRunOutcome[] = ['succeeded', 'partial', 'failed', 'superseded'];

/** What `syncRuns.finish` records. */
export interface SyncRunResult {
  status: SyncRunOutcome;
  /** Cards of the account when the run ended. */
  cards: number;
  /** Cards synced without failure. */
  synced: number;
  failed: number;
  /** Supplier calls made. */
  calls: number;
  rowsWritten: number;
  /** Failure code → number of cards. */
  failuresByReason: Record<string, number>;
  durationMs: number;
}

/** A sync run; the result fields are null while it runs. Times are epoch milliseconds. */
export interface StoredSyncRun {
  id: number;
  account: string;
  kind: string;
  status: SyncRunStatus;
  startedAt: number;
  finishedAt: number | null;
  cards: number | null;
  synced: number | null;
  failed: number | null;
  calls: number | null;
  rowsWritten: number | null;
  failuresByReason: Record<string, number> | null;
  durationMs: number | null;
}

/** One card (or the whole run, when `cardId` is null) that failed in a run. */
export interface SyncRunFailure {
  cardId: number | null;
  code: string;
  message: string;
}

export interface StoredSyncRunFailure extends SyncRunFailure {
  id: number;
  runId: number;
  at: number;
}

/** Sync runs of supplier accounts and their per-card failures. */
export class SyncRunsRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /** Records that a run began; returns its id. */
  async start(run: { account: string; kind: string }): Promise<number> {
    const row = await this.#context.db
      .insertInto('sync_runs')
      .values({
        account_id: requireText(run.account, 'account'),
        kind: requireText(run.kind, 'sync kind'),
        status: 'running',
        started_at: this.#context.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Records how a run ended; `not_found` for an unknown id. */
  async finish(id: number, result: SyncRunResult): Promise<void> {
    if (!(await this.#finish(id, result, false))) {
      throw new SimdockError('not_found', `sync run ${id} does not exist`);
    }
  }

  /**
   * Records how a run ended unless it already has: whether it was still `running` (a run that
   * another process closes meanwhile keeps that process's outcome).
   */
  async finishIfRunning(id: number, result: SyncRunResult): Promise<boolean> {
    return this.#finish(id, result, true);
  }

  async #finish(id: number, result: SyncRunResult, onlyRunning: boolean): Promise<boolean> {
    if (!OUTCOMES.includes(result.status)) {
      throw new SimdockError('invalid_argument', `unknown sync run outcome "${result.status}"`);
    }
    const reasons: Record<string, number> = {};
    for (const [reason, count] of Object.entries(result.failuresByReason ?? {})) {
      reasons[reason] = requireCount(count, `failures of ${reason}`);
    }
    const update = await this.#context.db
      .updateTable('sync_runs')
      .set({
        status: result.status,
        finished_at: this.#context.clock.now(),
        cards: requireCount(result.cards, 'cards'),
        synced: requireCount(result.synced, 'synced'),
        failed: requireCount(result.failed, 'failed'),
        calls: requireCount(result.calls, 'calls'),
        rows_written: requireCount(result.rowsWritten, 'rowsWritten'),
        failures_by_reason: JSON.stringify(reasons),
        duration_ms: requireCount(result.durationMs, 'durationMs'),
      })
      .where('id', '=', id)
      .$if(onlyRunning, (query) => query.where('status', '=', 'running'))
      .executeTakeFirst();
    return Number(update.numUpdatedRows) > 0;
  }

  /** Records failures of a run, in one transaction. */
  async recordFailures(runId: number, failures: readonly SyncRunFailure[]): Promise<void> {
    requirePositive(runId, 'sync run id');
    if (failures.length === 0) return;
    const now = this.#context.clock.now();
    const rows = failures.map((failure) => ({
      run_id: runId,
      card_id: failure.cardId ?? null,
      code: requireText(failure.code, 'failure code'),
      message: String(failure.message ?? ''),
      at: now,
    }));
    const { db, dialect } = this.#context;
    await writeTransaction(db, dialect, async (transaction) => {
      for (const part of chunks(rows, rowsPerStatement(dialect, 5))) {
        await transaction
          .insertInto('sync_run_failures')
          .values(part)
          .execute()
          .catch((error: unknown) => {
            throw translateForeignKeyError(error, `sync run ${runId}`);
          });
      }
    });
  }

  /** The run, or null. */
  async get(id: number): Promise<StoredSyncRun | null> {
    const row = await this.#context.db
      .selectFrom('sync_runs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toSyncRun(row) : null;
  }

  /** Runs, newest first (default 50). */
  async list(filter: { account?: string; limit?: number } = {}): Promise<StoredSyncRun[]> {
    let select = this.#context.db.selectFrom('sync_runs').selectAll();
    if (filter.account !== undefined) select = select.where('account_id', '=', filter.account);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(requirePositive(filter.limit ?? 50, 'limit'))
      .execute();
    return rows.map(toSyncRun);
  }

  /** A run's failures in the order recorded. */
  async failures(runId: number): Promise<StoredSyncRunFailure[]> {
    const rows = await this.#context.db
      .selectFrom('sync_run_failures')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      runId: row.run_id,
      cardId: row.card_id,
      code: row.code,
      message: row.message,
      at: row.at,
    }));
  }
}

function toSyncRun(row: Selectable<SyncRunsTable>): StoredSyncRun {
  return {
    id: row.id,
    account: row.account_id,
    kind: row.kind,
    status: row.status as SyncRunStatus,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    cards: row.cards,
    synced: row.synced,
    failed: row.failed,
    calls: row.calls,
    rowsWritten: row.rows_written,
    failuresByReason: parseJsonObject(row.failures_by_reason) as Record<string, number> | null,
    durationMs: row.duration_ms,
  };
}
