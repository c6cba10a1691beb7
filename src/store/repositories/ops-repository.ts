import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { STORE_MIGRATIONS } from '../migrations/index.js';
import type { StoreContext } from '../store-context.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from '../store-migrator.js';

/** What `/readyz` reports of the database. */
export interface StoreReadiness {
  /** The database answered a query. */
  reachable: boolean;
  /** Migrations simdock ships that this database has not run. */
  pendingMigrations: string[];
  /** Why the database is not ready, when it is not. */
  error?: string;
}

/** Live jobs of the job queue by state (`pending`, `running`). */
export interface QueueDepth {
  state: string;
  name: string;
  count: number;
}

/** How fresh one account's cards are for one need, as the metrics report it. */
export interface NeedStaleness {
  account: string;
  need: 'status' | 'usage.monthly';
  /** Cards whose figure can still change (deactivated cards, and suspended cards' usage, aside). */
  cards: number;
  /** Of those, cards never read or read longer ago than the target. */
  stale: number;
  /** Age in ms of the oldest read among the cards read at least once. */
  maxAgeMs: number;
}

/** The newest finished sync run per account and kind. */
export interface LatestSyncRun {
  account: string;
  kind: string;
  status: string;
  finishedAt: number;
}

/** What operators' probes and metrics read: readiness, queue depth, sync freshness. */
export class OpsRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /** Whether the database answers and has every migration simdock ships. */
  async readiness(): Promise<StoreReadiness> {
    const { db, dialect } = this.#context;
    try {
      await sql`select 1`.execute(db);
    } catch (error) {
      return { reachable: false, pendingMigrations: [], error: messageOf(error) };
    }
    try {
      const schema =
        dialect === 'postgres'
          ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]
              ?.schema
          : undefined;
      const migrator = new Migrator({
        db,
        provider: {
          getMigrations: async () =>
            Object.fromEntries(
              STORE_MIGRATIONS.map((migration) => [migration.name, { up: async () => {} }]),
            ),
        },
        migrationTableName: MIGRATION_TABLE,
        migrationLockTableName: MIGRATION_LOCK_TABLE,
        ...(schema ? { migrationTableSchema: schema } : {}),
      });
      const migrations = await migrator.getMigrations();
      return {
        reachable: true,
        pendingMigrations: migrations
          .filter((migration) => migration.executedAt === undefined)
          .map((migration) => migration.name),
      };
    } catch (error) {
      return { reachable: true, pendingMigrations: [], error: messageOf(error) };
    }
  }

  /** Pending and running jobs by state and name. */
  async queueDepth(): Promise<QueueDepth[]> {
    const rows = await this.#context.db
      .selectFrom('jobs')
      .select(['state', 'name', (eb) => eb.fn.countAll<number | string>().as('count')])
      .where('state', 'in', ['pending', 'running'])
      .groupBy(['state', 'name'])
      .execute();
    return rows.map((row) => ({ state: row.state, name: row.name, count: Number(row.count) }));
  }

  /** The newest finished run per account and kind (for freshness figures). */
  async latestSyncRuns(): Promise<LatestSyncRun[]> {
    const rows = await this.#context.db
      .selectFrom('sync_runs as run')
      .innerJoin(
        (eb) =>
          eb
            .selectFrom('sync_runs')
            .select(['account_id', 'kind', (inner) => inner.fn.max('id').as('id')])
            .where('finished_at', 'is not', null)
            .groupBy(['account_id', 'kind'])
            .as('newest'),
        (join) => join.onRef('newest.id', '=', 'run.id'),
      )
      .select(['run.account_id', 'run.kind', 'run.status', 'run.finished_at'])
      .execute();
    return rows.map((row) => ({
      account: row.account_id,
      kind: row.kind,
      status: row.status,
      finishedAt: Number(row.finished_at),
    }));
  }

  /**
   * Per account and need, the cards outside their freshness target (`accountTargets` for the
   * accounts that set their own, else `targets`, in ms) and the
   * oldest read, from `cards.status_checked_at` / `usage_checked_at` (migration 0013); a status
   * read older than the account's change feed position counts from that position (the feed
   * named every card that changed since). Needs an account never read are left out: its
   * supplier may not offer them.
   */
  async staleness(
    now: number,
    targets: { status: number; 'usage.monthly': number },
    accountTargets: ReadonlyMap<string, { status: number; 'usage.monthly': number }> = new Map(),
  ): Promise<NeedStaleness[]> {
    // Each account's cut-off (its own target, else `targets`), as bound parameters.
    const cutoff = (need: 'status' | 'usage.monthly') =>
      accountTargets.size === 0
        ? sql<number>`${now - targets[need]}`
        : sql<number>`case ${sql.join(
            [...accountTargets].map(
              ([account, own]) =>
                sql`when c.account_id = ${account} then cast(${now - own[need]} as bigint)`,
            ),
            sql` `,
          )} else cast(${now - targets[need]} as bigint) end`;
    const statusAt = sql<
      number | null
    >`case when c.status_checked_at is not null and f.read_from > c.status_checked_at then f.read_from else c.status_checked_at end`;
    const rows = await this.#context.db
      .selectFrom('cards as c')
      .leftJoin('sync_change_feeds as f', 'f.account_id', 'c.account_id')
      .select([
        'c.account_id as account',
        sql<number>`sum(case when c.status <> 'deactivated' then 1 else 0 end)`.as('status_cards'),
        sql<number>`sum(case when c.status <> 'deactivated' and (${statusAt} is null or ${statusAt} < ${cutoff('status')}) then 1 else 0 end)`.as(
          'status_stale',
        ),
        sql<number | null>`min(case when c.status <> 'deactivated' then ${statusAt} end)`.as(
          'status_oldest',
        ),
        sql<number>`sum(case when c.status not in ('deactivated', 'suspended') then 1 else 0 end)`.as(
          'usage_cards',
        ),
        sql<number>`sum(case when c.status not in ('deactivated', 'suspended') and (c.usage_checked_at is null or c.usage_checked_at < ${cutoff('usage.monthly')}) then 1 else 0 end)`.as(
          'usage_stale',
        ),
        sql<
          number | null
        >`min(case when c.status not in ('deactivated', 'suspended') then c.usage_checked_at end)`.as(
          'usage_oldest',
        ),
      ])
      .groupBy('c.account_id')
      .execute();
    const result: NeedStaleness[] = [];
    for (const row of rows) {
      if (row.status_oldest !== null) {
        result.push({
          account: row.account,
          need: 'status',
          cards: Number(row.status_cards),
          stale: Number(row.status_stale),
          maxAgeMs: Math.max(0, now - Number(row.status_oldest)),
        });
      }
      if (row.usage_oldest !== null) {
        result.push({
          account: row.account,
          need: 'usage.monthly',
          cards: Number(row.usage_cards),
          stale: Number(row.usage_stale),
          maxAgeMs: Math.max(0, now - Number(row.usage_oldest)),
        });
      }
    }
    return result;
  }

  /** The newest successful (or partial) run's end per account: when its cards were last fresh. */
  async lastSuccessfulSync(): Promise<{ account: string; finishedAt: number }[]> {
    const rows = await this.#context.db
      .selectFrom('sync_runs')
      .select(['account_id', (eb) => eb.fn.max('finished_at').as('finished_at')])
      .where('status', 'in', ['succeeded', 'partial'])
      .groupBy('account_id')
      .execute();
    return rows.map((row) => ({ account: row.account_id, finishedAt: Number(row.finished_at) }));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
