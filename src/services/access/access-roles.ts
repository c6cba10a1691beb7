import { SimdockError } from '../../domain/index.js';

/**
 * The roles, weakest first: a viewer reads; an operator also acts on cards (tags, lifecycle,
 * SMS); an admin also manages users, API keys, tenants, supplier accounts and webhooks in its
 * subtree; an owner may do everything.
 */
export const ROLES = ['viewer', 'operator', 'admin', 'owner'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Whether `role` is at least `required`. */
export function hasRole(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** Who is calling: a console user (through a session) or an API key. */
export interface Principal {
  kind: 'user' | 'api_key';
  /** The user's id or the key's id. */
  id: number;
  /** The user's email or the key's name. */
  name: string;
  role: Role;
  tenantId: string;
  /** The tenant's materialized path (`/root/acme/`): the caller sees this subtree. */
  tenantPath: string;
  /** Whether the caller's tenant is the root (the operator): it also sees unassigned cards. */
  isRoot: boolean;
  /** How the caller appears in the audit log: `user:<email>` or `key:<prefix>`. */
  actor: string;
}

/** Throws `permission_denied` unless the principal has at least `required`. */
export function requireRole(principal: Principal, required: Role): void {
  if (!hasRole(principal.role, required)) {
    throw new SimdockError(
      'permission_denied',
      `this needs the ${required} role; the caller is ${principal.role}`,
      { details: { required, role: principal.role } },
    );
  }
}

/** Throws `permission_denied` when `role` would give more than the principal holds. */
export function requireGrantable(principal: Principal, role: Role): void {
  if (!hasRole(principal.role, role)) {
    throw new SimdockError(
      'permission_denied',
      `a ${principal.role} cannot grant the ${role} role`,
      { details: { role, callerRole: principal.role } },
    );
  }
}

/** Throws `invalid_argument` unless `value` is a role. */
export function parseRole(value: string): Role {
  if (!isRole(value)) {
    throw new SimdockError('invalid_argument', `unknown role "${value}" (${ROLES.join(', ')})`, {
      details: { field: 'role', value },
    });
  }
  return value;
}
