import { createRoute, z } from '@hono/zod-openapi';
import { listScopedAudit } from '../../../services/access/access-audit.js';
import { createRouter, principal, serviceContext } from '../../api-env.js';
import {
  ERROR_RESPONSES,
  isoInstant,
  jsonResponse,
  QueryIdSchema,
  queryNumberOr,
} from '../../api-schemas.js';

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['audit'],
  summary: 'The audit log, newest first (the caller’s subtree; everything for the root)',
  request: {
    query: z.strictObject({
      targetType: z.string().min(1).optional(),
      targetId: z.string().min(1).optional(),
      before: QueryIdSchema.optional().openapi({ description: 'Entries older than this id' }),
      limit: queryNumberOr(100, { min: 1, max: 500 }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        entries: z.array(
          z.object({
            id: z.number().int(),
            at: z.string(),
            actor: z.string(),
            action: z.string(),
            targetType: z.string(),
            targetId: z.string(),
            account: z.string().nullable(),
            outcome: z.enum(['succeeded', 'failed', 'skipped']),
            details: z.record(z.string(), z.unknown()).nullable(),
          }),
        ),
        nextBefore: z.number().int().nullable(),
      }),
      'Entries',
    ),
    ...ERROR_RESPONSES,
  },
});

/** `/api/v1/audit`: who did what, when, to what, and how it went. */
export function auditRouter() {
  return createRouter().openapi(list, async (c) => {
    const query = c.req.valid('query');
    const entries = await listScopedAudit(serviceContext(c).store, principal(c), {
      targetType: query.targetType,
      targetId: query.targetId,
      beforeId: query.before,
      limit: query.limit,
    });
    const last = entries.at(-1);
    return c.json(
      {
        entries: entries.map((entry) => ({ ...entry, at: isoInstant(entry.at) as string })),
        nextBefore: entries.length === query.limit && last ? last.id : null,
      },
      200,
    );
  });
}
