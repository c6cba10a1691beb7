import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorMessage, SimdockError } from '../../domain/index.js';
import {
  type CardExport,
  CardExportsRepository,
} from '../../store/repositories/card-exports-repository.js';
import { type ScopedCardQuery, ScopedCards, type ScopedCardView } from '../access/access-cards.js';
import type { Principal } from '../access/access-roles.js';
import type { ServiceContext } from '../context.js';
import type { JobHandler, JobQueue } from '../job-queue.js';
import { cardsCsv, cardsXlsx, type ExportFormat, matchingCards } from './card-export.js';

/** The job-queue task exports run under: payload `{exportId}`. */
export const CARD_EXPORT_JOB_NAME = 'card-export';

/** How long a finished export's file is kept: 7 days, then it is removed (state `expired`). */
export const CARD_EXPORT_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * How long an export's writer answers for it without renewing its lease (`lease_until`). The
 * writer renews it every `CARD_EXPORT_RENEW_MS` and at every page; past it, the writer is taken
 * for dead (see `recoverAbandonedExports`).
 */
export const CARD_EXPORT_LEASE_MS = 60_000;
const CARD_EXPORT_RENEW_MS = 10_000;

/** The filters, sort and order an export reads with (the card list's, without paging). */
export type CardExportQuery = Omit<ScopedCardQuery, 'limit' | 'cursor'>;

/** What writing an export reports as it goes. */
export interface ExportWriteProgress {
  rows: number;
  /** Matching cards counted at the start; null while unknown. */
  total: number | null;
  /** false when `total` is a lower bound (usage, quota or free-text filters count to a cap). */
  exact: boolean;
}

/**
 * The folder export files are written to: `SIMDOCK_EXPORT_DIR`, else `exports/` in the store's
 * data directory (beside the SQLite file; `./data` on PostgreSQL). Processes on several
 * machines must share it (a network volume) for any API process to serve any worker's file.
 */
export function cardExportDirectory(context: ServiceContext): string {
  const configured = process.env.SIMDOCK_EXPORT_DIR;
  return configured ? path.resolve(configured) : path.join(context.store.dataDirectory, 'exports');
}

/** The download's file name: `simdock-cards-<CST-ish UTC date>-<id>.<format>`. */
function fileNameOf(now: number, format: ExportFormat): string {
  return `simdock-cards-${new Date(now).toISOString().slice(0, 10)}.${format}`;
}

/** The stored principal as a scope (the fields `ScopedCards` reads). */
function principalOf(stored: Record<string, unknown>): Principal {
  return stored as unknown as Principal;
}

/** The parts of the caller an export keeps: who and which subtree (no secrets). */
function storedPrincipal(caller: Principal): Record<string, unknown> {
  const { kind, id, name, role, tenantId, tenantPath, isRoot, actor } = caller;
  return { kind, id, name, role, tenantId, tenantPath, isRoot, actor };
}

/**
 * Writes every card `cards` sees matching `query` to `file` as CSV or .xlsx, streaming a page
 * of a thousand cards at a time (memory holds one page whatever the total). `onPage` runs after
 * each page is handed to the writer and may throw to stop (the caller removes the file).
 */
export async function writeCardsFile(
  cards: ScopedCards,
  query: CardExportQuery,
  format: ExportFormat,
  file: string,
  options: {
    abortSignal?: AbortSignal;
    onPage?: (progress: ExportWriteProgress) => Promise<void> | void;
  } = {},
): Promise<{ rows: number; bytes: number; total: number; exact: boolean }> {
  const counted = await cards.count(query);
  const progress: ExportWriteProgress = { rows: 0, total: counted.total, exact: counted.exact };
  await options.onPage?.({ ...progress });
  async function* pages(): AsyncGenerator<ScopedCardView[]> {
    for await (const page of matchingCards(cards, query)) {
      options.abortSignal?.throwIfAborted();
      yield page;
      progress.rows += page.length;
      await options.onPage?.({ ...progress });
    }
    options.abortSignal?.throwIfAborted();
  }
  const stream = format === 'xlsx' ? cardsXlsx(pages()) : cardsCsv(pages());
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.byteLength;
      callback(null, chunk);
    },
  });
  await mkdir(path.dirname(file), { recursive: true });
  await pipeline(
    Readable.fromWeb(stream as import('node:stream/web').ReadableStream<Uint8Array>),
    counter,
    createWriteStream(file),
    ...(options.abortSignal ? [{ signal: options.abortSignal }] : []),
  );
  return { rows: progress.rows, bytes, total: counted.total, exact: counted.exact };
}

/** What starting an export takes. */
export interface CreateCardExportInput {
  caller: Principal;
  format: ExportFormat;
  query: CardExportQuery;
}

/**
 * Records an export (state `pending`) after checking its filters: a bad filter is an
 * `invalid_argument` here, not a failed job later. Expired files are cleared on the way.
 */
export async function createCardExport(
  context: ServiceContext,
  input: CreateCardExportInput,
): Promise<CardExport> {
  const cards = new ScopedCards(context, input.caller);
  await cards.count(input.query);
  await removeExpiredExports(context);
  await recoverAbandonedExports(context);
  const query = Object.fromEntries(
    Object.entries(input.query).filter(([, value]) => value !== undefined),
  );
  return repositoryOf(context).create({
    format: input.format,
    query,
    principal: storedPrincipal(input.caller),
    tenantId: input.caller.tenantId,
    createdBy: input.caller.actor,
    fileName: fileNameOf(context.clock.now(), input.format),
    // The creator queues or starts it at once; should it die first, the export is failed.
    leaseUntil: context.clock.now() + CARD_EXPORT_LEASE_MS,
  });
}

function repositoryOf(context: ServiceContext): CardExportsRepository {
  return new CardExportsRepository(context.store, () => context.clock.now());
}

/** Thrown between pages when the export's row says it was cancelled (by any process). */
class ExportCancelled extends SimdockError {
  constructor(id: number) {
    super('cancelled', `card export ${id} was cancelled`);
  }
}

/** How an export run ended. */
export interface CardExportRunResult {
  export: number;
  state: CardExport['state'];
  rows: number;
  bytes: number;
}

/**
 * Runs an export: counts the matching cards, writes them to a file in the export directory,
 * records progress after every page (rows written of the count), and settles the export as
 * `succeeded` (the file kept for `CARD_EXPORT_TTL_MS`), `cancelled` or `failed`, removing any
 * partial file. A cancel is seen through `abortSignal` and through the export's own row, so a
 * cancel recorded by another process stops the writer within a page.
 *
 * `retryable`: a failure leaves the export `pending` for another attempt instead of `failed`.
 */
export async function runCardExport(
  context: ServiceContext,
  exportId: number,
  options: {
    abortSignal?: AbortSignal;
    onProgress?: (progress: ExportWriteProgress) => void;
    retryable?: boolean;
  } = {},
): Promise<CardExportRunResult> {
  const repository = repositoryOf(context);
  const found = await repository.require(exportId);
  const settled = (state: CardExport['state']): CardExportRunResult => ({
    export: exportId,
    state,
    rows: found.rowsWritten,
    bytes: found.bytes,
  });
  if (found.state !== 'pending' && found.state !== 'running') return settled(found.state);
  const directory = cardExportDirectory(context);
  const file = path.join(
    directory,
    `card-export-${exportId}-${randomBytes(8).toString('hex')}.${found.format}`,
  );
  const started = await repository.updateIf(exportId, ['pending', 'running'], {
    state: 'running',
    startedAt: context.clock.now(),
    leaseUntil: context.clock.now() + CARD_EXPORT_LEASE_MS,
    rowsWritten: 0,
    bytes: 0,
    error: null,
    filePath: file,
  });
  if (!started) return settled((await repository.require(exportId)).state);
  // A file an earlier, interrupted attempt left behind.
  if (found.filePath && found.filePath !== file) await rm(found.filePath, { force: true });
  const cards = new ScopedCards(context, principalOf(found.principal));
  // The lease: renewed while this process writes, so a dead writer is noticed by its lease.
  let renewing: Promise<unknown> = Promise.resolve();
  const renewer = setInterval(() => {
    renewing = renewing
      .then(() =>
        repository.updateIf(exportId, ['running'], {
          leaseUntil: context.clock.now() + CARD_EXPORT_LEASE_MS,
        }),
      )
      .catch(() => {});
  }, CARD_EXPORT_RENEW_MS);
  renewer.unref?.();
  try {
    const written = await writeCardsFile(
      cards,
      found.query as CardExportQuery,
      found.format as ExportFormat,
      file,
      {
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        onPage: async (progress) => {
          const still = await repository.updateIf(exportId, ['running'], {
            leaseUntil: context.clock.now() + CARD_EXPORT_LEASE_MS,
            rowsWritten: progress.rows,
            ...(progress.total !== null ? { total: progress.total } : {}),
            totalExact: progress.exact,
          });
          if (!still) throw new ExportCancelled(exportId);
          options.onProgress?.(progress);
        },
      },
    );
    const bytes = (await stat(file)).size;
    const now = context.clock.now();
    const done = await repository.updateIf(exportId, ['running'], {
      state: 'succeeded',
      rowsWritten: written.rows,
      total: written.exact ? written.total : written.rows,
      totalExact: true,
      bytes,
      finishedAt: now,
      expiresAt: now + CARD_EXPORT_TTL_MS,
    });
    if (!done) {
      await rm(file, { force: true });
      return settled('cancelled');
    }
    return { export: exportId, state: 'succeeded', rows: written.rows, bytes };
  } catch (error) {
    await rm(file, { force: true });
    const now = context.clock.now();
    const reason: unknown = options.abortSignal?.aborted ? options.abortSignal.reason : null;
    const cancelled =
      error instanceof ExportCancelled ||
      reason instanceof ExportCancelled ||
      (await repository.get(exportId))?.state === 'cancelled' ||
      // The queue's cancel (a worker stopping is not one: the job is taken up again).
      (SimdockError.isInstance(reason) &&
        reason.code === 'cancelled' &&
        /was cancelled/.test(reason.message));
    if (cancelled) {
      await repository.updateIf(exportId, ['pending', 'running', 'cancelled'], {
        state: 'cancelled',
        filePath: null,
        finishedAt: now,
      });
      throw error;
    }
    await repository.updateIf(exportId, ['running'], {
      state: options.retryable ? 'pending' : 'failed',
      filePath: null,
      error: errorMessage(error) || 'the export failed',
      ...(options.retryable ? {} : { finishedAt: now }),
    });
    throw error;
  } finally {
    clearInterval(renewer);
    await renewing;
  }
}

/**
 * Cancels an export: a pending one never runs; a running one stops at its next page (its
 * writer sees the state, in whichever process it runs) and its partial file is removed. A
 * finished export is a `conflict`.
 */
export async function cancelCardExport(
  context: ServiceContext,
  exportId: number,
  options: { queue?: JobQueue; inline?: AbortController } = {},
): Promise<CardExport> {
  const repository = repositoryOf(context);
  const found = await repository.require(exportId);
  const changed = await repository.updateIf(exportId, ['pending', 'running'], {
    state: 'cancelled',
    finishedAt: context.clock.now(),
  });
  if (!changed) {
    throw new SimdockError('conflict', `export ${exportId} is already ${found.state}`, {
      details: { export: exportId, state: found.state },
    });
  }
  options.inline?.abort(new ExportCancelled(exportId));
  if (found.queueJobId && options.queue) await options.queue.cancel(found.queueJobId);
  return repository.require(exportId);
}

/**
 * Removes the files of exports past their expiry and marks them `expired`; returns how many.
 * Run when exports are created or listed, and by the export job, so no scheduler is needed.
 */
export async function removeExpiredExports(context: ServiceContext): Promise<number> {
  const repository = repositoryOf(context);
  let removed = 0;
  for (const item of await repository.expired(context.clock.now())) {
    if (item.filePath) await rm(item.filePath, { force: true });
    if (await repository.updateIf(item.id, ['succeeded'], { state: 'expired', filePath: null })) {
      removed += 1;
    }
  }
  return removed;
}

/** What the error of an export failed because its writer died says (see `writerStopped`). */
const STOPPED = 'writing this export stopped before it finished';
const WRITER_STOPPED = new RegExp(`^the (process|worker) ${STOPPED}`);

/** Whether an export failed because the process writing it died (`recoverAbandonedExports`). */
export function writerStopped(item: CardExport): boolean {
  return item.state === 'failed' && item.error !== null && WRITER_STOPPED.test(item.error);
}

/**
 * Settles exports whose writer died: still `pending` or `running` past their lease (the process
 * writing them was killed, or the API process running one in-process stopped). One run by a
 * queue job that will run again (pending or running in the queue) is left to it: the queue
 * takes a dead worker's job back when its own lease runs out, and the export starts over. Any
 * other is marked `failed` with the reason and its partial file removed. Returns how many were
 * failed. Run with `removeExpiredExports`: when exports are created, listed or read, and by
 * the export job.
 */
export async function recoverAbandonedExports(context: ServiceContext): Promise<number> {
  const repository = repositoryOf(context);
  const now = context.clock.now();
  let failed = 0;
  for (const item of await repository.leaseExpired(now, CARD_EXPORT_LEASE_MS)) {
    let reason = `the process ${STOPPED}`;
    const jobId = item.queueJobId === null ? null : Number(item.queueJobId);
    if (jobId !== null && Number.isSafeInteger(jobId)) {
      const job = await context.store.queueJobs.row(jobId);
      // The queue runs it again (or is running it): its own lease guards the worker.
      if (job && (job.state === 'pending' || job.state === 'running')) continue;
      reason = job
        ? `its job ${jobId} ended ${job.state}${job.last_error ? `: ${job.last_error}` : ''}`
        : `its job ${jobId} is gone`;
      reason = `the worker ${STOPPED} (${reason})`;
    }
    const settled = await repository.settleLeaseExpired(item, {
      state: 'failed',
      error: reason,
      filePath: null,
      finishedAt: now,
      leaseUntil: null,
    });
    if (!settled) continue;
    if (item.filePath) await rm(item.filePath, { force: true });
    context.telemetry.logger.warn(
      { export: item.id, rows: item.rowsWritten, reason },
      'card export abandoned by its writer: failed',
    );
    failed += 1;
  }
  return failed;
}

/**
 * Hands an export to the queue (task `card-export`, keyed by the export so it is queued once)
 * and records the queue job on it.
 */
export async function enqueueCardExport(
  context: ServiceContext,
  queue: JobQueue,
  exportId: number,
  actor: string,
): Promise<void> {
  const queued = await queue.enqueue({
    name: CARD_EXPORT_JOB_NAME,
    payload: { exportId },
    key: `card-export:${exportId}`,
    maxAttempts: 3,
    createdBy: actor,
  });
  await repositoryOf(context).update(exportId, { queueJobId: queued.id });
}

/** The job-queue handler running exports (`{exportId}` payloads), for src/jobs/handlers.ts. */
export function cardExportJobHandler(context: ServiceContext): JobHandler<{ exportId: number }> {
  return async (payload, job) => {
    await removeExpiredExports(context);
    await recoverAbandonedExports(context);
    const result = await runCardExport(context, Number(payload.exportId), {
      abortSignal: job.abortSignal,
      retryable: job.job.attempts < job.job.maxAttempts,
      onProgress: (progress) => {
        void job
          .progress({
            done: progress.rows,
            total: Math.max(progress.total ?? 0, progress.rows),
            message: `${progress.rows} rows written`,
          })
          .catch(() => {});
      },
    });
    if (result.state === 'cancelled') job.abortSignal.throwIfAborted();
    return result;
  };
}
