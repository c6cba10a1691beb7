import { hasControlCharacters, SimdockError } from '../../domain/index.js';
import { subtreePattern } from '../card-scope.js';
import type { RepositoryContext } from '../store-context.js';

/** The root tenant: the operator running simdock. It always exists. */
export const ROOT_TENANT_ID = 'root';

/** Tenant kinds: the operator (root), its customers, and its agents (resellers). */
export const TENANT_KINDS = ['operator', 'customer', 'agent'] as const;
export type TenantKind = (typeof TENANT_KINDS)[number];

export interface Tenant {
  id: string;
  parentId: string | null;
  name: string;
  kind: TenantKind;
  /** `/root/acme/`: the ids from the root down, each followed by `/`. */
  path: string;
  createdAt: number;
}

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

type TenantRow = {
  id: string;
  parent_id: string | null;
  name: string;
  kind: string;
  path: string;
  created_at: number;
};

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    parentId: row.parent_id,
    name: row.name,
    kind: row.kind as TenantKind,
    path: row.path,
    createdAt: Number(row.created_at),
  };
}

/** Tenants in a hierarchy, each with a materialized path. */
export class TenantsRepository {
  readonly #store: RepositoryContext;
  readonly #now: () => number;

  constructor(store: RepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /** The root tenant, created on first use. */
  async root(): Promise<Tenant> {
    const db = this.#store.db;
    await db
      .insertInto('tenants')
      .values({
        id: ROOT_TENANT_ID,
        parent_id: null,
        name: 'Operator',
        kind: 'operator',
        path: `/${ROOT_TENANT_ID}/`,
        created_at: this.#now(),
      })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
    const row = await db
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', ROOT_TENANT_ID)
      .executeTakeFirstOrThrow();
    return toTenant(row);
  }

  /** The tenant, or null. */
  async get(id: string): Promise<Tenant | null> {
    if (id === ROOT_TENANT_ID) return this.root();
    const row = await this.#store.db
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toTenant(row) : null;
  }

  /** The tenant when it lies in the subtree at `scopePath`; else `not_found`. */
  async requireInScope(id: string, scopePath: string): Promise<Tenant> {
    const tenant = await this.get(id);
    if (!tenant?.path.startsWith(scopePath)) {
      throw new SimdockError('not_found', `no tenant "${id}"`, { details: { tenant: id } });
    }
    return tenant;
  }

  /** Creates a tenant under `parentId`. The id is a slug: lower-case letters, digits, `-`. */
  async create(input: {
    id: string;
    parentId: string;
    name: string;
    kind: Exclude<TenantKind, 'operator'>;
  }): Promise<Tenant> {
    if (!TENANT_ID.test(input.id)) {
      throw new SimdockError(
        'invalid_argument',
        `tenant id "${input.id}" must be 1–63 lower-case letters, digits or "-"`,
        { details: { field: 'id', value: input.id } },
      );
    }
    if (input.name.trim() === '' || input.name.length > 200 || hasControlCharacters(input.name)) {
      throw new SimdockError(
        'invalid_argument',
        'a tenant name is 1–200 characters without control characters',
        { details: { field: 'name' } },
      );
    }
    if (!['customer', 'agent'].includes(input.kind as string)) {
      throw new SimdockError('invalid_argument', `tenant kind must be customer or agent`, {
        details: { field: 'kind', value: input.kind },
      });
    }
    const parent = await this.get(input.parentId);
    if (!parent) {
      throw new SimdockError('not_found', `no tenant "${input.parentId}"`, {
        details: { tenant: input.parentId },
      });
    }
    if (await this.get(input.id)) {
      throw new SimdockError('already_exists', `tenant "${input.id}" already exists`, {
        details: { tenant: input.id },
      });
    }
    const row: TenantRow = {
      id: input.id,
      parent_id: parent.id,
      name: input.name,
      kind: input.kind,
      path: `${parent.path}${input.id}/`,
      created_at: this.#now(),
    };
    await this.#store.db.insertInto('tenants').values(row).execute();
    return toTenant(row);
  }

  /** Whether a card is assigned to a tenant within the subtree of `scopePath`. */
  async cardInSubtree(cardId: number, scopePath: string): Promise<boolean> {
    const row = await this.#store.db
      .selectFrom('card_tenants')
      .select('card_id')
      .where('card_id', '=', cardId)
      .where('tenant_path', 'like', subtreePattern(scopePath))
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Every tenant in the subtree at `scopePath` (itself included), by path. */
  async listSubtree(scopePath: string): Promise<Tenant[]> {
    await this.root();
    const rows = await this.#store.db
      .selectFrom('tenants')
      .selectAll()
      .where('path', 'like', subtreePattern(scopePath))
      .orderBy('path')
      .execute();
    return rows.map(toTenant);
  }
}
