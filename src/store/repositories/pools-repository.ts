import type { Selectable } from 'kysely';
import { SimdockError } from '../../domain/index.js';
import type { RepositoryContext } from '../store-context.js';
import { isForeignKeyViolation } from '../store-errors.js';
import type { Database } from '../store-schema.js';
import { idChunks } from './rules-tables.js';

/** A group of cards sharing one quota. */
export interface StoredPool {
  id: number;
  name: string;
  /** The supplier account the pool belongs to; null for a pool across accounts. */
  account: string | null;
  /** `simdock` for pools defined here, else the supplier type holding the group. */
  source: string;
  /** The supplier's id of the group; null for pools defined here. */
  externalId: string | null;
  /** Whether the members' quota is shared (Quectel `isflowshare`). */
  shared: boolean;
  /** Bytes per cycle for the whole pool; null when unknown. */
  quotaBytes: number | null;
  /** What the supplier last reported as used this cycle; null when it reports nothing. */
  supplierUsedBytes: number | null;
  cycleStartDay: number;
  createdAt: number;
  updatedAt: number;
}

export interface PoolInput {
  name: string;
  account?: string | null;
  source?: string;
  externalId?: string | null;
  shared?: boolean;
  quotaBytes?: number | null;
  supplierUsedBytes?: number | null;
  cycleStartDay?: number;
}

type PoolRow = Selectable<Database['pools']>;

function toPool(row: PoolRow): StoredPool {
  const bigint = (value: number | null) => (value === null ? null : Number(value));
  return {
    id: Number(row.id),
    name: row.name,
    account: row.account_id,
    source: row.source,
    externalId: row.external_id,
    shared: Number(row.shared) === 1,
    quotaBytes: bigint(row.quota_bytes),
    supplierUsedBytes: bigint(row.supplier_used_bytes),
    cycleStartDay: Number(row.cycle_start_day),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Pools and their members. */
export class PoolsRepository {
  readonly #store: RepositoryContext;
  readonly #now: () => number;

  constructor(store: RepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  #db() {
    return this.#store.db;
  }

  /** Creates a pool; a name already taken is `already_exists`. */
  async create(input: PoolInput): Promise<StoredPool> {
    const name = input.name.trim();
    if (name === '') throw new SimdockError('invalid_argument', 'a pool needs a name');
    if (await this.get(name)) {
      throw new SimdockError('already_exists', `a pool named "${name}" exists`);
    }
    const quota = input.quotaBytes ?? null;
    if (quota !== null && !(Number.isSafeInteger(quota) && quota >= 0)) {
      throw new SimdockError('invalid_argument', 'the quota must be a whole number of bytes');
    }
    const now = this.#now();
    const row = await this.#db()
      .insertInto('pools')
      .values({
        name,
        account_id: input.account ?? null,
        source: input.source ?? 'simdock',
        external_id: input.externalId ?? null,
        shared: input.shared === false ? 0 : 1,
        quota_bytes: quota,
        supplier_used_bytes: input.supplierUsedBytes ?? null,
        cycle_start_day: input.cycleStartDay ?? 1,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPool(row);
  }

  /**
   * Creates or refreshes the pool mirroring a supplier's group (matched by account, source and
   * external id): name, sharing, quota and the supplier's used figure.
   */
  async upsertSupplierPool(
    input: PoolInput & { account: string; source: string; externalId: string },
  ): Promise<StoredPool> {
    const existing = await this.#db()
      .selectFrom('pools')
      .selectAll()
      .where('account_id', '=', input.account)
      .where('source', '=', input.source)
      .where('external_id', '=', input.externalId)
      .executeTakeFirst();
    if (!existing) return this.create(input);
    const row = await this.#db()
      .updateTable('pools')
      .set({
        shared: input.shared === false ? 0 : 1,
        quota_bytes: input.quotaBytes ?? null,
        supplier_used_bytes: input.supplierUsedBytes ?? null,
        updated_at: this.#now(),
      })
      .where('id', '=', Number(existing.id))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPool(row);
  }

  /** A pool by id or name, or null. */
  async get(idOrName: number | string): Promise<StoredPool | null> {
    const query = this.#db().selectFrom('pools').selectAll();
    const row =
      typeof idOrName === 'number' || /^\d+$/.test(idOrName)
        ? await query.where('id', '=', Number(idOrName)).executeTakeFirst()
        : await query.where('name', '=', idOrName).executeTakeFirst();
    return row ? toPool(row) : null;
  }

  /** A pool by id or name; unknown is `not_found`. */
  async require(idOrName: number | string): Promise<StoredPool> {
    const pool = await this.get(idOrName);
    if (!pool) throw new SimdockError('not_found', `no pool "${idOrName}"`);
    return pool;
  }

  async list(filter: { account?: string } = {}): Promise<StoredPool[]> {
    let query = this.#db().selectFrom('pools').selectAll();
    if (filter.account !== undefined) query = query.where('account_id', '=', filter.account);
    return (await query.orderBy('id').execute()).map(toPool);
  }

  /**
   * Changes a pool's name, account, quota or cycle start day (a field left undefined keeps its
   * value). A name another pool has is `already_exists`; an unknown pool `not_found`.
   */
  async update(
    id: number,
    changes: {
      name?: string;
      account?: string | null;
      quotaBytes?: number | null;
      cycleStartDay?: number;
    },
  ): Promise<StoredPool> {
    const pool = await this.require(id);
    const set: {
      name?: string;
      account_id?: string | null;
      quota_bytes?: number | null;
      cycle_start_day?: number;
      updated_at: number;
    } = { updated_at: this.#now() };
    if (changes.name !== undefined) {
      const name = changes.name.trim();
      if (name === '') throw new SimdockError('invalid_argument', 'a pool needs a name');
      if (name !== pool.name && (await this.get(name))) {
        throw new SimdockError('already_exists', `a pool named "${name}" exists`);
      }
      set.name = name;
    }
    if (changes.account !== undefined) set.account_id = changes.account;
    if (changes.quotaBytes !== undefined) {
      const quota = changes.quotaBytes;
      if (quota !== null && !(Number.isSafeInteger(quota) && quota >= 0)) {
        throw new SimdockError('invalid_argument', 'the quota must be a whole number of bytes');
      }
      set.quota_bytes = quota;
    }
    if (changes.cycleStartDay !== undefined) {
      const day = changes.cycleStartDay;
      if (!Number.isInteger(day) || day < 1 || day > 31) {
        throw new SimdockError('invalid_argument', 'the cycle start day must be 1–31');
      }
      set.cycle_start_day = day;
    }
    const row = await this.#db()
      .updateTable('pools')
      .set(set)
      .where('id', '=', pool.id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new SimdockError('not_found', `no pool "${id}"`, { details: { pool: id } });
    return toPool(row);
  }

  /**
   * Deletes a pool and its membership rows (its cards stay). `not_found` when there was no such
   * pool left to delete (another request deleted it meanwhile).
   */
  async delete(id: number): Promise<void> {
    await this.#db()
      .transaction()
      .execute(async (transaction) => {
        await transaction.deleteFrom('pool_cards').where('pool_id', '=', id).execute();
        const result = await transaction
          .deleteFrom('pools')
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) {
          throw new SimdockError('not_found', `no pool ${id}`, { details: { pool: id } });
        }
      });
  }

  /** Adds cards to a pool (cards already in it are kept once). Returns how many were new. */
  async addCards(poolId: number, cardIds: readonly number[]): Promise<number> {
    let added = 0;
    const unique = [...new Set(cardIds)].sort((left, right) => left - right);
    for (const part of idChunks(unique, 200)) {
      const result = await this.#db()
        .insertInto('pool_cards')
        .values(part.map((cardId) => ({ pool_id: poolId, card_id: cardId })))
        .onConflict((conflict) => conflict.columns(['pool_id', 'card_id']).doNothing())
        .executeTakeFirst()
        .catch((error: unknown) => {
          // The pool (or a card) was deleted by another request since it was read.
          if (!isForeignKeyViolation(error)) throw error;
          throw new SimdockError('not_found', `no pool ${poolId}, or one of the cards is gone`, {
            details: { pool: poolId },
          });
        });
      added += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return added;
  }

  /** Takes cards out of a pool (cards not in it are left alone). Returns how many were in it. */
  async removeCards(poolId: number, cardIds: readonly number[]): Promise<number> {
    let removed = 0;
    const unique = [...new Set(cardIds)].sort((left, right) => left - right);
    for (const part of idChunks(unique, 500)) {
      const result = await this.#db()
        .deleteFrom('pool_cards')
        .where('pool_id', '=', poolId)
        .where('card_id', 'in', part)
        .executeTakeFirst();
      removed += Number(result.numDeletedRows);
    }
    return removed;
  }

  /** Makes the pool's members exactly these cards. */
  async replaceCards(poolId: number, cardIds: readonly number[]): Promise<void> {
    await this.#db().deleteFrom('pool_cards').where('pool_id', '=', poolId).execute();
    await this.addCards(poolId, cardIds);
  }

  /** The ids of a pool's cards. */
  async cardIds(poolId: number): Promise<number[]> {
    const rows = await this.#db()
      .selectFrom('pool_cards')
      .select('card_id')
      .where('pool_id', '=', poolId)
      .orderBy('card_id')
      .execute();
    return rows.map((row) => Number(row.card_id));
  }

  /** For each card, the ids of the pools holding it (cards in no pool are absent). */
  async poolsOfCards(cardIds: readonly number[]): Promise<Map<number, number[]>> {
    const result = new Map<number, number[]>();
    for (const part of idChunks([...new Set(cardIds)])) {
      const rows = await this.#db()
        .selectFrom('pool_cards')
        .selectAll()
        .where('card_id', 'in', part)
        .execute();
      for (const row of rows) {
        const cardId = Number(row.card_id);
        result.set(cardId, [...(result.get(cardId) ?? []), Number(row.pool_id)]);
      }
    }
    return result;
  }
}
