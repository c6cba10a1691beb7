import { SimdockError } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import type { UserRecordsRepository } from '../../store/repositories/users-repository.js';
import { type Principal, parseRole, type Role } from './access-roles.js';
import { hashPassword, randomToken, sha256Hex, verifyPassword } from './access-secrets.js';

/** A console user as shown (never the password hash). */
export interface User {
  id: number;
  email: string;
  role: Role;
  tenantId: string;
  disabled: boolean;
  createdAt: number;
  lastLoginAt: number | null;
}

/** Sessions last 12 hours from login. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

type UserRow = {
  id: number;
  email: string;
  role: string;
  tenant_id: string;
  disabled: number;
  created_at: number;
  last_login_at: number | null;
};

function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    email: row.email,
    role: parseRole(row.role),
    tenantId: row.tenant_id,
    disabled: Number(row.disabled) === 1,
    createdAt: Number(row.created_at),
    lastLoginAt: row.last_login_at === null ? null : Number(row.last_login_at),
  };
}

/** Console users (scrypt password hashes) and their cookie sessions. */
export class UsersRepository {
  readonly #users: UserRecordsRepository;
  readonly #now: () => number;
  readonly #tenants: TenantsRepository;

  constructor(store: Store, now: () => number = Date.now) {
    this.#users = store.users;
    this.#now = now;
    this.#tenants = new TenantsRepository(store, now);
  }

  /** Creates a user; the email is stored lower-case and must be new. */
  async create(input: { email: string; password: string; role: Role; tenantId: string }) {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) {
      throw new SimdockError('invalid_argument', `"${input.email}" is not an email address`, {
        details: { field: 'email', value: input.email },
      });
    }
    if (input.password.length < 8) {
      throw new SimdockError('invalid_argument', 'a password needs at least 8 characters', {
        details: { field: 'password' },
      });
    }
    const role = parseRole(input.role);
    const tenant = await this.#tenants.get(input.tenantId);
    if (!tenant) {
      throw new SimdockError('not_found', `no tenant "${input.tenantId}"`, {
        details: { tenant: input.tenantId },
      });
    }
    if (await this.findByEmail(email)) {
      throw new SimdockError('already_exists', `a user "${email}" already exists`, {
        details: { email },
      });
    }
    const row = await this.#users.insert({
      email,
      passwordHash: await hashPassword(input.password),
      role,
      tenantId: tenant.id,
      createdAt: this.#now(),
    });
    return toUser(row);
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = await this.#users.findByEmail(email.trim().toLowerCase());
    return row ? toUser(row) : null;
  }

  /** Users whose tenant lies in the subtree at `scopePath`. */
  async listInScope(scopePath: string): Promise<User[]> {
    const rows = await this.#users.listInSubtree(scopePath);
    return rows.map(toUser);
  }

  /** Sets a user's password and ends its sessions. */
  async setPassword(email: string, password: string): Promise<User> {
    if (password.length < 8) {
      throw new SimdockError('invalid_argument', 'a password needs at least 8 characters', {
        details: { field: 'password' },
      });
    }
    const user = await this.findByEmail(email);
    if (!user) throw new SimdockError('not_found', `no user "${email}"`, { details: { email } });
    await this.#users.setPasswordHash(user.id, await hashPassword(password));
    return user;
  }

  /**
   * Checks an email and password and opens a session: `{token, csrfToken, user}`. A wrong email
   * and a wrong password fail alike (`unauthenticated`).
   */
  async login(email: string, password: string) {
    const row = await this.#users.findForLogin(email.trim().toLowerCase());
    const valid = row ? await verifyPassword(password, row.password_hash) : false;
    if (!row || !valid || Number(row.disabled) === 1) {
      throw new SimdockError('unauthenticated', 'wrong email or password');
    }
    const now = this.#now();
    const token = randomToken();
    const csrfToken = randomToken();
    await this.#users.openSession({
      tokenHash: sha256Hex(token),
      userId: row.id,
      csrfToken,
      createdAt: now,
      expiresAt: now + SESSION_LIFETIME_MS,
    });
    return { token, csrfToken, user: toUser({ ...row, last_login_at: now }) };
  }

  /** Ends a session (unknown tokens are ignored). */
  async logout(token: string): Promise<void> {
    await this.#users.deleteSession(sha256Hex(token));
  }

  /** The principal of a live session and its CSRF token, or null. */
  async authenticateSession(
    token: string,
  ): Promise<{ principal: Principal; csrfToken: string } | null> {
    const row = await this.#users.findSession(sha256Hex(token));
    if (!row || Number(row.disabled) === 1 || Number(row.expires_at) <= this.#now()) return null;
    return {
      csrfToken: row.csrf_token,
      principal: {
        kind: 'user',
        id: Number(row.id),
        name: row.email,
        role: parseRole(row.role),
        tenantId: row.tenant_id,
        tenantPath: row.path,
        isRoot: row.parent_id === null,
        actor: `user:${row.email}`,
      },
    };
  }
}
