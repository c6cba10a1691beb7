import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { SimdockError } from '../../../domain/index.js';
import { planBulkSelection } from '../../../services/bulk/bulk-jobs.js';
import { type ApiEnv, principal, scopedCards, serviceContext } from '../../api-env.js';

/**
 * Which cards an assignment (划卡) names: card ids, identifiers (ICCIDs, MSISDNs, IMSIs: a pasted
 * list) or a card filter (`status=active AND account=cmcc`), exactly one of them.
 */
export const AssignSelection = {
  cards: z
    .array(z.number().int().positive())
    .min(1)
    .max(10_000)
    .optional()
    .openapi({ description: 'Card ids' }),
  identifiers: z
    .array(z.string().min(1).max(64))
    .min(1)
    .max(10_000)
    .optional()
    .openapi({ description: 'ICCIDs, MSISDNs or IMSIs; those matching no card are reported' }),
  filter: z.string().min(1).max(2000).optional().openapi({
    description: 'A card filter, as bulk jobs take it: `status=active AND account=cmcc`',
  }),
};

export const AssignAnswer = z.object({
  assigned: z.number().int().openapi({ description: 'Cards named that are now the tenant’s' }),
  changed: z.number().int().openapi({
    description:
      'Of those, cards that changed hands (the rest were the tenant’s already); audited when above 0',
  }),
  problems: z
    .array(z.object({ identifier: z.string(), reason: z.string() }))
    .optional()
    .openapi({ description: 'Identifiers that matched no card (identifiers only)' }),
});

type Selection = {
  cards?: number[] | undefined;
  identifiers?: string[] | undefined;
  filter?: string | undefined;
};

/**
 * Assigns the selected cards to `tenant`, or takes them back to the caller's own tenant when
 * null. Identifiers and filters resolve among the caller's cards only: others read as unknown.
 */
export async function assignSelection(
  c: Context<ApiEnv>,
  body: Selection,
  tenant: string | null,
): Promise<z.output<typeof AssignAnswer>> {
  const given = [body.cards, body.identifiers, body.filter].filter((value) => value !== undefined);
  if (given.length !== 1) {
    throw new SimdockError('invalid_argument', 'give exactly one of cards, identifiers or filter');
  }
  const cards = scopedCards(c, 'admin');
  if (body.cards) return cards.assign(body.cards, tenant);
  const caller = principal(c, 'admin');
  const context = serviceContext(c);
  const planned = await planBulkSelection(
    context,
    body.identifiers ? { identifiers: body.identifiers } : { filter: body.filter! },
  );
  const found = planned.cards.map((card) => card.cardId);
  const visible = caller.isRoot
    ? new Set(found)
    : await context.store.cardScope.visibleIds(caller, found);
  const ids = found.filter((id) => visible.has(id));
  const problems = planned.problems.map((p) => ({ identifier: p.value, reason: p.reason }));
  if (found.length > ids.length && body.identifiers) {
    // Cards outside the caller's subtree read as unknown: their existence does not leak.
    problems.push({
      identifier: '(others)',
      reason: `${found.length - ids.length} matched no card`,
    });
  }
  if (ids.length === 0) {
    throw new SimdockError('not_found', 'the selection matches no card', {
      details: { problems: problems.length },
    });
  }
  const { changed } = await cards.assign(ids, tenant);
  return { assigned: ids.length, changed, ...(body.identifiers ? { problems } : {}) };
}
