import { sql } from 'kysely';
import type { StoreContext } from './store-context.js';
import { chunks, writeTransaction } from './store-sql.js';

/** When a card's status and its month's usage were last read or pushed. */
export interface CardChecks {
  statusCheckedAt: number | null;
  usageCheckedAt: number | null;
}

/** An account's cards' last reads, for its freshness figures. */
export interface AccountChecks {
  cards: number;
  /** Cards sync leaves alone (deactivated): nothing of theirs changes. */
  settled: number;
  /** `status_checked_at` of every other card (null: never read), unordered. */
  status: (number | null)[];
  /** `usage_checked_at` of every other card except suspended ones, unordered. */
  usage: (number | null)[];
}

/** One need's staleness over an account's cards, as the database computes it. */
export interface NeedStalenessFigures {
  /** Cards whose figure can still change. */
  cards: number;
  /** Of those, read at least once. */
  read: number;
  /** Read at or after `since` (the target's cut-off). */
  within: number;
  /** The read times at the asked ranks (newest first, rank 0 the newest), null past the end. */
  ranked: (number | null)[];
  /** The oldest read (null: none read). */
  oldest: number | null;
}

/** An account's staleness figures per need, computed in the database (no per-card rows out). */
export interface AccountStalenessFigures {
  cards: number;
  settled: number;
  status: NeedStalenessFigures;
  usage: NeedStalenessFigures;
}

/**
 * The columns of migration 0013 that say how fresh a card's figures are: written when the
 * supplier answers or pushes, read to pick which cards to poll first and to report staleness.
 */
export class CardFreshnessRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  /** The last reads of these cards (cards not found are absent). */
  async checks(cardIds: readonly number[]): Promise<Map<number, CardChecks>> {
    const found = new Map<number, CardChecks>();
    for (const part of chunks(cardIds, 500)) {
      const rows = await this.#context.db
        .selectFrom('cards')
        .select(['id', 'status_checked_at', 'usage_checked_at'])
        .where('id', 'in', part)
        .execute();
      for (const row of rows) {
        found.set(Number(row.id), {
          statusCheckedAt: row.status_checked_at === null ? null : Number(row.status_checked_at),
          usageCheckedAt: row.usage_checked_at === null ? null : Number(row.usage_checked_at),
        });
      }
    }
    return found;
  }

  /** These cards' month-to-date usage was read (or pushed) now. */
  async markUsageChecked(cardIds: readonly number[]): Promise<void> {
    const now = this.#context.clock.now();
    const { db, dialect } = this.#context;
    await writeTransaction(db, dialect, async (transaction) => {
      for (const part of chunks(cardIds, 500)) {
        await transaction
          .updateTable('cards')
          .set({ usage_checked_at: now })
          .where('id', 'in', part)
          .execute();
      }
    });
  }

  /** Every card's last reads of one account. */
  async accountChecks(account: string): Promise<AccountChecks> {
    const rows = await this.#context.db
      .selectFrom('cards')
      .select(['status', 'status_checked_at', 'usage_checked_at'])
      .where('account_id', '=', account)
      .execute();
    const result: AccountChecks = { cards: rows.length, settled: 0, status: [], usage: [] };
    for (const row of rows) {
      if (row.status === 'deactivated') {
        result.settled += 1;
        continue;
      }
      result.status.push(row.status_checked_at === null ? null : Number(row.status_checked_at));
      if (row.status !== 'suspended')
        result.usage.push(row.usage_checked_at === null ? null : Number(row.usage_checked_at));
    }
    return result;
  }

  /**
   * An account's staleness per need without reading its cards out: counts, the number read at or
   * after each need's cut-off, the oldest read, and the read at each asked share (`shares`, e.g.
   * 0.5 and 0.99, ranked newest first like ages sorted ascending). Status counts every card
   * but deactivated ones; usage also leaves suspended cards out (their usage does not grow).
   */
  async accountStaleness(
    account: string,
    since: { status: number; usage: number },
    shares: readonly number[],
  ): Promise<AccountStalenessFigures> {
    const db = this.#context.db;
    const count = (condition: ReturnType<typeof sql<boolean>>) =>
      sql<number>`sum(case when ${condition} then 1 else 0 end)`;
    const statusLive = sql<boolean>`status <> 'deactivated'`;
    const usageLive = sql<boolean>`status not in ('deactivated', 'suspended')`;
    const row = await db
      .selectFrom('cards')
      .where('account_id', '=', account)
      .select([
        sql<number>`count(*)`.as('cards'),
        count(sql<boolean>`status = 'deactivated'`).as('settled'),
        count(statusLive).as('status_cards'),
        count(sql<boolean>`${statusLive} and status_checked_at is not null`).as('status_read'),
        count(sql<boolean>`${statusLive} and status_checked_at >= ${since.status}`).as(
          'status_within',
        ),
        sql<number | null>`min(case when ${statusLive} then status_checked_at end)`.as(
          'status_oldest',
        ),
        count(usageLive).as('usage_cards'),
        count(sql<boolean>`${usageLive} and usage_checked_at is not null`).as('usage_read'),
        count(sql<boolean>`${usageLive} and usage_checked_at >= ${since.usage}`).as('usage_within'),
        sql<number | null>`min(case when ${usageLive} then usage_checked_at end)`.as(
          'usage_oldest',
        ),
      ])
      .executeTakeFirstOrThrow();
    const number = (value: unknown) => (value === null ? null : Number(value));
    const ranked = async (column: 'status_checked_at' | 'usage_checked_at', read: number) => {
      const result: (number | null)[] = [];
      for (const share of shares) {
        if (read === 0) {
          result.push(null);
          continue;
        }
        let query = db
          .selectFrom('cards')
          .select(column)
          .where('account_id', '=', account)
          .where(column, 'is not', null);
        query =
          column === 'status_checked_at'
            ? query.where('status', '<>', 'deactivated')
            : query.where('status', 'not in', ['deactivated', 'suspended']);
        const found = await query
          .orderBy(column, 'desc')
          .limit(1)
          .offset(Math.min(read - 1, Math.floor(share * read)))
          .executeTakeFirst();
        result.push(found ? number(found[column]) : null);
      }
      return result;
    };
    const statusRead = Number(row.status_read ?? 0);
    const usageRead = Number(row.usage_read ?? 0);
    return {
      cards: Number(row.cards ?? 0),
      settled: Number(row.settled ?? 0),
      status: {
        cards: Number(row.status_cards ?? 0),
        read: statusRead,
        within: Number(row.status_within ?? 0),
        ranked: await ranked('status_checked_at', statusRead),
        oldest: number(row.status_oldest),
      },
      usage: {
        cards: Number(row.usage_cards ?? 0),
        read: usageRead,
        within: Number(row.usage_within ?? 0),
        ranked: await ranked('usage_checked_at', usageRead),
        oldest: number(row.usage_oldest),
      },
    };
  }
}
