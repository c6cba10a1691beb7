import { type Kysely, sql } from 'kysely';
// Kysely 0.29 moved the migrator to its own entry point.
import { type Migration, Migrator } from 'kysely/migration';
import { SimdockError } from '../domain/errors.js';
import { STORE_MIGRATIONS, type StoreMigration } from './migrations/index.js';
import type { Dialect } from './store-dialect.js';

/** The tables Kysely's Migrator keeps its bookkeeping in. */
export const MIGRATION_TABLE = 'simdock_migration';
export const MIGRATION_LOCK_TABLE = 'simdock_migration_lock';

/**
 * Brings the schema up to date: runs, in order and under the Migrator's lock (so several
 * processes starting at once are safe), every migration not yet applied.
 * Returns the names of the migrations it ran.
 */
export async function migrateToLatest(
  // biome-ignore lint/suspicious/noExplicitAny: migrations see an untyped schema.
  db: Kysely<any>,
  dialect: Dialect,
  migrations: readonly StoreMigration[] = STORE_MIGRATIONS,
): Promise<string[]> {
  checkOrder(migrations);
  // On PostgreSQL the Migrator finds its table in any schema unless told which one: pin it to the
  // schema this connection writes to (the first of search_path), so stores side by side in one
  // database (one per schema) keep separate bookkeeping.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]
          ?.schema
      : undefined;
  if (dialect === 'postgres' && !schema) {
    throw new SimdockError('config_error', 'PostgreSQL has no current schema (check search_path)');
  }
  const migrator = new Migrator({
    db,
    provider: {
      getMigrations: async () =>
        Object.fromEntries(
          migrations.map((migration): [string, Migration] => [
            migration.name,
            { up: (target) => migration.up(target, dialect) },
          ]),
        ),
    },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  let outcome = await migrator.migrateToLatest();
  // The Migrator looks for its table by listing every table of the database; another store in
  // the same database dropping its schema at that moment (parallel tests, a tenant removed)
  // fails the listing with "schema … does not exist", or a relation or column of that schema
  // gone mid-listing. That is not ours: look again.
  for (let retry = 0; retry < 5 && isConcurrentDrop(outcome, schema); retry += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50 * (retry + 1)));
    outcome = await migrator.migrateToLatest();
  }
  const { error, results } = outcome;
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new SimdockError(
      'internal',
      `store migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return (results ?? []).map((result) => result.migrationName);
}

/**
 * Whether the Migrator failed while listing the database's tables, before running anything,
 * because something else in the database was dropped meanwhile: a schema other than ours, or a
 * relation or column gone (PostgreSQL 42P01 / 42703) or a catalog entry vanished (XX000 "cache
 * lookup failed").
 */
function isConcurrentDrop(
  outcome: { error?: unknown; results?: readonly { status: string }[] },
  ownSchema: string | undefined,
): boolean {
  const { error } = outcome;
  if (!(error instanceof Error)) return false;
  if ((outcome.results ?? []).some((result) => result.status !== 'NotExecuted')) return false;
  const schemaGone = /schema "([^"]+)" does not exist/.exec(error.message);
  if (schemaGone) return schemaGone[1] !== ownSchema;
  const code = (error as { code?: unknown }).code;
  return (
    code === '42P01' ||
    code === '42703' ||
    (code === 'XX000' && /cache lookup failed/.test(error.message))
  );
}

function checkOrder(migrations: readonly StoreMigration[]): void {
  for (let index = 1; index < migrations.length; index += 1) {
    const previous = migrations[index - 1]!.name;
    const current = migrations[index]!.name;
    if (current <= previous) {
      throw new SimdockError(
        'internal',
        `store migrations out of order: "${current}" must sort after "${previous}"`,
      );
    }
  }
}
