import type { Selectable } from 'kysely';
import type { RepositoryContext } from '../store-context.js';
import { chunks } from '../store-sql.js';
import type { SyncPlansTable } from '../tables/sync.js';

/** What a planned run fixed at planning time, so every slice and a resumed run agree. */
export interface SyncPlanParams {
  /** CST dates of daily usage to pull (empty when the account has no batch daily usage). */
  days: string[];
  /** CST month of monthly usage, or null. */
  month: string | null;
  /**
   * Periods (days or the month) already final and read in full by an earlier run: only cards
   * with no figure for them are asked. Absent in plans made before incremental usage.
   */
  fillOnly?: string[];
  /** Periods final and not yet read in full: recorded as checked when the run finishes. */
  toCheck?: string[];
  /**
   * Set when the supplier's change feed named the cards whose status changed since the last
   * read: the status phase asks only these card ids. Absent: every card is asked.
   */
  statusCards?: number[];
  /**
   * Set by `--full` (epoch ms, the instant the run started): cards whose identifiers were read
   * before it have them read again, so a card put into another device shows its new IMEI.
   * Absent: only cards whose identifiers were never read are asked.
   */
  identitiesBefore?: number;
  /**
   * Where the change feed stands once this run finishes (epoch ms, the instant the run started
   * reading): saved when the run does not fail. Absent for suppliers without a feed.
   */
  feedReadFrom?: number;
  /**
   * A run made of passes over the account's cards: `ranges` slices of card ranges, repeated for
   * each pass in order (slice `i` is pass `passes[i / ranges]` over range `i % ranges`).
   * `urgent`: the statuses of the urgent cards, where statuses are asked one card a call;
   * `yesterday`: daily usage of `leadDays`; `rest`: everything else. Absent: one pass.
   */
  ranges?: number;
  passes?: ('urgent' | 'yesterday' | 'rest' | 'urgent-again')[];
  leadDays?: string[];
  /** Who asked for the run (audit). */
  actor: string;
}

export interface SyncPlan {
  runId: number;
  account: string;
  params: SyncPlanParams;
  cards: number;
  /** Calls made while planning (fleet discovery). */
  calls: number;
  finishedAt: number | null;
}

export interface SyncSlice {
  runId: number;
  slice: number;
  firstCardId: number;
  lastCardId: number;
  state: 'pending' | 'done';
  stoppedBy: string | null;
}

function planOf(row: Selectable<SyncPlansTable>): SyncPlan {
  return {
    runId: Number(row.run_id),
    account: row.account_id,
    params: JSON.parse(row.params) as SyncPlanParams,
    cards: Number(row.cards),
    calls: Number(row.calls),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

/** Plans, slices and finished batches of sync runs (tables of migration 0009). */
export class SyncCheckpoints {
  readonly #store: RepositoryContext;
  readonly #now: () => number;

  constructor(store: RepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  #db() {
    return this.#store.db;
  }

  /** `plannedBy`: the job planning the run (`job:<id>`), found again by `plannedBy` on a retry. */
  async createPlan(
    plan: Omit<SyncPlan, 'finishedAt'> & { plannedBy?: string | undefined },
    slices: { firstCardId: number; lastCardId: number }[],
  ): Promise<void> {
    await this.#db()
      .insertInto('sync_plans')
      .values({
        run_id: plan.runId,
        account_id: plan.account,
        params: JSON.stringify(plan.params),
        cards: plan.cards,
        calls: plan.calls,
        created_at: this.#now(),
        finished_at: null,
        planned_by: plan.plannedBy ?? null,
      })
      .execute();
    for (let start = 0; start < slices.length; start += 500) {
      await this.#db()
        .insertInto('sync_slices')
        .values(
          slices.slice(start, start + 500).map((slice, offset) => ({
            run_id: plan.runId,
            slice: start + offset,
            first_card_id: slice.firstCardId,
            last_card_id: slice.lastCardId,
            state: 'pending',
            stopped_by: null,
            finished_at: null,
          })),
        )
        .execute();
    }
  }

  async plan(runId: number): Promise<SyncPlan | null> {
    const row = await this.#db()
      .selectFrom('sync_plans')
      .selectAll()
      .where('run_id', '=', runId)
      .executeTakeFirst();
    return row ? planOf(row) : null;
  }

  /** The account's run planned by `job` (`job:<id>`), finished or not; null: none yet. */
  async plannedBy(account: string, job: string): Promise<SyncPlan | null> {
    const row = await this.#db()
      .selectFrom('sync_plans')
      .selectAll()
      .where('planned_by', '=', job)
      .where('account_id', '=', account)
      .orderBy('run_id', 'desc')
      .executeTakeFirst();
    return row ? planOf(row) : null;
  }

  /** The newest run of an account that was planned but never finished. */
  async unfinishedRun(account: string): Promise<number | null> {
    const row = await this.#db()
      .selectFrom('sync_plans')
      .select('run_id')
      .where('account_id', '=', account)
      .where('finished_at', 'is', null)
      .orderBy('run_id', 'desc')
      .executeTakeFirst();
    return row ? Number(row.run_id) : null;
  }

  /** The account's runs planned before `before` and never finished, oldest first. */
  async unfinishedBefore(account: string, before: number): Promise<number[]> {
    const rows = await this.#db()
      .selectFrom('sync_plans')
      .select('run_id')
      .where('account_id', '=', account)
      .where('finished_at', 'is', null)
      .where('run_id', '<', before)
      .orderBy('run_id')
      .execute();
    return rows.map((row) => Number(row.run_id));
  }

  async slices(runId: number): Promise<SyncSlice[]> {
    const rows = await this.#db()
      .selectFrom('sync_slices')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('slice')
      .execute();
    return rows.map((row) => ({
      runId: Number(row.run_id),
      slice: Number(row.slice),
      firstCardId: Number(row.first_card_id),
      lastCardId: Number(row.last_card_id),
      state: row.state as SyncSlice['state'],
      stoppedBy: row.stopped_by,
    }));
  }

  async finishSlice(runId: number, slice: number, stoppedBy: string | null): Promise<void> {
    await this.#db()
      .updateTable('sync_slices')
      .set({ state: 'done', stopped_by: stoppedBy, finished_at: this.#now() })
      .where('run_id', '=', runId)
      .where('slice', '=', slice)
      .execute();
  }

  /** Keys of the batches of a run already finished. */
  async finishedBatches(runId: number): Promise<Set<string>> {
    const rows = await this.#db()
      .selectFrom('sync_batches')
      .select('batch_key')
      .where('run_id', '=', runId)
      .execute();
    return new Set(rows.map((row) => row.batch_key));
  }

  /** Which of these batch keys of a run are finished (one indexed lookup per 500 keys). */
  async finishedAmong(runId: number, keys: readonly string[]): Promise<Set<string>> {
    const finished = new Set<string>();
    for (let start = 0; start < keys.length; start += 500) {
      const rows = await this.#db()
        .selectFrom('sync_batches')
        .select('batch_key')
        .where('run_id', '=', runId)
        .where('batch_key', 'in', keys.slice(start, start + 500))
        .execute();
      for (const row of rows) finished.add(row.batch_key);
    }
    return finished;
  }

  /** Marks batches done, with their calls and the rows they wrote (batches stored together). */
  async recordBatches(
    runId: number,
    batches: readonly { key: string; calls: number; rowsWritten: number }[],
  ): Promise<void> {
    const finishedAt = this.#now();
    for (const part of chunks(batches, 1_000)) {
      await this.#db()
        .insertInto('sync_batches')
        .values(
          part.map((batch) => ({
            run_id: runId,
            batch_key: batch.key,
            calls: batch.calls,
            rows_written: batch.rowsWritten,
            finished_at: finishedAt,
          })),
        )
        .onConflict((conflict) => conflict.columns(['run_id', 'batch_key']).doNothing())
        .execute();
    }
  }

  async totals(runId: number): Promise<{ calls: number; rowsWritten: number; batches: number }> {
    const row = await this.#db()
      .selectFrom('sync_batches')
      .select((expression) => [
        expression.fn.sum<number>('calls').as('calls'),
        expression.fn.sum<number>('rows_written').as('rows'),
        expression.fn.countAll<number>().as('batches'),
      ])
      .where('run_id', '=', runId)
      .executeTakeFirst();
    return {
      calls: Number(row?.calls ?? 0),
      rowsWritten: Number(row?.rows ?? 0),
      batches: Number(row?.batches ?? 0),
    };
  }

  /** Which of these periods of a usage need the account already read in full once final. */
  async usageChecked(
    account: string,
    need: 'usage.daily' | 'usage.monthly',
    periods: readonly string[],
  ): Promise<Set<string>> {
    if (periods.length === 0) return new Set();
    const rows = await this.#db()
      .selectFrom('sync_usage_checks')
      .select('period')
      .where('account_id', '=', account)
      .where('need', '=', need)
      .where('period', 'in', [...periods])
      .execute();
    return new Set(rows.map((row) => row.period));
  }

  /** Records final periods a run read for every card (a second record keeps the first). */
  async markUsageChecked(
    account: string,
    need: 'usage.daily' | 'usage.monthly',
    periods: readonly string[],
    runId: number,
  ): Promise<void> {
    if (periods.length === 0) return;
    await this.#db()
      .insertInto('sync_usage_checks')
      .values(
        periods.map((period) => ({
          account_id: account,
          need,
          period,
          checked_at: this.#now(),
          run_id: runId,
        })),
      )
      .onConflict((conflict) => conflict.columns(['account_id', 'need', 'period']).doNothing())
      .execute();
  }

  /** Where the account's change feed was last read in full (epoch ms), or null: never, or lost. */
  async changeFeedReadFrom(account: string): Promise<number | null> {
    const row = await this.#db()
      .selectFrom('sync_change_feeds')
      .select('read_from')
      .where('account_id', '=', account)
      .executeTakeFirst();
    return row ? Number(row.read_from) : null;
  }

  /**
   * Records that every change of the account up to `readFrom` is read: the next run asks the
   * feed from there. An older instant (a slower concurrent run) never moves it back.
   */
  async saveChangeFeed(account: string, readFrom: number, runId: number | null): Promise<void> {
    await this.#db()
      .insertInto('sync_change_feeds')
      .values({ account_id: account, read_from: readFrom, run_id: runId, updated_at: this.#now() })
      .onConflict((conflict) =>
        conflict
          .column('account_id')
          .doUpdateSet({ read_from: readFrom, run_id: runId, updated_at: this.#now() })
          .where('sync_change_feeds.read_from', '<', readFrom),
      )
      .execute();
  }

  /** Forgets the account's feed position: the next run reads every card. */
  async forgetChangeFeed(account: string): Promise<void> {
    await this.#db().deleteFrom('sync_change_feeds').where('account_id', '=', account).execute();
  }

  /** Where the account's spread fleet listing stands, or null: no pass under way or done. */
  async fleetListing(account: string): Promise<{
    cursor: string | null;
    passStartedAt: number;
    listedAt: number | null;
    updatedAt: number;
  } | null> {
    const row = await this.#db()
      .selectFrom('sync_fleet_listings')
      .selectAll()
      .where('account_id', '=', account)
      .executeTakeFirst();
    if (!row) return null;
    return {
      cursor: row.cursor,
      passStartedAt: Number(row.pass_started_at),
      listedAt: row.listed_at === null ? null : Number(row.listed_at),
      updatedAt: Number(row.updated_at),
    };
  }

  /**
   * Records where the account's fleet listing stands after a run listed its share; `updatedAt`
   * is when that share began (the next run's share is the time since).
   */
  async saveFleetListing(
    account: string,
    state: {
      cursor: string | null;
      passStartedAt: number;
      listedAt: number | null;
      updatedAt: number;
    },
  ): Promise<void> {
    const values = {
      cursor: state.cursor,
      pass_started_at: state.passStartedAt,
      listed_at: state.listedAt,
      updated_at: state.updatedAt,
    };
    await this.#db()
      .insertInto('sync_fleet_listings')
      .values({ account_id: account, ...values })
      .onConflict((conflict) => conflict.column('account_id').doUpdateSet(values))
      .execute();
  }

  /** Marks the plan finished; true for the one caller that did it (others lost the race). */
  async claimFinish(runId: number): Promise<boolean> {
    const result = await this.#db()
      .updateTable('sync_plans')
      .set({ finished_at: this.#now() })
      .where('run_id', '=', runId)
      .where('finished_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
