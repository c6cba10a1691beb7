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
    const total = await db
      .selectFrom('cards')
      .select(sql<number>`count(*)`.as('cards'))
      .where('account_id', '=', account)
      .executeTakeFirstOrThrow();
    // One need at a time, each read from its index (account, read time, status: migration 0023)
    // without touching the cards themselves.
    const need = async (
      column: 'status_checked_at' | 'usage_checked_at',
      left: readonly string[],
      cutoff: number,
    ): Promise<NeedStalenessFigures> => {
      const cards = () =>
        db
          .selectFrom('cards')
          .where('account_id', '=', account)
          .where('status', 'not in', [...left]);
      const row = await cards()
        .select([
          sql<number>`count(*)`.as('cards'),
          sql<number>`count(${sql.ref(column)})`.as('read'),
          sql<number>`sum(case when ${sql.ref(column)} >= ${cutoff} then 1 else 0 end)`.as(
            'within',
          ),
          sql<number | null>`min(${sql.ref(column)})`.as('oldest'),
        ])
        .executeTakeFirstOrThrow();
      const read = Number(row.read ?? 0);
      const ranked: (number | null)[] = [];
      for (const share of shares) {
        if (read === 0) {
          ranked.push(null);
          continue;
        }
        // Rank r of the newest-first order, walked from whichever end is nearer.
        const rank = Math.min(read - 1, Math.floor(share * read));
        const newestFirst = rank <= read - 1 - rank;
        const found = await cards()
          .select(column)
          .where(column, 'is not', null)
          .orderBy(column, newestFirst ? 'desc' : 'asc')
          .limit(1)
          .offset(newestFirst ? rank : read - 1 - rank)
          .executeTakeFirst();
        ranked.push(found?.[column] == null ? null : Number(found[column]));
      }
      return {
        cards: Number(row.cards ?? 0),
        read,
        within: Number(row.within ?? 0),
        ranked,
        oldest: row.oldest === null ? null : Number(row.oldest),
      };
    };
    const status = await need('status_checked_at', ['deactivated'], since.status);
    const usage = await need('usage_checked_at', ['deactivated', 'suspended'], since.usage);
    const cards = Number(total.cards ?? 0);
    return { cards, settled: cards - status.cards, status, usage };
  }
}
