import type { AuditInput, AuditOutcome, Store, StoredAuditEntry } from '../../store/index.js';
import { accessDb, subtreePattern } from '../../store/repositories/access-tables.js';
import { parseJsonObject } from '../../store/store-sql.js';
import type { Principal } from './access-roles.js';

/**
 * Records an audit entry made by `principal`, tagged with the caller's tenant so that the
 * tenant's own admins (and those above) see it.
 */
export async function recordScopedAudit(
  store: Store,
  principal: Principal,
  entry: Omit<AuditInput, 'actor'>,
): Promise<number> {
  const id = await store.audit.record({ ...entry, actor: principal.actor });
  await accessDb(store)
    .insertInto('audit_tenants')
    .values({ audit_id: id, tenant_path: principal.tenantPath })
    .execute();
  return id;
}

/**
 * Audit entries the caller may read, newest first: the root sees every entry (the CLI's and the
 * scheduler's too); another tenant sees the entries made within its subtree.
 */
export async function listScopedAudit(
  store: Store,
  principal: Principal,
  filter: { targetType?: string; targetId?: string; beforeId?: number; limit: number },
): Promise<StoredAuditEntry[]> {
  let select = accessDb(store)
    .selectFrom('audit_log')
    .leftJoin('audit_tenants', 'audit_tenants.audit_id', 'audit_log.id')
    .selectAll('audit_log');
  if (!principal.isRoot) {
    select = select.where(
      'audit_tenants.tenant_path',
      'like',
      subtreePattern(principal.tenantPath),
    );
  }
  if (filter.targetType !== undefined) {
    select = select.where('audit_log.target_type', '=', filter.targetType);
  }
  if (filter.targetId !== undefined) {
    select = select.where('audit_log.target_id', '=', filter.targetId);
  }
  if (filter.beforeId !== undefined) select = select.where('audit_log.id', '<', filter.beforeId);
  const rows = await select.orderBy('audit_log.id', 'desc').limit(filter.limit).execute();
  return rows.map((row) => ({
    id: Number(row.id),
    at: Number(row.at),
    actor: row.actor,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    account: row.account_id,
    outcome: row.outcome as AuditOutcome,
    details: parseJsonObject(row.details),
  }));
}
