import { type Kysely, sql } from 'kysely';
import { isCstDate } from '../domain/cst.js';
import { SimdockError } from '../domain/errors.js';
import { type CardScope, cardVisible } from './card-scope.js';
import { afterStatsWrites } from './fleet-stats-repository.js';
import type { StoreContext } from './store-context.js';
import {
  chunks,
  requireCount,
  requirePositive,
  rowsPerStatement,
  runShaped,
  translateForeignKeyError,
  valueTuples,
  writeTransaction,
} from './store-sql.js';
import { writeUsageKeepingFigures } from './usage-stats-upkeep.js';

/** One card's usage on one CST day, in bytes. */
export interface DailyUsageRow {
  cardId: number;
  /** CST `YYYY-MM-DD`. */
  date: string;
  bytes: number;
}

/** One card's usage in one CST month, in bytes, as the supplier reports it. */
export interface MonthlyUsageRow {
  cardId: number;
  /** CST `YYYY-MM`. */
  month: string;
  bytes: number;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A period to read, both ends included; absent ends are open. */
export interface UsageRange<T extends string = string> {
  from?: T;
  to?: T;
}

/** Usage per card: daily and monthly byte counts (int8 columns, exact up to 2^53). */
export class UsageRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /**
   * Inserts or replaces daily figures. `written` counts rows inserted or whose bytes changed: a
   * repeated sync with the same figures writes 0. The same (card, day) twice in one call: the
   * last one counts. An unknown card id is `not_found` and nothing is written.
   */
  async upsertDaily(rows: readonly DailyUsageRow[]): Promise<{ written: number }> {
    // A flush holds a few dates for many cards: each date is checked once.
    const dates = new Set<string>();
    const checked = dedupe(
      rows.map((row) => {
        if (!dates.has(row.date)) {
          if (!isCstDate(row.date)) {
            throw new SimdockError('invalid_argument', `"${row.date}" is not a YYYY-MM-DD date`);
          }
          dates.add(row.date);
        }
        return { card_id: checkCard(row.cardId), date: row.date, bytes: checkBytes(row.bytes) };
      }),
      (row) => row.date,
    );
    return this.#upsert('usage_daily', 'date', checked);
  }

  /** A card's daily figures, oldest first. */
  async daily(cardId: number, range: UsageRange = {}): Promise<{ date: string; bytes: number }[]> {
    let select = this.#context.db
      .selectFrom('usage_daily')
      .select(['date', 'bytes'])
      .where('card_id', '=', cardId);
    if (range.from !== undefined) select = select.where('date', '>=', range.from);
    if (range.to !== undefined) select = select.where('date', '<=', range.to);
    return select.orderBy('date').execute();
  }

  /** Which of these cards have a daily figure for the CST date. */
  async cardsWithDaily(cardIds: readonly number[], date: string): Promise<Set<number>> {
    const found = new Set<number>();
    for (const part of chunks(cardIds, 500)) {
      const rows = await this.#context.db
        .selectFrom('usage_daily')
        .select('card_id')
        .where('date', '=', date)
        .where('card_id', 'in', part)
        .execute();
      for (const row of rows) found.add(Number(row.card_id));
    }
    return found;
  }

  /** Which of these cards have a monthly figure for the CST month. */
  async cardsWithMonthly(cardIds: readonly number[], month: string): Promise<Set<number>> {
    const found = new Set<number>();
    for (const part of chunks(cardIds, 500)) {
      const rows = await this.#context.db
        .selectFrom('usage_monthly')
        .select('card_id')
        .where('month', '=', month)
        .where('card_id', 'in', part)
        .execute();
      for (const row of rows) found.add(Number(row.card_id));
    }
    return found;
  }

  /** Like `upsertDaily`, for monthly figures. */
  async upsertMonthly(rows: readonly MonthlyUsageRow[]): Promise<{ written: number }> {
    const checked = dedupe(
      rows.map((row) => {
        if (typeof row.month !== 'string' || !MONTH.test(row.month)) {
          throw new SimdockError('invalid_argument', `"${row.month}" is not a YYYY-MM month`);
        }
        return { card_id: checkCard(row.cardId), month: row.month, bytes: checkBytes(row.bytes) };
      }),
      (row) => row.month,
    );
    return this.#upsert('usage_monthly', 'month', checked);
  }

  /**
   * One idempotent upsert for both tables: a row is written only when new or when its bytes
   * changed, and `written` counts exactly those.
   */
  async #upsert(
    table: 'usage_daily' | 'usage_monthly',
    period: 'date' | 'month',
    rows: readonly ({ card_id: number; bytes: number } & Record<string, string | number>)[],
  ): Promise<{ written: number }> {
    const now = this.#context.clock.now();
    const { db, dialect } = this.#context;
    const outcome = await writeTransaction(db, dialect, async (transaction) => {
      // The two tables differ only in their period column; Kysely cannot type a table union.
      // biome-ignore lint/suspicious/noExplicitAny: see above.
      const untyped = transaction as Kysely<any>;
      const upsert = async () => {
        if (dialect === 'postgres') return upsertArrays(untyped, table, period, rows, now);
        let written = 0;
        for (const part of chunks(rows, rowsPerStatement(dialect, 4))) {
          const parameters: unknown[] = [];
          for (const row of part) parameters.push(row.card_id, row[period], row.bytes, now);
          const result = await runShaped(
            untyped,
            dialect,
            `usage upsert ${table} ${part.length}`,
            (placeholder) =>
              `insert into ${table} (card_id, ${period}, bytes, updated_at)
              values ${valueTuples(placeholder, part.length, 4)}
              on conflict (card_id, ${period}) do update
              set bytes = excluded.bytes, updated_at = excluded.updated_at
              where ${table}.bytes <> excluded.bytes`,
            parameters,
          ).catch((error: unknown) => {
            throw translateForeignKeyError(error, 'a card of these usage rows');
          });
          written += Number(result.numAffectedRows ?? 0);
        }
        return written;
      };
      // SQLite: the batch keeps the fleet figures itself (summed per batch, not per row by the
      // triggers); PostgreSQL: the statement-level triggers do, set-based.
      if (dialect === 'sqlite') {
        const writes = rows.map((row) => ({
          card_id: row.card_id,
          period: String(row[period]),
          bytes: row.bytes,
        }));
        return { written: await writeUsageKeepingFigures(untyped, table, writes, upsert) };
      }
      return { written: await upsert() };
    });
    await afterStatsWrites(this.#context, outcome.written);
    return outcome;
  }

  /** The daily rows from `fromDate` and the monthly rows from `fromMonth` of many cards. */
  async since(
    cardIds: readonly number[],
    range: { fromDate: string; fromMonth: string },
  ): Promise<UsageSince> {
    const result: UsageSince = { daily: [], monthly: [] };
    for (const part of chunks([...new Set(cardIds)], 500)) {
      const daily = await this.#context.db
        .selectFrom('usage_daily')
        .select(['card_id', 'date', 'bytes'])
        .where('card_id', 'in', part)
        .where('date', '>=', range.fromDate)
        .execute();
      for (const row of daily) {
        result.daily.push({
          cardId: Number(row.card_id),
          date: row.date,
          bytes: Number(row.bytes),
        });
      }
      const monthly = await this.#context.db
        .selectFrom('usage_monthly')
        .select(['card_id', 'month', 'bytes'])
        .where('card_id', 'in', part)
        .where('month', '>=', range.fromMonth)
        .execute();
      for (const row of monthly) {
        result.monthly.push({
          cardId: Number(row.card_id),
          month: row.month,
          bytes: Number(row.bytes),
        });
      }
    }
    return result;
  }

  /** A card's monthly figures, oldest first. */
  async monthly(
    cardId: number,
    range: UsageRange = {},
  ): Promise<{ month: string; bytes: number }[]> {
    let select = this.#context.db
      .selectFrom('usage_monthly')
      .select(['month', 'bytes'])
      .where('card_id', '=', cardId);
    if (range.from !== undefined) select = select.where('month', '>=', range.from);
    if (range.to !== undefined) select = select.where('month', '<=', range.to);
    return select.orderBy('month').execute();
  }

  /**
   * Fleet totals per CST day from `from` to `to` (both included) over the scope's cards: the
   * bytes and how many cards have a figure that day. Days without any figure are absent.
   */
  async fleetDaily(
    scope: CardScope,
    from: string,
    to: string,
  ): Promise<{ date: string; bytes: number; cards: number }[]> {
    const rows = await this.#context.db
      .selectFrom('usage_daily')
      .innerJoin('cards', 'cards.id', 'usage_daily.card_id')
      .select([
        'usage_daily.date',
        sql<number>`sum(usage_daily.bytes)`.as('bytes'),
        sql<number>`count(*)`.as('cards'),
      ])
      .where('usage_daily.date', '>=', from)
      .where('usage_daily.date', '<=', to)
      .where(cardVisible(scope, 'cards.id'))
      .groupBy('usage_daily.date')
      .execute();
    return rows.map((row) => ({
      date: row.date,
      bytes: Number(row.bytes),
      cards: Number(row.cards),
    }));
  }
}

/** Rows per PostgreSQL statement of `upsertArrays`: three arrays of this many values. */
const ARRAY_ROWS = 50_000;

/**
 * PostgreSQL: the same upsert with the rows sent as three array parameters and spread by
 * `unnest`, instead of four parameters a row: one short statement text to parse and plan, and
 * far fewer parameters to bind (a flush of 20,000 rows is one statement instead of two of
 * 16,250 rows' parameters). `unnest` yields the rows in array order, so the card-then-period
 * order that keeps concurrent writers from deadlocking holds.
 */
async function upsertArrays(
  // biome-ignore lint/suspicious/noExplicitAny: the two usage tables differ only in one column.
  transaction: Kysely<any>,
  table: 'usage_daily' | 'usage_monthly',
  period: 'date' | 'month',
  rows: readonly ({ card_id: number; bytes: number } & Record<string, string | number>)[],
  now: number,
): Promise<number> {
  let written = 0;
  for (const part of chunks(rows, ARRAY_ROWS)) {
    const result = await runShaped(
      transaction,
      'postgres',
      `usage upsert arrays ${table}`,
      (placeholder) =>
        `insert into ${table} (card_id, ${period}, bytes, updated_at)
        select batch.card_id, batch.period, batch.bytes, ${placeholder(3)}::bigint
        from unnest(${placeholder(0)}::bigint[], ${placeholder(1)}::text[], ${placeholder(2)}::bigint[])
          as batch (card_id, period, bytes)
        on conflict (card_id, ${period}) do update
        set bytes = excluded.bytes, updated_at = excluded.updated_at
        where ${table}.bytes <> excluded.bytes`,
      [
        part.map((row) => row.card_id),
        part.map((row) => String(row[period])),
        part.map((row) => row.bytes),
        now,
      ],
    ).catch((error: unknown) => {
      throw translateForeignKeyError(error, 'a card of these usage rows');
    });
    written += Number(result.numAffectedRows ?? 0);
  }
  return written;
}

/** The daily figures from one CST date and the monthly figures from one month, of many cards. */
export interface UsageSince {
  daily: { cardId: number; date: string; bytes: number }[];
  monthly: { cardId: number; month: string; bytes: number }[];
}

function checkCard(cardId: number): number {
  return requirePositive(cardId, 'usage card id');
}

function checkBytes(bytes: number): number {
  return requireCount(bytes, 'usage bytes');
}

/**
 * Keeps the last row per card and period, ordered by card then period: PostgreSQL refuses to
 * update one row twice in one statement, and one order for every writer keeps concurrent writers
 * from deadlocking. Rows already in that order without a repeat (a flush of one day's cards) are
 * taken as they are.
 */
function dedupe<T extends { card_id: number }>(rows: T[], period: (row: T) => string): T[] {
  const before = (left: T, right: T) => {
    if (left.card_id !== right.card_id) return left.card_id - right.card_id;
    const [a, b] = [period(left), period(right)];
    return a < b ? -1 : a > b ? 1 : 0;
  };
  if (rows.every((row, index) => index === 0 || before(rows[index - 1]!, row) < 0)) return rows;
  const byKey = new Map<string, T>();
  for (const row of rows) byKey.set(`${row.card_id} ${period(row)}`, row);
  return [...byKey.values()].sort(before);
}
