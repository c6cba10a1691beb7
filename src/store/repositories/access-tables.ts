import type { RepositoryContext } from '../store-context.js';

/** The store's Kysely instance. */
export function accessDb(store: RepositoryContext) {
  return store.db;
}

export { subtreePattern } from '../card-scope.js';
