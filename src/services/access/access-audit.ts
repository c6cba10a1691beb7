import type { AuditInput, Store, StoredAuditEntry } from '../../store/index.js';
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
  await store.audit.tagTenant(id, principal.tenantPath);
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
  return store.audit.listInSubtree(principal.isRoot ? null : principal.tenantPath, filter);
}
