import type { RepositoryContext } from '../store-context.js';

/** The store's Kysely instance. */
export function accessDb(store: RepositoryContext) {
  return store.db;
}

/** A LIKE pattern matching every path under `path` (paths hold only `a-z0-9-/`). */
export function subtreePattern(path: string): string {
  return `${path}%`;
}
