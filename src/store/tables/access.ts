import type { Generated } from 'kysely';

/** A tenant in the hierarchy (migration 0006). */
export interface TenantsTable {
  id: string;
  parent_id: string | null;
  name: string;
  kind: string;
  /** `/root/acme/agent-1/`: the tenant's subtree is every path starting with its own. */
  path: string;
  created_at: number;
}

/** A console user (migration 0006). */
export interface UsersTable {
  id: Generated<number>;
  email: string;
  password_hash: string;
  role: string;
  tenant_id: string;
  disabled: Generated<number>;
  created_at: number;
  last_login_at: number | null;
}

/** A console session, keyed by the SHA-256 of its cookie's token (migration 0006). */
export interface SessionsTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface ApiKeysTable {
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
}

/** The tenant a card is assigned to (划卡) (migration 0006). */
export interface CardTenantsTable {
  card_id: number;
  tenant_id: string;
  tenant_path: string;
  assigned_at: number;
}

export interface CardTagsTable {
  card_id: number;
  tag: string;
}

/** The tenant each audit entry belongs to (migration 0006). */
export interface AuditTenantsTable {
  audit_id: number;
  tenant_path: string;
}

export type PartialDB = {
  tenants: TenantsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  card_tenants: CardTenantsTable;
  card_tags: CardTagsTable;
  audit_tenants: AuditTenantsTable;
};
