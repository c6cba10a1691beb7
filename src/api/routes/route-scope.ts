import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Principal } from '../../services/access/access-roles.js';
import type { Store } from '../../store/index.js';
import { accessDb, subtreePattern } from '../../store/repositories/access-tables.js';

/**
 * Tenant scope for tables that name a card (SMS, alerts, job items, device slots): a row is the
 * caller's when its card is assigned inside the caller's subtree; the root also sees rows of
 * unassigned cards and rows naming no card.
 */

/** The condition that the card in `column` is visible to the caller (always true for the root). */
export function cardVisible(caller: Principal, column: string): RawBuilder<SqlBool> {
  if (caller.isRoot) return sql<SqlBool>`1 = 1`;
  return sql<SqlBool>`exists (select 1 from card_tenants ct where ct.card_id = ${sql.ref(column)}
    and ct.tenant_path like ${subtreePattern(caller.tenantPath)})`;
}

/** The ids among `ids` of cards the caller may see. */
export async function visibleCardIds(
  store: Store,
  caller: Principal,
  ids: readonly number[],
): Promise<Set<number>> {
  const unique = [...new Set(ids)];
  if (caller.isRoot) return new Set(unique);
  const visible = new Set<number>();
  for (let start = 0; start < unique.length; start += 500) {
    const rows = await accessDb(store)
      .selectFrom('card_tenants')
      .select('card_id')
      .where('card_id', 'in', unique.slice(start, start + 500))
      .where('tenant_path', 'like', subtreePattern(caller.tenantPath))
      .execute();
    for (const row of rows) visible.add(Number(row.card_id));
  }
  return visible;
}
