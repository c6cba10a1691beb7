import type { Selectable } from 'kysely';
import { SimdockError } from '../../domain/index.js';
import type { RepositoryContext } from '../store-context.js';
import type { Database } from '../store-schema.js';

/**
 * An export's life: `pending` until a worker takes it, `running` while rows are written,
 * then `succeeded` (the file is there until `expiresAt`), `failed`, `cancelled` (the partial
 * file removed), or `expired` (the file was removed after `expiresAt`).
 */
export const CARD_EXPORT_STATES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'expired',
] as const;
export type CardExportState = (typeof CARD_EXPORT_STATES)[number];

export interface CardExport {
  id: number;
  format: string;
  /** The card list's filters, sort and order. */
  query: Record<string, unknown>;
  /** Who asked, as stored (the scope the export reads through). */
  principal: Record<string, unknown>;
  tenantId: string;
  createdBy: string;
  state: CardExportState;
  total: number | null;
  totalExact: boolean;
  rowsWritten: number;
  bytes: number;
  fileName: string;
  filePath: string | null;
  queueJobId: string | null;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  expiresAt: number | null;
  /** While pending or running: when its writer's lease runs out unless renewed. */
  leaseUntil: number | null;
}

type Row = Selectable<Database['card_exports']>;

function toExport(row: Row): CardExport {
  const instant = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: Number(row.id),
    format: row.format,
    query: JSON.parse(row.query) as Record<string, unknown>,
    principal: JSON.parse(row.principal) as Record<string, unknown>,
    tenantId: row.tenant_id,
    createdBy: row.created_by,
    state: row.state as CardExportState,
    total: instant(row.total),
    totalExact: Number(row.total_exact) === 1,
    rowsWritten: Number(row.rows_written),
    bytes: Number(row.bytes),
    fileName: row.file_name,
    filePath: row.file_path,
    queueJobId: row.queue_job_id,
    error: row.error,
    createdAt: Number(row.created_at),
    startedAt: instant(row.started_at),
    finishedAt: instant(row.finished_at),
    expiresAt: instant(row.expires_at),
    leaseUntil: instant(row.lease_until),
  };
}

/** What may change on an export after it is created. */
export type CardExportChanges = Partial<
  Pick<
    CardExport,
    | 'state'
    | 'total'
    | 'totalExact'
    | 'rowsWritten'
    | 'bytes'
    | 'filePath'
    | 'queueJobId'
    | 'error'
    | 'startedAt'
    | 'finishedAt'
    | 'expiresAt'
    | 'leaseUntil'
  >
>;

/** Card exports (`card_exports`), on either dialect. */
export class CardExportsRepository {
  readonly #store: RepositoryContext;
  readonly #now: () => number;

  constructor(store: RepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  async create(input: {
    format: string;
    query: Record<string, unknown>;
    principal: Record<string, unknown>;
    tenantId: string;
    createdBy: string;
    fileName: string;
    /** Until when the creator answers for it (it is queued or started by then). */
    leaseUntil?: number;
  }): Promise<CardExport> {
    const row = await this.#store.db
      .insertInto('card_exports')
      .values({
        format: input.format,
        query: JSON.stringify(input.query),
        principal: JSON.stringify(input.principal),
        tenant_id: input.tenantId,
        created_by: input.createdBy,
        state: 'pending',
        total: null,
        total_exact: 1,
        rows_written: 0,
        bytes: 0,
        file_name: input.fileName,
        file_path: null,
        queue_job_id: null,
        error: null,
        created_at: this.#now(),
        started_at: null,
        finished_at: null,
        expires_at: null,
        lease_until: input.leaseUntil ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toExport(row);
  }

  async get(id: number): Promise<CardExport | null> {
    if (!Number.isSafeInteger(id)) return null;
    const row = await this.#store.db
      .selectFrom('card_exports')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toExport(row) : null;
  }

  /** The export, or `not_found`. */
  async require(id: number): Promise<CardExport> {
    const found = await this.get(id);
    if (!found) {
      throw new SimdockError('not_found', `no card export ${id}`, { details: { export: id } });
    }
    return found;
  }

  /** One tenant's exports, newest first. */
  async list(filter: { tenantId: string; limit?: number }): Promise<CardExport[]> {
    const rows = await this.#store.db
      .selectFrom('card_exports')
      .selectAll()
      .where('tenant_id', '=', filter.tenantId)
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50)
      .execute();
    return rows.map(toExport);
  }

  async update(id: number, changes: CardExportChanges): Promise<void> {
    await this.#updateWhere(id, changes, null);
  }

  /**
   * Applies `changes` only while the export is in one of `states`; true when it was. A
   * cancel racing the worker's last write settles the export once.
   */
  async updateIf(
    id: number,
    states: readonly CardExportState[],
    changes: CardExportChanges,
  ): Promise<boolean> {
    return this.#updateWhere(id, changes, states);
  }

  async #updateWhere(
    id: number,
    changes: CardExportChanges,
    states: readonly CardExportState[] | null,
  ): Promise<boolean> {
    const values: Partial<Row> = {};
    if (changes.state !== undefined) values.state = changes.state;
    if (changes.total !== undefined) values.total = changes.total;
    if (changes.totalExact !== undefined) values.total_exact = changes.totalExact ? 1 : 0;
    if (changes.rowsWritten !== undefined) values.rows_written = changes.rowsWritten;
    if (changes.bytes !== undefined) values.bytes = changes.bytes;
    if (changes.filePath !== undefined) values.file_path = changes.filePath;
    if (changes.queueJobId !== undefined) values.queue_job_id = changes.queueJobId;
    if (changes.error !== undefined) values.error = changes.error;
    if (changes.startedAt !== undefined) values.started_at = changes.startedAt;
    if (changes.finishedAt !== undefined) values.finished_at = changes.finishedAt;
    if (changes.expiresAt !== undefined) values.expires_at = changes.expiresAt;
    if (changes.leaseUntil !== undefined) values.lease_until = changes.leaseUntil;
    let update = this.#store.db.updateTable('card_exports').set(values).where('id', '=', id);
    if (states !== null) update = update.where('state', 'in', [...states]);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Finished exports whose file expired by `now` (oldest first, at most `limit`). */
  async expired(now: number, limit = 100): Promise<CardExport[]> {
    const rows = await this.#store.db
      .selectFrom('card_exports')
      .selectAll()
      .where('state', '=', 'succeeded')
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
    return rows.map(toExport);
  }

  /**
   * Pending or running exports whose writer's lease ran out by `now` (oldest first, at most
   * `limit`). Rows from before leases were kept count from when they started, or were created,
   * plus `legacyLeaseMs`.
   */
  async leaseExpired(now: number, legacyLeaseMs: number, limit = 100): Promise<CardExport[]> {
    const rows = await this.#store.db
      .selectFrom('card_exports')
      .selectAll()
      .where('state', 'in', ['pending', 'running'])
      .where((eb) =>
        eb.or([
          eb('lease_until', '<', now),
          eb.and([
            eb('lease_until', 'is', null),
            eb(eb.fn.coalesce('started_at', 'created_at'), '<', now - legacyLeaseMs),
          ]),
        ]),
      )
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toExport);
  }

  /**
   * Settles an export whose lease ran out (see `leaseExpired`) with `changes`, only while it is
   * still in `state` with the lease it was found with: a writer that renewed meanwhile keeps it.
   */
  async settleLeaseExpired(found: CardExport, changes: CardExportChanges): Promise<boolean> {
    const values: CardExportChanges = { ...changes };
    let update = this.#store.db
      .updateTable('card_exports')
      .set({
        ...(values.state !== undefined ? { state: values.state } : {}),
        ...(values.error !== undefined ? { error: values.error } : {}),
        ...(values.filePath !== undefined ? { file_path: values.filePath } : {}),
        ...(values.finishedAt !== undefined ? { finished_at: values.finishedAt } : {}),
        ...(values.leaseUntil !== undefined ? { lease_until: values.leaseUntil } : {}),
      })
      .where('id', '=', found.id)
      .where('state', '=', found.state);
    update =
      found.leaseUntil === null
        ? update.where('lease_until', 'is', null)
        : update.where('lease_until', '=', found.leaseUntil);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
