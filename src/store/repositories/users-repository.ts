import { subtreePattern } from '../card-scope.js';
import type { RepositoryContext } from '../store-context.js';

/** The columns of a user that may be shown (never the password hash). */
const USER_COLUMNS = [
  'id',
  'email',
  'role',
  'tenant_id',
  'disabled',
  'created_at',
  'last_login_at',
] as const;

/** A user row without its password hash. */
export interface UserRow {
  id: number;
  email: string;
  role: string;
  tenant_id: string;
  disabled: number;
  created_at: number;
  last_login_at: number | null;
}

/** Console users and their cookie sessions, as stored (hashing is the caller's business). */
export class UserRecordsRepository {
  readonly #store: RepositoryContext;

  constructor(store: RepositoryContext) {
    this.#store = store;
  }

  async insert(user: {
    email: string;
    passwordHash: string;
    role: string;
    tenantId: string;
    createdAt: number;
  }): Promise<UserRow> {
    return this.#store.db
      .insertInto('users')
      .values({
        email: user.email,
        password_hash: user.passwordHash,
        role: user.role,
        tenant_id: user.tenantId,
        disabled: 0,
        created_at: user.createdAt,
        last_login_at: null,
      })
      .returning([...USER_COLUMNS])
      .executeTakeFirstOrThrow();
  }

  async findByEmail(email: string): Promise<UserRow | null> {
    const row = await this.#store.db
      .selectFrom('users')
      .select([...USER_COLUMNS])
      .where('email', '=', email)
      .executeTakeFirst();
    return row ?? null;
  }

  /** The user with its password hash, for checking a login. */
  async findForLogin(email: string): Promise<(UserRow & { password_hash: string }) | null> {
    const row = await this.#store.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Users whose tenant lies in the subtree at `scopePath`, by id. */
  async listInSubtree(scopePath: string): Promise<UserRow[]> {
    return this.#store.db
      .selectFrom('users')
      .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
      .select(USER_COLUMNS.map((column) => `users.${column}` as const))
      .where('tenants.path', 'like', subtreePattern(scopePath))
      .orderBy('users.id')
      .execute();
  }

  /** Replaces a user's password hash and ends its sessions. */
  async setPasswordHash(userId: number, passwordHash: string): Promise<void> {
    const db = this.#store.db;
    await db
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', userId)
      .execute();
    await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  /** Opens a session and records the login time. */
  async openSession(session: {
    tokenHash: string;
    userId: number;
    csrfToken: string;
    createdAt: number;
    expiresAt: number;
  }): Promise<void> {
    const db = this.#store.db;
    await db
      .insertInto('sessions')
      .values({
        token_hash: session.tokenHash,
        user_id: session.userId,
        csrf_token: session.csrfToken,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
      })
      .execute();
    await db
      .updateTable('users')
      .set({ last_login_at: session.createdAt })
      .where('id', '=', session.userId)
      .execute();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.#store.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  /** The session of a token hash with its user and the user's tenant, or null. */
  async findSession(tokenHash: string) {
    const row = await this.#store.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
      .select([
        'users.id',
        'users.email',
        'users.role',
        'users.disabled',
        'users.tenant_id',
        'tenants.path',
        'tenants.parent_id',
        'sessions.csrf_token',
        'sessions.expires_at',
      ])
      .where('sessions.token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row ?? null;
  }
}
