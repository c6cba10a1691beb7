import { type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * Whose cards a query may see: a tenant's subtree (`tenantPath`, e.g. `/root/acme/`), and for
 * the root tenant also the cards assigned to no tenant. An API caller or an agent app has one.
 */
export interface CardScope {
  readonly tenantPath: string;
  readonly isRoot: boolean;
}

/** A LIKE pattern matching every path under `path` (paths hold only `a-z0-9-/`). */
export function subtreePattern(path: string): string {
  return `${path}%`;
}

/**
 * Tenant scope for tables that name a card (cards, SMS, alerts, job items, device slots): a row
 * is the scope's when its card is assigned inside the scope's subtree; the root also sees rows
 * of unassigned cards and rows naming no card. The condition that the card in `column` is
 * visible (always true for the root).
 */
export function cardVisible(scope: CardScope, column: string): RawBuilder<SqlBool> {
  if (scope.isRoot) return sql<SqlBool>`1 = 1`;
  return sql<SqlBool>`exists (select 1 from card_tenants ct where ct.card_id = ${sql.ref(column)}
    and ct.tenant_path like ${subtreePattern(scope.tenantPath)})`;
}
