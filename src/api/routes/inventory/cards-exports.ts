import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SimdockError } from '../../../domain/index.js';
import { recordScopedAudit } from '../../../services/access/access-audit.js';
import type { ServiceContext } from '../../../services/context.js';
import {
  EXPORT_CONTENT_TYPES,
  EXPORT_FORMATS,
  type ExportFormat,
} from '../../../services/inventory/card-export.js';
import {
  CARD_EXPORT_TTL_MS,
  cancelCardExport,
  createCardExport,
  enqueueCardExport,
  recoverAbandonedExports,
  removeExpiredExports,
  runCardExport,
  writerStopped,
} from '../../../services/inventory/card-export-jobs.js';
import {
  CARD_EXPORT_STATES,
  type CardExport,
  CardExportsRepository,
} from '../../../store/repositories/card-exports-repository.js';
import { type ApiEnv, createRouter, principal, serviceContext } from '../../api-env.js';
import {
  ERROR_RESPONSES,
  errorContent,
  IdParams,
  isoInstant,
  jsonBody,
  jsonResponse,
  queryNumberOr,
} from '../../api-schemas.js';
import { ListQuery } from './cards.js';

const TTL_DAYS = CARD_EXPORT_TTL_MS / (24 * 60 * 60 * 1000);

const ExportBody = ListQuery.omit({ limit: true, cursor: true })
  .extend({ format: z.enum(EXPORT_FORMATS).default('csv') })
  .openapi('CardExportRequest', {
    description:
      'The card list’s filters, sort and order (the query parameters of `GET /api/v1/cards`, as JSON), and the file format',
  });

const ExportSchema = z
  .object({
    id: z.number().int(),
    format: z.enum(EXPORT_FORMATS),
    state: z.enum(CARD_EXPORT_STATES).openapi({
      description:
        '`pending` (queued), `running`, `succeeded` (the file can be downloaded until `expiresAt`), ' +
        '`failed` (see `error`; also when the process writing it died and no job will run it again), `cancelled` (any partial file removed), `expired` (the file was removed)',
    }),
    filters: z.record(z.string(), z.unknown()).openapi({ description: 'What was asked' }),
    total: z.number().int().nullable().openapi({
      description:
        'Matching cards counted when the export started (`GET /api/v1/cards/count` then); null before',
    }),
    totalExact: z.boolean().openapi({
      description:
        'false while `total` is a lower bound (usage, quota and free-text filters count to a cap)',
    }),
    rows: z
      .number()
      .int()
      .openapi({ description: 'Card rows written so far (header not counted)' }),
    bytes: z.number().int().openapi({ description: 'The file’s size once written' }),
    fileName: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    expiresAt: z.string().nullable().openapi({ description: 'When the file will be removed' }),
    error: z.string().nullable(),
    writerStopped: z.boolean().openapi({
      description:
        'true when it failed because the process writing it died and no job would run it again (`error` says more)',
    }),
    download: z.string().nullable().openapi({ description: 'The file’s URL once `succeeded`' }),
  })
  .openapi('CardExport');

const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['cards'],
  summary: 'Export every card matching the list’s filters to a file, as a job',
  description:
    'Checks the filters, records the export and queues it (or, when no job queue runs, starts it in ' +
    'this process) and answers at once. The job streams every matching card in the caller’s ' +
    'tenant subtree, a thousand at a time, to a CSV (UTF-8 with a byte-order mark) or .xlsx ' +
    'file with the columns of `GET /api/v1/cards/export`; poll `GET /api/v1/cards/exports/{id}` ' +
    'for progress (`rows` of `total`), then download from `GET /api/v1/cards/exports/{id}/file`. ' +
    `Files are kept ${TTL_DAYS} days, then removed (state \`expired\`).`,
  request: { body: jsonBody(ExportBody) },
  responses: {
    202: jsonResponse(ExportSchema, 'Recorded and started; poll it for progress'),
    ...ERROR_RESPONSES,
  },
});

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['cards'],
  summary: 'The caller’s tenant’s card exports, newest first',
  request: {
    query: z.strictObject({ limit: queryNumberOr(50, { min: 1, max: 200 }) }),
  },
  responses: {
    200: jsonResponse(z.object({ exports: z.array(ExportSchema) }), 'Exports'),
    ...ERROR_RESPONSES,
  },
});

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['cards'],
  summary: 'One card export: state and progress',
  request: { params: IdParams },
  responses: { 200: jsonResponse(ExportSchema, 'The export'), ...ERROR_RESPONSES },
});

const cancel = createRoute({
  method: 'post',
  path: '/{id}/cancel',
  tags: ['cards'],
  summary: 'Cancel a pending or running export; its partial file is removed',
  request: { params: IdParams },
  responses: {
    200: jsonResponse(ExportSchema, 'The export, cancelled'),
    409: errorContent('The export had already ended'),
    ...ERROR_RESPONSES,
  },
});

const file = createRoute({
  method: 'get',
  path: '/{id}/file',
  tags: ['cards'],
  summary: 'Download a finished export’s file',
  description:
    'Only callers of the tenant that started the export may download it. `409` while the ' +
    'export is pending or running, and once it failed, was cancelled or expired.',
  request: { params: IdParams },
  responses: {
    200: {
      description: 'The file, as an attachment',
      content: {
        'text/csv': { schema: z.string() },
        [EXPORT_CONTENT_TYPES.xlsx]: { schema: z.string().openapi({ format: 'binary' }) },
      },
    },
    409: errorContent('Not finished, failed, cancelled, or expired'),
    ...ERROR_RESPONSES,
  },
});

/** Exports running in this process (no queue), by id, so a cancel can stop them at once. */
const inlineRuns = new WeakMap<ServiceContext, Map<number, AbortController>>();

function exportView(item: CardExport) {
  return {
    id: item.id,
    format: item.format as ExportFormat,
    state: item.state,
    filters: item.query,
    total: item.total,
    totalExact: item.totalExact,
    rows: item.rowsWritten,
    bytes: item.bytes,
    fileName: item.fileName,
    createdBy: item.createdBy,
    createdAt: isoInstant(item.createdAt) as string,
    startedAt: isoInstant(item.startedAt),
    finishedAt: isoInstant(item.finishedAt),
    expiresAt: isoInstant(item.expiresAt),
    error: item.error,
    writerStopped: writerStopped(item),
    download: item.state === 'succeeded' ? `/api/v1/cards/exports/${item.id}/file` : null,
  };
}

/** The export when the caller's tenant started it; `not_found` otherwise (existence does not leak). */
async function scopedExport(c: Context<ApiEnv>, id: number): Promise<CardExport> {
  const caller = principal(c);
  const found = await new CardExportsRepository(serviceContext(c).store).get(id);
  if (!found || found.tenantId !== caller.tenantId) {
    throw new SimdockError('not_found', `no card export ${id}`, { details: { export: id } });
  }
  return found;
}

/** `/api/v1/cards/exports`: card exports as jobs, and their files. */
export function cardsExportsRouter() {
  return createRouter()
    .openapi(create, async (c) => {
      const caller = principal(c);
      const context = serviceContext(c);
      const { format, ...query } = c.req.valid('json');
      const created = await createCardExport(context, { caller, format, query });
      await recordScopedAudit(context.store, caller, {
        action: 'cards.export',
        targetType: 'export',
        targetId: String(created.id),
        outcome: 'succeeded',
        details: { format, filters: created.query },
      });
      const queue = c.get('deps').queue;
      if (queue) {
        await enqueueCardExport(context, queue, created.id, caller.actor);
      } else {
        const controller = new AbortController();
        const runs = inlineRuns.get(context) ?? new Map<number, AbortController>();
        inlineRuns.set(context, runs);
        runs.set(created.id, controller);
        // No queue: the export runs in this process after the answer; its row records the end.
        void runCardExport(context, created.id, { abortSignal: controller.signal })
          .catch((error: unknown) => {
            context.telemetry.logger.info(
              { export: created.id, err: error instanceof Error ? error.message : String(error) },
              'card export stopped',
            );
          })
          .finally(() => runs.delete(created.id));
      }
      const stored = await new CardExportsRepository(context.store).require(created.id);
      return c.json(exportView(stored), 202);
    })
    .openapi(list, async (c) => {
      const caller = principal(c);
      const context = serviceContext(c);
      await removeExpiredExports(context);
      await recoverAbandonedExports(context);
      const items = await new CardExportsRepository(context.store).list({
        tenantId: caller.tenantId,
        limit: c.req.valid('query').limit,
      });
      return c.json({ exports: items.map(exportView) }, 200);
    })
    .openapi(get, async (c) => {
      await recoverAbandonedExports(serviceContext(c));
      const found = await scopedExport(c, c.req.valid('param').id);
      return c.json(exportView(found), 200);
    })
    .openapi(cancel, async (c) => {
      const caller = principal(c);
      const context = serviceContext(c);
      const found = await scopedExport(c, c.req.valid('param').id);
      const inline = inlineRuns.get(context)?.get(found.id);
      const queue = c.get('deps').queue;
      const cancelled = await cancelCardExport(context, found.id, {
        ...(queue ? { queue } : {}),
        ...(inline ? { inline } : {}),
      });
      await recordScopedAudit(context.store, caller, {
        action: 'cards.export.cancel',
        targetType: 'export',
        targetId: String(found.id),
        outcome: 'succeeded',
        details: {},
      });
      return c.json(exportView(cancelled), 200);
    })
    .openapi(file, async (c) => {
      const context = serviceContext(c);
      await removeExpiredExports(context);
      const found = await scopedExport(c, c.req.valid('param').id);
      const readable = found.state === 'succeeded' && found.filePath !== null;
      const opened = readable ? await openFile(found.filePath as string) : null;
      if (!opened) {
        throw new SimdockError(
          'conflict',
          found.state === 'succeeded'
            ? `the file of export ${found.id} is not on this server (a shared SIMDOCK_EXPORT_DIR is needed across machines)`
            : `export ${found.id} is ${found.state}: no file to download`,
          { details: { export: found.id, state: found.state } },
        );
      }
      return new Response(opened.stream, {
        status: 200,
        headers: {
          'content-type': EXPORT_CONTENT_TYPES[found.format as ExportFormat],
          'content-length': String(opened.size),
          'content-disposition': `attachment; filename="${found.fileName}"`,
        },
      }) as never;
    });
}

/** The file as a web stream with its size, or null when it is not there. */
async function openFile(
  file: string,
): Promise<{ stream: ReadableStream<Uint8Array>; size: number } | null> {
  try {
    const { size } = await stat(file);
    return {
      stream: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      size,
    };
  } catch {
    return null;
  }
}
