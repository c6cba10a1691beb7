import type { Store } from '../../store/index.js';

/** The store's Kysely instance. */
export function accessDb(store: Store) {
  return store.db;
}

/** A LIKE pattern matching every path under `path` (paths hold only `a-z0-9-/`). */
export function subtreePattern(path: string): string {
  return `${path}%`;
}
