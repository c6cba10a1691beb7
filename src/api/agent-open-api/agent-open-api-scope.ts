import { type SqlBool, sql } from 'kysely';
import type { CardStatus } from '../../domain/index.js';
import type { ServiceContext } from '../../services/context.js';
import type { StoredCard } from '../../store/index.js';
import { accessDb, subtreePattern } from '../../store/repositories/access-tables.js';
import { AGENT_SIM_STATUS } from '../../suppliers/agent/index.js';

/** The calling app's tenant: the subtree of cards it may see. */
export interface AgentScope {
  appId: string;
  tenantId: string;
  tenantPath: string;
  /** The root tenant also sees cards assigned to no tenant. */
  isRoot: boolean;
}

/** The wire `simStatus` of a domain status (the reverse of the client's reading). */
export const SIM_STATUS_OF: Record<CardStatus, number | null> = {
  inventory: AGENT_SIM_STATUS.inventory,
  test: AGENT_SIM_STATUS.test,
  active: AGENT_SIM_STATUS.active,
  suspended: AGENT_SIM_STATUS.stopped,
  pre_deactivated: AGENT_SIM_STATUS.preCancelled,
  deactivated: AGENT_SIM_STATUS.cancelled,
  unknown: null,
};

/**
 * The scope's cards named by ICCID (upper-cased) or by number (`simNo` = MSISDN), keyed by the
 * value asked for. A card outside the scope is absent, exactly like a card that does not exist.
 */
export async function findScopedCards(
  context: ServiceContext,
  scope: AgentScope,
  field: 'iccid' | 'msisdn',
  values: readonly string[],
): Promise<Map<string, StoredCard>> {
  const found = new Map<string, StoredCard>();
  const wanted = [
    ...new Set(values.map((value) => (field === 'iccid' ? value.toUpperCase() : value))),
  ];
  if (wanted.length === 0) return found;
  const visible = scope.isRoot
    ? sql<SqlBool>`1 = 1`
    : sql<SqlBool>`exists (select 1 from card_tenants ct where ct.card_id = cards.id
        and ct.tenant_path like ${subtreePattern(scope.tenantPath)})`;
  const rows = await accessDb(context.store)
    .selectFrom('cards')
    .select('id')
    .where(field, 'in', wanted)
    .where(visible)
    .orderBy('id')
    .execute();
  for (const row of rows) {
    const card = await context.store.cards.get(Number(row.id));
    const key = card?.[field];
    if (card && key && !found.has(key)) found.set(key, card);
  }
  return found;
}

/** How many cards the scope holds. */
export async function countScopedCards(context: ServiceContext, scope: AgentScope) {
  if (scope.isRoot) return context.store.cards.count();
  const row = await accessDb(context.store)
    .selectFrom('card_tenants')
    .select(sql<number>`count(*)`.as('count'))
    .where('tenant_path', 'like', subtreePattern(scope.tenantPath))
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
