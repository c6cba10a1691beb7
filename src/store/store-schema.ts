/**
 * The database schema as Kysely sees it: `Database` composed of the tables in `tables/`, one file
 * per area. Migrations in `migrations/` create exactly this.
 */
export type * from './tables/index.js';
