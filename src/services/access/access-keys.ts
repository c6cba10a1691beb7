import { randomBytes } from 'node:crypto';
import { SimdockError } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { ApiKeyRecordsRepository } from '../../store/repositories/api-keys-repository.js';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import { type Principal, parseRole, type Role } from './access-roles.js';
import { randomToken, sameSecret, sha256Hex } from './access-secrets.js';

/** An API key as shown: never its secret, which is shown once, on creation. */
export interface ApiKey {
  id: number;
  name: string;
  /** The visible part, `simdock_<prefix>`. */
  prefix: string;
  role: Role;
  tenantId: string;
  createdBy: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/**
 * `simdock_<prefix>_<secret>`: the fixed `simdock_` start lets secret scanners spot a leaked
 * key; the prefix (12 hex) identifies the key, the secret (43 base64url) proves it.
 */
const KEY_PATTERN = /^simdock_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** How often `last_used_at` is rewritten at most, per key (a write per request would be waste). */
const LAST_USED_GRANULARITY_MS = 60_000;

/** How long a key found valid is trusted without asking the database again (real time). */
const AUTHENTICATION_CACHE_MS = 5_000;
/** At most this many keys are remembered per store; the memory is emptied when full. */
const AUTHENTICATION_CACHE_KEYS = 10_000;

/** A valid key as last read from the database. */
interface CachedKey {
  principal: Principal;
  /** SHA-256 of the key's secret, as stored. */
  secretHash: string;
  /** The stored last-used time, as this process last saw or wrote it. */
  lastUsedAt: number | null;
  /** `performance.now()` when it was read. */
  foundAt: number;
}

const authenticationCaches = new WeakMap<Store, Map<string, CachedKey>>();

/**
 * How often (real time) a process reads the database's revocation counter at most: a key
 * revoked by any process or host is refused everywhere within this time (plus one query's).
 */
export const REVOCATION_CHECK_MS = 1_000;

/** The revocation counter as this process last read it from one store. */
interface RevocationWatch {
  generation: number | null;
  /** `performance.now()` when the read in hand was started. */
  checkedAt: number;
  pending: Promise<void> | null;
}

const revocationWatches = new WeakMap<Store, RevocationWatch>();

/**
 * Forgets every remembered key of `store` when a key was revoked since the last look (any
 * process's revocation bumps the counter in the database). Reads the counter at most once every
 * `REVOCATION_CHECK_MS`, one read shared by the requests that arrive meanwhile.
 */
async function noticeRevocations(store: Store): Promise<void> {
  let watch = revocationWatches.get(store);
  if (!watch) {
    watch = { generation: null, checkedAt: Number.NEGATIVE_INFINITY, pending: null };
    revocationWatches.set(store, watch);
  }
  if (watch.pending) return watch.pending;
  if (performance.now() - watch.checkedAt < REVOCATION_CHECK_MS) return;
  const current = watch;
  const startedAt = performance.now();
  current.pending = store.apiKeyLimits
    .revocationGeneration()
    .then((generation) => {
      if (current.generation !== generation) authenticationCache(store).clear();
      current.generation = generation;
      current.checkedAt = startedAt;
    })
    .finally(() => {
      current.pending = null;
    });
  return current.pending;
}

/** The keys recently found valid in `store`, by prefix. */
function authenticationCache(store: Store): Map<string, CachedKey> {
  let cache = authenticationCaches.get(store);
  if (!cache) {
    cache = new Map();
    authenticationCaches.set(store, cache);
  }
  return cache;
}

type KeyRow = {
  id: number;
  name: string;
  prefix: string;
  role: string;
  tenant_id: string;
  created_by: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
};

function toApiKey(row: KeyRow): ApiKey {
  const instant = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: Number(row.id),
    name: row.name,
    prefix: `simdock_${row.prefix}`,
    role: parseRole(row.role),
    tenantId: row.tenant_id,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    lastUsedAt: instant(row.last_used_at),
    revokedAt: instant(row.revoked_at),
  };
}

/** API keys: stored as a SHA-256 of the secret, revocable, with their last-used time. */
export class ApiKeysRepository {
  readonly #store: Store;
  readonly #keys: ApiKeyRecordsRepository;
  readonly #now: () => number;

  constructor(store: Store, now: () => number = Date.now) {
    this.#store = store;
    this.#keys = store.apiKeys;
    this.#now = now;
  }

  /** Creates a key; `key` (the whole secret) is returned this once and never again. */
  async create(input: {
    name: string;
    role: Role;
    tenantId: string;
    createdBy?: string | null;
  }): Promise<{ key: string; apiKey: ApiKey }> {
    const name = input.name.trim();
    if (name === '') {
      throw new SimdockError('invalid_argument', 'an API key needs a name', {
        details: { field: 'name' },
      });
    }
    const role = parseRole(input.role);
    const tenant = await new TenantsRepository(this.#store, this.#now).get(input.tenantId);
    if (!tenant) {
      throw new SimdockError('not_found', `no tenant "${input.tenantId}"`, {
        details: { tenant: input.tenantId },
      });
    }
    const prefix = randomBytes(6).toString('hex');
    const secret = randomToken(32);
    const row = await this.#keys.insert({
      name,
      prefix,
      secretHash: sha256Hex(secret),
      role,
      tenantId: tenant.id,
      createdBy: input.createdBy ?? null,
      createdAt: this.#now(),
    });
    return { key: `simdock_${prefix}_${secret}`, apiKey: toApiKey(row) };
  }

  /** Keys whose tenant lies in the subtree at `scopePath`, revoked ones included. */
  async listInScope(scopePath: string): Promise<ApiKey[]> {
    const rows = await this.#keys.listInSubtree(scopePath);
    return rows.map(toApiKey);
  }

  /** Revokes a key of the subtree at `scopePath`; `not_found` outside it. Idempotent. */
  async revoke(id: number, scopePath: string): Promise<ApiKey> {
    const key = (await this.listInScope(scopePath)).find((item) => item.id === id);
    if (!key) throw new SimdockError('not_found', `no API key ${id}`, { details: { key: id } });
    if (key.revokedAt !== null) return key;
    const now = this.#now();
    await this.#keys.setRevokedAt(id, now);
    authenticationCache(this.#store).clear();
    return { ...key, revokedAt: now };
  }

  /**
   * The principal of a valid, unrevoked key, or null. Records the last-used time. A key found
   * valid is remembered for `AUTHENTICATION_CACHE_MS` (its secret hash, not its secret), so a
   * busy client costs one lookup every few seconds instead of one per request. A revocation in
   * this process is seen at once; one in another process or host within `REVOCATION_CHECK_MS`
   * (the database's revocation counter, read once a second, empties the memory when it moved).
   */
  async authenticate(key: string): Promise<Principal | null> {
    const match = KEY_PATTERN.exec(key.trim());
    if (!match) return null;
    const [, prefix, secret] = match as unknown as [string, string, string];
    const secretHash = sha256Hex(secret);
    await noticeRevocations(this.#store);
    const cache = authenticationCache(this.#store);
    const cached = cache.get(prefix);
    const found =
      cached && performance.now() - cached.foundAt < AUTHENTICATION_CACHE_MS
        ? cached
        : await this.#lookUp(prefix);
    if (!found || !sameSecret(secretHash, found.secretHash)) return null;
    const now = this.#now();
    if (found.lastUsedAt === null || now - found.lastUsedAt >= LAST_USED_GRANULARITY_MS) {
      await this.#keys.setLastUsedAt(found.principal.id, now);
      found.lastUsedAt = now;
    }
    return { ...found.principal };
  }

  /** The unrevoked key of `prefix` from the database, remembered; null when none. */
  async #lookUp(prefix: string): Promise<CachedKey | null> {
    const cache = authenticationCache(this.#store);
    cache.delete(prefix);
    const row = await this.#keys.findByPrefix(prefix);
    if (!row || row.revoked_at !== null) return null;
    const found: CachedKey = {
      principal: {
        kind: 'api_key',
        id: Number(row.id),
        name: row.name,
        role: parseRole(row.role),
        tenantId: row.tenant_id,
        tenantPath: row.path,
        isRoot: row.parent_id === null,
        actor: `key:simdock_${row.prefix}`,
      },
      secretHash: row.secret_hash,
      lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
      foundAt: performance.now(),
    };
    if (cache.size >= AUTHENTICATION_CACHE_KEYS) cache.clear();
    cache.set(prefix, found);
    return found;
  }
}
