import { type RawBuilder, sql } from 'kysely';
import { COPIED } from './migrations/0031-usage-order.js';
import type { RepositoryContext } from './store-context.js';
import { writeTransaction } from './store-sql.js';

/**
 * The card list's usage order (migration 0031): `usage_order` holds a copy of each cycle row's
 * `bytes` and `used_permille` (and tenant path, plan and quota) with the indexes the usage sort,
 * the usage and quota filters and the near-quota list read; the writers of cycle rows only append
 * what they wrote to `usage_order_pending`. Folding copies each pending key's latest values.
 */

/** SQLite: pending rows folded per transaction (it holds the one write lock meanwhile). */
const SQLITE_BATCH = 100_000;

/**
 * Folds every pending row into `usage_order` and answers how many it took: each key's latest
 * values are copied (a key written by several passes of a sync is copied once), and the copy of a
 * key whose latest write deleted its row or left it without bytes is removed. The pending rows go
 * in the transaction that copies them, and folds take turns (SQLite: its one writer; PostgreSQL:
 * an advisory lock), so a key is always either pending or current. PostgreSQL folds in one
 * statement (one snapshot: a write committed meanwhile stays pending; writes of one cycle row
 * are numbered in their commit order, the row being locked from write to commit); SQLite in
 * batches of `SQLITE_BATCH` rows by rowid, oldest first. `wait: false` (PostgreSQL): when
 * another fold holds the turn, return 0 at once instead of waiting for it.
 */
export async function foldUsageOrder(
  context: RepositoryContext,
  options: { wait?: boolean } = {},
): Promise<number> {
  const { db, dialect } = context;
  const columns = sql.join(COPIED.split(', ').map((column) => sql.ref(column)));
  const distinct = dialect === 'postgres' ? sql`is distinct from` : sql`is not`;
  const changed = sql.join(
    (['tenant_path', 'plan_id', 'quota_bytes', 'bytes', 'used_permille'] as const).map(
      (column) =>
        sql`${sql.ref(`usage_order.${column}`)} ${distinct} ${sql.ref(`excluded.${column}`)}`,
    ),
    sql` or `,
  );
  // Each key's latest values (`latest`: one row per key) into the order; keys without bytes out.
  const copy = (latest: RawBuilder<unknown>) => sql`insert into usage_order (${columns})
    select ${columns} from ${latest} where bytes is not null
    order by card_id, cycle
    on conflict (card_id, cycle) do update
      set tenant_path = excluded.tenant_path, plan_id = excluded.plan_id,
        quota_bytes = excluded.quota_bytes, bytes = excluded.bytes,
        used_permille = excluded.used_permille
      where ${changed}`;
  if (dialect === 'postgres') {
    const taken = await writeTransaction(db, dialect, async (transaction) => {
      const lock = sql`hashtext(current_schema() || ':usage-order')`;
      if (options.wait === false) {
        const tryLock = sql<{ got: boolean }>`select pg_try_advisory_xact_lock(${lock}) as got`;
        if (!(await tryLock.execute(transaction)).rows[0]?.got) return 0;
      } else {
        await sql`select pg_advisory_xact_lock(${lock})`.execute(transaction);
      }
      const result = await sql<{ taken: number }>`with taken as (
          delete from usage_order_pending returning id, ${columns}),
        latest as (select distinct on (card_id, cycle) ${columns}
          from taken order by card_id, cycle, id desc),
        copied as (${copy(sql.table('latest'))} returning 1),
        gone as (select card_id, cycle from latest where bytes is null),
        removed as (delete from usage_order o using gone g
          where o.card_id = g.card_id and o.cycle = g.cycle returning 1)
        select (select count(*) from taken) as taken`.execute(transaction);
      return Number(result.rows[0]?.taken ?? 0);
    });
    if (taken >= VACUUM_AFTER_ROWS) await vacuumPending(context);
    return taken;
  }
  let taken = 0;
  for (;;) {
    const batch = await writeTransaction(db, dialect, async (transaction) => {
      const last = await sql<{ last: number | null }>`select coalesce(
          (select rowid from usage_order_pending order by rowid limit 1 offset ${SQLITE_BATCH - 1}),
          (select max(rowid) from usage_order_pending)) as last`.execute(transaction);
      const upTo = last.rows[0]?.last;
      if (upTo === null || upTo === undefined) return 0;
      // A key's latest row: the one with its largest rowid (SQLite's bare columns of max()).
      const latest = sql`(select ${columns}, max(rowid)
        from usage_order_pending where rowid <= ${upTo} group by card_id, cycle)`;
      await copy(latest).execute(transaction);
      await sql`delete from usage_order where (card_id, cycle) in (
          select card_id, cycle from ${latest} where bytes is null)`.execute(transaction);
      const removed = await sql`delete from usage_order_pending where rowid <= ${upTo}`.execute(
        transaction,
      );
      return Number(removed.numAffectedRows ?? 0);
    });
    if (batch === 0) return taken;
    taken += batch;
  }
}

/** PostgreSQL: pending rows taken by a fold after which the table is vacuumed at once. */
const VACUUM_AFTER_ROWS = 10_000;

/**
 * PostgreSQL: vacuums `usage_order_pending` (outside a transaction, as VACUUM must be). The rows
 * a fold deletes stay in the table's pages until a vacuum, and a reader's check for pending rows
 * (`currentUsageOrder`) scans past every one of them: with 1,000,000 of them there, the
 * 1,000,000-card dashboard (two such checks) took 21 ms at p50 instead of 9 ms until autovacuum
 * came by. Also after `simdock stats rebuild`, which empties the table.
 */
export async function vacuumPending(context: RepositoryContext): Promise<void> {
  if (context.dialect === 'postgres') await sql`vacuum usage_order_pending`.execute(context.db);
}

/**
 * Folds the pending keys, if there are any: what a reader of `usage_order` does first. On
 * PostgreSQL a reader that finds a fold already under way (at the end of a large sync's run: 11 s
 * for 1,000,000 written cycle rows, measured on the 2-core machine of docs/performance.md) does
 * not queue behind it: it reads the order as the last fold left it, which that fold brings up to
 * date as it commits.
 */
export async function currentUsageOrder(context: RepositoryContext): Promise<void> {
  const pending = await context.db
    .selectFrom('usage_order_pending')
    .select(sql<number>`1`.as('one'))
    .limit(1)
    .executeTakeFirst();
  if (pending) await foldUsageOrder(context, { wait: false });
}
