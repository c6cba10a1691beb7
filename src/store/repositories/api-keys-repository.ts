import { subtreePattern } from '../card-scope.js';
import type { RepositoryContext } from '../store-context.js';
import { writeTransaction } from '../store-sql.js';
import { API_KEY_REVOCATIONS } from './api-key-limits-repository.js';

/** The columns of a key that may be shown (never the secret's hash). */
const KEY_COLUMNS = [
  'id',
  'name',
  'prefix',
  'role',
  'tenant_id',
  'created_by',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const;

/** An API key row without its secret's hash. */
export interface ApiKeyRow {
  id: number;
  name: string;
  prefix: string;
  role: string;
  tenant_id: string;
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** API keys as stored (a SHA-256 of the secret; hashing and checking are the caller's). */
export class ApiKeyRecordsRepository {
  readonly #store: RepositoryContext;

  constructor(store: RepositoryContext) {
    this.#store = store;
  }

  async insert(key: {
    name: string;
    prefix: string;
    secretHash: string;
    role: string;
    tenantId: string;
    createdBy: string | null;
    createdAt: number;
  }): Promise<ApiKeyRow> {
    return this.#store.db
      .insertInto('api_keys')
      .values({
        name: key.name,
        prefix: key.prefix,
        secret_hash: key.secretHash,
        role: key.role,
        tenant_id: key.tenantId,
        created_by: key.createdBy,
        created_at: key.createdAt,
        last_used_at: null,
        revoked_at: null,
      })
      .returning([...KEY_COLUMNS])
      .executeTakeFirstOrThrow();
  }

  /** Keys whose tenant lies in the subtree at `scopePath`, revoked ones included, by id. */
  async listInSubtree(scopePath: string): Promise<ApiKeyRow[]> {
    return this.#store.db
      .selectFrom('api_keys')
      .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
      .select(KEY_COLUMNS.map((column) => `api_keys.${column}` as const))
      .where('tenants.path', 'like', subtreePattern(scopePath))
      .orderBy('api_keys.id')
      .execute();
  }

  /**
   * Revokes key `id` at `at` and bumps the revocation counter in the same transaction, so every
   * process reading the counter (api-key-limits-repository.ts) learns that a key was revoked.
   */
  async setRevokedAt(id: number, at: number): Promise<void> {
    const { db, dialect } = this.#store;
    await writeTransaction(db, dialect, async (transaction) => {
      await transaction
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .execute();
      await transaction
        .insertInto('access_generations')
        .values({ name: API_KEY_REVOCATIONS, generation: 1 })
        .onConflict((conflict) =>
          conflict.column('name').doUpdateSet((update) => ({
            generation: update('access_generations.generation', '+', 1),
          })),
        )
        .execute();
    });
  }

  async setLastUsedAt(id: number, at: number): Promise<void> {
    await this.#store.db
      .updateTable('api_keys')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .execute();
  }

  /** The key of a prefix with its secret's hash and its tenant's path, or null. */
  async findByPrefix(prefix: string) {
    const row = await this.#store.db
      .selectFrom('api_keys')
      .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
      .select([
        'api_keys.id',
        'api_keys.prefix',
        'api_keys.name',
        'api_keys.role',
        'api_keys.secret_hash',
        'api_keys.tenant_id',
        'api_keys.revoked_at',
        'api_keys.last_used_at',
        'tenants.path',
        'tenants.parent_id',
      ])
      .where('api_keys.prefix', '=', prefix)
      .executeTakeFirst();
    return row ?? null;
  }
}
