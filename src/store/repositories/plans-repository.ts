import { type Selectable, sql } from 'kysely';
import { hasControlCharacters, isCstDate, SimdockError } from '../../domain/index.js';
import type { RepositoryContext } from '../store-context.js';
import { isForeignKeyViolation } from '../store-errors.js';
import type { Database } from '../store-schema.js';
import { writeTransaction } from '../store-sql.js';
import { idChunks } from './rules-tables.js';

/** A plan: a quota per billing cycle. */
export interface StoredPlan {
  id: number;
  name: string;
  /** Bytes allowed per cycle; null when the plan has no quota. */
  quotaBytes: number | null;
  /** The day of month cycles start on (1 = calendar month, CST). */
  cycleStartDay: number;
  createdAt: number;
}

/** What simdock knows of one card's plan and expiry. */
export interface CardPlanAssignment {
  cardId: number;
  plan: StoredPlan | null;
  /** CST date the card's service ends; null when unknown. */
  expiresOn: string | null;
}

export interface PlanInput {
  name: string;
  quotaBytes: number | null;
  cycleStartDay?: number;
}

type PlanRow = Selectable<Database['plans']>;

function toPlan(row: PlanRow): StoredPlan {
  return {
    id: Number(row.id),
    name: row.name,
    quotaBytes: row.quota_bytes === null ? null : Number(row.quota_bytes),
    cycleStartDay: Number(row.cycle_start_day),
    createdAt: Number(row.created_at),
  };
}

/** A plan's expiry dates as the kept per-card facts hold them (migration 0021's index). */
export interface PlanExpiry {
  /** The first expiry date from today on of a card on the plan; null: none. */
  nextExpiresOn: string | null;
  /** The last expiry date of a card on the plan (past or future); null: no card has one. */
  lastExpiresOn: string | null;
  /** Cards on the plan whose service ends from today to `withinDays` ahead, both included. */
  expiringSoon: number;
  /** Cards on the plan whose expiry date is before today. */
  expired: number;
}

/** Plans and the cards they are assigned to, with the cards' expiry dates. */
export class PlansRepository {
  readonly #store: RepositoryContext;
  readonly #now: () => number;

  constructor(store: RepositoryContext, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  #db() {
    return this.#store.db;
  }

  /** Creates a plan; a name already taken is `already_exists`. */
  async create(input: PlanInput): Promise<StoredPlan> {
    const name = input.name.trim();
    if (name === '') throw new SimdockError('invalid_argument', 'a plan needs a name');
    if (hasControlCharacters(name)) {
      throw new SimdockError('invalid_argument', 'a plan name may not hold control characters');
    }
    const cycleStartDay = input.cycleStartDay ?? 1;
    if (!Number.isInteger(cycleStartDay) || cycleStartDay < 1 || cycleStartDay > 31) {
      throw new SimdockError('invalid_argument', 'the cycle start day must be 1–31');
    }
    if (
      input.quotaBytes !== null &&
      !(Number.isSafeInteger(input.quotaBytes) && input.quotaBytes > 0)
    ) {
      throw new SimdockError(
        'invalid_argument',
        'the quota must be a positive whole number of bytes',
      );
    }
    if (await this.get(name)) {
      throw new SimdockError('already_exists', `a plan named "${name}" exists`);
    }
    const row = await this.#db()
      .insertInto('plans')
      .values({
        name,
        quota_bytes: input.quotaBytes,
        cycle_start_day: cycleStartDay,
        created_at: this.#now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPlan(row);
  }

  /** A plan by id or name, or null. */
  async get(idOrName: number | string): Promise<StoredPlan | null> {
    const query = this.#db().selectFrom('plans').selectAll();
    const row =
      typeof idOrName === 'number' || /^\d+$/.test(idOrName)
        ? await query.where('id', '=', Number(idOrName)).executeTakeFirst()
        : await query.where('name', '=', idOrName).executeTakeFirst();
    return row ? toPlan(row) : null;
  }

  /** A plan by id or name; unknown is `not_found`. */
  async require(idOrName: number | string): Promise<StoredPlan> {
    const plan = await this.get(idOrName);
    if (!plan) throw new SimdockError('not_found', `no plan "${idOrName}"`);
    return plan;
  }

  async list(): Promise<StoredPlan[]> {
    const rows = await this.#db().selectFrom('plans').selectAll().orderBy('id').execute();
    return rows.map(toPlan);
  }

  /** The ids of these accounts' cards that have no plan row (no plan and no expiry), by id. */
  async cardsWithoutPlan(accountIds: readonly string[]): Promise<number[]> {
    if (accountIds.length === 0) return [];
    const rows = await this.#db()
      .selectFrom('cards')
      .leftJoin('card_plans', 'card_plans.card_id', 'cards.id')
      .select('cards.id')
      .where('cards.account_id', 'in', [...accountIds])
      .where('card_plans.card_id', 'is', null)
      .orderBy('cards.id')
      .execute();
    return rows.map((row) => Number(row.id));
  }

  /**
   * Sets the plan and/or the expiry date of cards. A field left undefined keeps its value; null
   * clears it. Returns the number of cards written.
   */
  async assign(
    cardIds: readonly number[],
    change: { planId?: number | null; expiresOn?: string | null },
  ): Promise<number> {
    return (await this.assignCounting(cardIds, change)).named;
  }

  /**
   * `assign`, also counting the cards it changed: a card already on that plan (with that expiry
   * date, when one is given) is left as it was, so the same assignment made twice, even at the
   * same moment, changes each card once.
   */
  async assignCounting(
    cardIds: readonly number[],
    change: { planId?: number | null; expiresOn?: string | null },
  ): Promise<{ named: number; changed: number }> {
    if (change.expiresOn && !isCstDate(change.expiresOn)) {
      throw new SimdockError('invalid_argument', `"${change.expiresOn}" is not a YYYY-MM-DD date`);
    }
    const now = this.#now();
    const update: Partial<Database['card_plans']> = { updated_at: now };
    if (change.planId !== undefined) update.plan_id = change.planId;
    if (change.expiresOn !== undefined) update.expires_on = change.expiresOn;
    const unique = [...new Set(cardIds)].sort((left, right) => left - right);
    let changed = 0;
    for (const part of idChunks(unique, 2_000)) {
      // In a write transaction of its own: on PostgreSQL, meeting a deletion of the plan (or
      // another assignment) in a deadlock runs the chunk again instead of failing.
      const result = await writeTransaction(this.#db(), this.#store.dialect, (transaction) =>
        transaction
          .insertInto('card_plans')
          .values(
            part.map((cardId) => ({
              card_id: cardId,
              plan_id: change.planId ?? null,
              expires_on: change.expiresOn ?? null,
              updated_at: now,
            })),
          )
          .onConflict((conflict) =>
            conflict
              .column('card_id')
              .doUpdateSet(update)
              .where((eb) =>
                eb.or([
                  ...(change.planId !== undefined
                    ? [eb('card_plans.plan_id', 'is distinct from', eb.ref('excluded.plan_id'))]
                    : []),
                  ...(change.expiresOn !== undefined
                    ? [
                        eb(
                          'card_plans.expires_on',
                          'is distinct from',
                          eb.ref('excluded.expires_on'),
                        ),
                      ]
                    : []),
                ]),
              ),
          )
          .executeTakeFirst(),
      ).catch((error: unknown) => {
        // The plan (or a card) was deleted by another request since it was read.
        if (!isForeignKeyViolation(error)) throw error;
        throw new SimdockError(
          'not_found',
          `no plan ${change.planId}, or one of the cards is gone`,
          { details: { plan: change.planId ?? null } },
        );
      });
      changed += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return { named: unique.length, changed };
  }

  /** The plan and expiry of each card that has either (cards with neither are absent). */
  async forCards(cardIds: readonly number[]): Promise<Map<number, CardPlanAssignment>> {
    const plans = new Map((await this.list()).map((plan) => [plan.id, plan]));
    const result = new Map<number, CardPlanAssignment>();
    for (const part of idChunks([...new Set(cardIds)])) {
      const rows = await this.#db()
        .selectFrom('card_plans')
        .selectAll()
        .where('card_id', 'in', part)
        .execute();
      for (const row of rows) {
        const cardId = Number(row.card_id);
        result.set(cardId, {
          cardId,
          plan: row.plan_id === null ? null : (plans.get(Number(row.plan_id)) ?? null),
          expiresOn: row.expires_on,
        });
      }
    }
    return result;
  }

  /**
   * Cards per plan from the kept figures (migration 0015's `stats_cards`, summed over every
   * tenant, account and status): a grouped read of the small cube, never a scan of the cards.
   * Plans with no card are absent.
   */
  async cardCounts(): Promise<Map<number, number>> {
    const rows = await this.#db()
      .selectFrom('stats_cards')
      .select(['plan_id', sql<number>`sum(cards)`.as('cards')])
      .where('plan_id', 'is not', null)
      .groupBy('plan_id')
      .execute();
    return new Map(
      rows
        .filter((row) => Number(row.cards) !== 0)
        .map((row) => [Number(row.plan_id), Number(row.cards)]),
    );
  }

  /**
   * A plan's expiry dates, from `card_facts` through its (plan, expiry) index: two index seeks
   * for the first and last dates and two index ranges for the counts, which read only the cards
   * whose dates fall in them (CST dates compare as text).
   */
  async expiry(planId: number, today: string, soonLast: string): Promise<PlanExpiry> {
    const facts = () => this.#db().selectFrom('card_facts').where('plan_id', '=', planId);
    const next = await facts()
      .select(sql<string | null>`min(expires_on)`.as('date'))
      .where('expires_on', '>=', today)
      .executeTakeFirst();
    const last = await facts()
      .select(sql<string | null>`max(expires_on)`.as('date'))
      .where('expires_on', 'is not', null)
      .executeTakeFirst();
    const soon = await facts()
      .select(sql<number>`count(*)`.as('n'))
      .where('expires_on', '>=', today)
      .where('expires_on', '<=', soonLast)
      .executeTakeFirst();
    const expired = await facts()
      .select(sql<number>`count(*)`.as('n'))
      .where('expires_on', '<', today)
      .executeTakeFirst();
    return {
      nextExpiresOn: next?.date ?? null,
      lastExpiresOn: last?.date ?? null,
      expiringSoon: Number(soon?.n ?? 0),
      expired: Number(expired?.n ?? 0),
    };
  }

  /** The ids of the cards on a plan. */
  async cardIds(planId: number): Promise<number[]> {
    const rows = await this.#db()
      .selectFrom('card_plans')
      .select('card_id')
      .where('plan_id', '=', planId)
      .orderBy('card_id')
      .execute();
    return rows.map((row) => Number(row.card_id));
  }

  /** Writes the given columns of a plan (already checked by the caller). */
  async updateColumns(
    id: number,
    changes: { name?: string; quota_bytes?: number | null; cycle_start_day?: number },
  ): Promise<void> {
    if (Object.keys(changes).length === 0) return;
    await this.#db().updateTable('plans').set(changes).where('id', '=', id).execute();
  }

  /**
   * Deletes a plan; its cards stay, on no plan (their expiry dates kept). One transaction.
   * `not_found` when there was no such plan left to delete (another request deleted it meanwhile).
   */
  async delete(id: number): Promise<void> {
    // A write transaction: a deadlock with an assignment to the plan runs it again.
    await writeTransaction(this.#db(), this.#store.dialect, async (transaction) => {
      await transaction
        .updateTable('card_plans')
        .set({ plan_id: null })
        .where('plan_id', '=', id)
        .execute();
      const result = await transaction.deleteFrom('plans').where('id', '=', id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) {
        throw new SimdockError('not_found', `no plan ${id}`, { details: { plan: id } });
      }
    });
  }
}
