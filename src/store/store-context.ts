import type { Kysely } from 'kysely';
import type { Clock } from '../domain/clock.js';
import type { SecretBox } from './secret-box.js';
import type { Dialect } from './store-dialect.js';
import type { Database } from './store-schema.js';

/** What every repository of one store shares. */
export interface StoreContext {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly clock: Clock;
  readonly secretBox: SecretBox;
}

/**
 * What a repository needs of its store. A `Store` fits (services construct repositories with
 * their own clock), and so does the `StoreContext` the store builds its repositories with.
 */
export interface RepositoryContext {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  readonly secretBox: SecretBox;
}
