import type { Generated } from 'kysely';
import type { Store } from '../../store/index.js';

/** The tables of migration 0006-access, as the access services see them. */
export type AccessTables = {
  tenants: {
    id: string;
    parent_id: string | null;
    name: string;
    kind: string;
    path: string;
    created_at: number;
  };
  users: {
    id: Generated<number>;
    email: string;
    password_hash: string;
    role: string;
    tenant_id: string;
    disabled: number;
    created_at: number;
    last_login_at: number | null;
  };
  sessions: {
    token_hash: string;
    user_id: number;
    csrf_token: string;
    created_at: number;
    expires_at: number;
  };
  api_keys: {
    id: Generated<number>;
    name: string;
    prefix: string;
    secret_hash: string;
    role: string;
    tenant_id: string;
    created_by: string | null;
    created_at: number;
    last_used_at: number | null;
    revoked_at: number | null;
  };
  card_tenants: {
    card_id: number;
    tenant_id: string;
    tenant_path: string;
    assigned_at: number;
  };
  card_tags: { card_id: number; tag: string };
  audit_tenants: { audit_id: number; tenant_path: string };
};

/** The store's Kysely instance, knowing the access tables too. */
export function accessDb(store: Store) {
  return store.db.withTables<AccessTables>();
}

/** A LIKE pattern matching every path under `path` (paths hold only `a-z0-9-/`). */
export function subtreePattern(path: string): string {
  return `${path}%`;
}
