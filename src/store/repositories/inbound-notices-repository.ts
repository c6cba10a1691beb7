import { type Selectable, sql } from 'kysely';
import type { RepositoryContext } from '../store-context.js';
import type { SupplierNoticesTable } from '../store-schema.js';

/** A notice a supplier pushed to simdock, as stored. */
export interface StoredNotice {
  id: number;
  account: string;
  /** `m2m:notice_smsreceive`, `quectel:sms-report`, … or `rejected`. */
  kind: string;
  dedupeKey: string;
  payload: unknown;
  receivedAt: number;
  /** False for a refused notice (forged, mis-signed, malformed). */
  verified: boolean;
  rejectedReason: string | null;
  /** How many times the same notice arrived again after the first. */
  repeats: number;
}

/** The dedupe key of the row counting an account's refusals past the cap. */
export const REFUSAL_OVERFLOW_KEY = 'rejected:overflow';

/** The notices suppliers pushed (`supplier_notices`, migration 0007): each stored once. */
export class NoticesRepository {
  readonly #store: RepositoryContext;
  readonly #now: () => number;

  constructor(store: RepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  #db() {
    return this.#store.db;
  }

  /**
   * Stores a notice once per account and dedupe key; a repeat only counts up `repeats`.
   * Returns true when the notice was new.
   */
  async record(input: {
    account: string;
    kind: string;
    dedupeKey: string;
    payload: unknown;
    verified: boolean;
    rejectedReason?: string | null;
  }): Promise<boolean> {
    const inserted = await this.#db()
      .insertInto('supplier_notices')
      .values({
        account_id: input.account,
        kind: input.kind,
        dedupe_key: input.dedupeKey,
        payload: JSON.stringify(input.payload ?? null),
        received_at: this.#now(),
        verified: input.verified ? 1 : 0,
        rejected_reason: input.rejectedReason ?? null,
      })
      .onConflict((conflict) => conflict.columns(['account_id', 'dedupe_key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
    await this.#db()
      .updateTable('supplier_notices')
      .set({ repeats: sql`repeats + 1` })
      .where('account_id', '=', input.account)
      .where('dedupe_key', '=', input.dedupeKey)
      .execute();
    return false;
  }

  /**
   * Keeps a refused notice within bounds: refusals older than `keepMs` are deleted first; below
   * `cap` kept refusals for the account the notice is stored once per dedupe key (its body
   * already cut by the caller), past it only the account's overflow row counts up (`repeats`).
   * Returns `stored`, `repeat` or `counted`.
   */
  async recordRefusal(
    input: {
      account: string;
      kind: string;
      dedupeKey: string;
      payload: unknown;
      rejectedReason: string;
    },
    bounds: { cap: number; keepMs: number },
  ): Promise<'stored' | 'repeat' | 'counted'> {
    const now = this.#now();
    await this.#db()
      .deleteFrom('supplier_notices')
      .where('account_id', '=', input.account)
      .where('verified', '=', 0)
      .where('received_at', '<', now - bounds.keepMs)
      .execute();
    const kept = await this.#db()
      .selectFrom('supplier_notices')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('account_id', '=', input.account)
      .where('verified', '=', 0)
      .where('dedupe_key', '<>', REFUSAL_OVERFLOW_KEY)
      .executeTakeFirstOrThrow();
    if (Number(kept.count) < bounds.cap) {
      return (await this.record({ ...input, verified: false })) ? 'stored' : 'repeat';
    }
    await this.record({
      account: input.account,
      kind: 'rejected:overflow',
      dedupeKey: REFUSAL_OVERFLOW_KEY,
      payload: { message: `refusals past the first ${bounds.cap} are counted in repeats` },
      verified: false,
      rejectedReason: 'overflow',
    });
    return 'counted';
  }

  /** An account's notices, newest first. */
  async list(
    account: string,
    filter: { verified?: boolean; limit?: number } = {},
  ): Promise<StoredNotice[]> {
    let query = this.#db()
      .selectFrom('supplier_notices')
      .selectAll()
      .where('account_id', '=', account);
    if (filter.verified !== undefined)
      query = query.where('verified', '=', filter.verified ? 1 : 0);
    const rows = await query
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 100)
      .execute();
    return rows.map(toStoredNotice);
  }
}

function toStoredNotice(row: Selectable<SupplierNoticesTable>): StoredNotice {
  return {
    id: Number(row.id),
    account: row.account_id,
    kind: row.kind,
    dedupeKey: row.dedupe_key,
    payload: JSON.parse(row.payload),
    receivedAt: Number(row.received_at),
    verified: Number(row.verified) === 1,
    rejectedReason: row.rejected_reason,
    repeats: Number(row.repeats),
  };
}
