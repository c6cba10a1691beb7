import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import { BIGINT, type StoreMigration } from './migration-helpers.js';

/**
 * The card list's order by a cycle's usage and by quota use, moved off the writes that keep the
 * cycle rows (issue 18's "less than 10 % of a sync").
 *
 * Migration 0015 indexed `card_cycle_usage` itself by `(cycle, bytes, card_id)` and
 * `(cycle, used_permille, card_id)`. A sync writes each card's cycle row once per flush and
 * cycle, and each write moved an entry of both indexes to a random place: a flush of 2,000 cards
 * dirtied up to 4,000 index pages, which its commit wrote to the WAL (SQLite), and every update
 * added entries to every index of the table (PostgreSQL). That was a large part of what the kept
 * figures cost a sync at zero latency (docs/performance.md).
 *
 * Now:
 * - `usage_order`: a copy of each cycle row's `bytes` and `used_permille` and of what the readers
 *   filter on (tenant path, plan, quota), rows with bytes only, carrying the two indexes: read by
 *   the card list's usage sort, its usage and quota filters and the dashboard's near-quota list;
 * - `usage_order_pending`: each write of a cycle row since its copy was made, with the values it
 *   wrote (none: the row was deleted), appended by triggers on `card_cycle_usage` in the writer's
 *   transaction (an append, no index);
 * - a fold (`foldUsageOrder` in the store) copies each pending key's latest values, many
 *   thousand keys at once and sorted, so that each index page is written once per fold rather
 *   than once per flush. Readers of the order fold first, so they never see a stale order; the
 *   sync folds when its run ends, and the write paths every so many rows.
 *
 * The old indexes are dropped; the copy is filled from the cycle rows.
 */
export const usageOrderSchema: StoreMigration = {
  name: '0031-usage-order',
  async up(db, dialect) {
    await db.schema
      .createTable('usage_order')
      .addColumn('card_id', BIGINT, (column) => column.notNull())
      .addColumn('cycle', 'text', (column) => column.notNull())
      .addColumn('tenant_path', 'text', (column) => column.notNull())
      .addColumn('plan_id', BIGINT)
      .addColumn('quota_bytes', BIGINT)
      .addColumn('bytes', BIGINT, (column) => column.notNull())
      .addColumn('used_permille', BIGINT)
      .addPrimaryKeyConstraint('usage_order_pk', ['card_id', 'cycle'])
      // SQLite: the rows kept in their key's b-tree, not in a rowid table plus a key index.
      .$call((table) => (dialect === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table))
      .execute();
    // PostgreSQL numbers the pending rows (SQLite has its rowid): a key's last row is its latest.
    await db.schema
      .createTable('usage_order_pending')
      .$call((table) =>
        dialect === 'postgres'
          ? table.addColumn('id', BIGINT, (column) => column.generatedAlwaysAsIdentity())
          : table,
      )
      .addColumn('card_id', BIGINT, (column) => column.notNull())
      .addColumn('cycle', 'text', (column) => column.notNull())
      .addColumn('tenant_path', 'text')
      .addColumn('plan_id', BIGINT)
      .addColumn('quota_bytes', BIGINT)
      .addColumn('bytes', BIGINT)
      .addColumn('used_permille', BIGINT)
      .execute();
    await fillUsageOrder(db);
    await db.schema.dropIndex('card_cycle_usage_bytes').execute();
    await db.schema.dropIndex('card_cycle_usage_quota').execute();
    await createUsageOrderTriggers(db, dialect);
  },
};

/**
 * Creates `usage_order`'s two indexes and fills it from the cycle rows (an empty table and no
 * pending keys first): the migration, and `simdock stats rebuild` after it refilled the cycle
 * rows (indexes built after the rows, which is several times faster than row by row).
 */
export async function fillUsageOrder(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
): Promise<void> {
  await db.schema.dropIndex('usage_order_bytes').ifExists().execute();
  await db.schema.dropIndex('usage_order_quota').ifExists().execute();
  await sql`DELETE FROM usage_order`.execute(db);
  await sql`DELETE FROM usage_order_pending`.execute(db);
  await sql`INSERT INTO usage_order (${sql.raw(COPIED)})
    SELECT ${sql.raw(COPIED)} FROM card_cycle_usage
    WHERE bytes IS NOT NULL ORDER BY card_id, cycle`.execute(db);
  await db.schema
    .createIndex('usage_order_bytes')
    .on('usage_order')
    .columns(['cycle', 'bytes', 'card_id'])
    .execute();
  await db.schema
    .createIndex('usage_order_quota')
    .on('usage_order')
    .columns(['cycle', 'used_permille', 'card_id'])
    .execute();
}

/** The columns of a cycle row that `usage_order` copies (and a pending row notes). */
export const COPIED = 'card_id, cycle, tenant_path, plan_id, quota_bytes, bytes, used_permille';

/** A pending row's values: the written row's, only the key for a deleted one. */
function copied(row: string): string {
  return row === 'o' || row === 'OLD'
    ? `${row}.card_id, ${row}.cycle, NULL, NULL, NULL, NULL, NULL`
    : COPIED.split(', ')
        .map((column) => `${row}.${column}`)
        .join(', ');
}

/** The columns of a cycle row whose change changes its copy (`bytes`, `used_permille` derive). */
const WATCHED = 'tenant_path, plan_id, quota_bytes, daily_bytes, daily_days, monthly_bytes';

/**
 * The triggers that note each written cycle row in `usage_order_pending`: row triggers on
 * SQLite (they run whether the store or the triggers keep the figures), statement triggers with
 * transition tables on PostgreSQL. Also for a bench that dropped the figures' triggers.
 */
export async function createUsageOrderTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
): Promise<void> {
  await dropUsageOrderTriggers(db, dialect);
  for (const event of ['insert', 'update', 'delete'] as const) {
    const name = `usage_order_${event}`;
    const rows = event === 'delete' ? 'o' : 'n';
    if (dialect === 'postgres') {
      await sql
        .raw(
          `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
INSERT INTO usage_order_pending (${COPIED}) SELECT ${copied(rows)} FROM ${rows};
RETURN NULL;
END
$body$`,
        )
        .execute(db);
      await sql
        .raw(
          `CREATE TRIGGER ${name} AFTER ${event.toUpperCase()} ON card_cycle_usage
            REFERENCING ${event === 'delete' ? 'OLD' : 'NEW'} TABLE AS ${rows}
            FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`,
        )
        .execute(db);
    } else {
      const of = event === 'update' ? ` OF ${WATCHED}` : '';
      const row = event === 'delete' ? 'OLD' : 'NEW';
      await sql
        .raw(
          `CREATE TRIGGER ${name} AFTER ${event.toUpperCase()}${of} ON card_cycle_usage FOR EACH ROW
          BEGIN INSERT INTO usage_order_pending (${COPIED}) VALUES (${copied(row)}); END`,
        )
        .execute(db);
    }
  }
}

/** Drops the triggers of `createUsageOrderTriggers` (a bench measuring writes without figures). */
export async function dropUsageOrderTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
): Promise<void> {
  for (const event of ['insert', 'update', 'delete']) {
    const name = `usage_order_${event}`;
    if (dialect === 'postgres') {
      await sql.raw(`DROP TRIGGER IF EXISTS ${name} ON card_cycle_usage`).execute(db);
      await sql.raw(`DROP FUNCTION IF EXISTS ${name}()`).execute(db);
    } else {
      await sql.raw(`DROP TRIGGER IF EXISTS ${name}`).execute(db);
    }
  }
}
