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
}
