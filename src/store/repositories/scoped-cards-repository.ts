import {
  type RawBuilder,
  type Selectable,
  type SelectQueryBuilder,
  type SqlBool,
  sql,
} from 'kysely';
import { type CardScope, cardVisible, subtreePattern } from '../card-scope.js';
import type { RepositoryContext } from '../store-context.js';
import type { Database } from '../store-schema.js';
import type { CardsTable } from '../tables/index.js';
import { currentUsageOrder } from '../usage-order.js';
import { idChunks } from './rules-tables.js';

const comparison = (order: 'asc' | 'desc') => sql.raw(order === 'asc' ? '>' : '<');

export type { CardScope } from '../card-scope.js';

/** The columns a card list may be sorted by. */
export type CardListSort = 'id' | 'iccid' | 'msisdn' | 'status' | 'usage';

/** What one page of a scoped card list asks for (checked by the caller). */
export interface ScopedCardPageQuery {
  /** CST `YYYY-MM`: the month whose bytes are shown, filtered and sorted on. */
  month: string;
  /** Accounts that bill on another cycle than the calendar month (see `UsageCycles`). */
  cycles?: UsageCycles;
  status?: string;
  account?: string;
  supplier?: string;
  /** Cards assigned to this tenant or below it. */
  tenant?: CardScope;
  tag?: string;
  usageMin?: number;
  usageMax?: number;
  /**
   * Cards on a plan with a quota that used at least this share of it, in percent, counted as the
   * dashboard counts quota use (`planStats`): on a plan whose cycle starts on the 1st, the kept
   * cycle row of `month`; on another plan, the kept row of its plan's current cycle
   * (`quotaCycles`, migration 0029).
   */
  quotaMin?: number;
  /** The keys of the current plan cycles that do not start on the 1st (`cycleUsageKey`). */
  quotaCycles?: readonly string[];
  /** Cards whose plan service ends from `from` to `to` (CST dates, both included). */
  expires?: { from: string; to: string };
  /** Upper-cased free text over every identifier. */
  search?: string;
  sort: CardListSort;
  order: 'asc' | 'desc';
  /** The keyset position: rows strictly after it in the list's order. */
  after?: { key: string | number; id: number } | null;
  /** Rows asked for (the caller asks one more than it shows, to know there is a next page). */
  limit: number;
}

/** One row of a card list page. */
export type ScopedCardPageRow = Selectable<CardsTable> & {
  usage_this_month: number | string | null;
  sort_key: string | number;
  tenant_id: string | null;
  tag_list: string | null;
};

/**
 * Accounts whose current billing cycle is not the calendar month: the `usage_monthly` month that
 * holds the supplier's figure for the cycle (null: none does, daily rows only) and the cycle's
 * CST dates. Cards of other accounts count the calendar month.
 */
/** The filters of a scoped card list, without sort and position (a count's question). */
export type ScopedCardFilter = Omit<ScopedCardPageQuery, 'sort' | 'order' | 'after' | 'limit'>;

export type UsageCycles = ReadonlyMap<string, { month: string | null; from: string; to: string }>;

/**
 * Cards as one tenant sees them (its subtree; the root sees all): visibility, the card list
 * with this month's bytes, tags and tenants, assignment (划卡) and usage totals.
 */
export class ScopedCardsRepository {
  readonly #store: RepositoryContext;
  readonly #scope: CardScope;

  constructor(store: RepositoryContext, scope: CardScope) {
    this.#store = store;
    this.#scope = scope;
  }

  #db() {
    return this.#store.db;
  }

  /**
   * The SQL of a month's bytes of `cards.id`, or null: the kept cycle row (migration 0015; one
   * primary-key look-up) of the month figure, else the sum of the month's days. Accounts billing
   * on another cycle than the calendar month (`cycles`) count their cycle's figure instead.
   */
  #usageExpression(month: string, cycles?: UsageCycles) {
    if (cycles && cycles.size > 0) {
      const byAccount = (
        pick: (cycle: { month: string | null; from: string; to: string }) => string,
        fallback: string,
      ) =>
        sql<string>`(case cards.account_id ${sql.join(
          [...cycles].map(([account, cycle]) => sql`when ${account} then ${pick(cycle)}`),
          sql` `,
        )} else ${fallback} end)`;
      // '' never matches a month: an account overriding its supplier's cycle counts daily rows.
      const monthly = byAccount((cycle) => cycle.month ?? '', month);
      const from = byAccount((cycle) => cycle.from, `${month}-01`);
      const to = byAccount((cycle) => cycle.to, `${month}-31`);
      return sql<number | null>`coalesce(
      (select um.bytes from usage_monthly um where um.card_id = cards.id and um.month = ${monthly}),
      (select sum(ud.bytes) from usage_daily ud
        where ud.card_id = cards.id and ud.date >= ${from} and ud.date <= ${to}))`;
    }
    return sql<number | null>`(select ccu.bytes from card_cycle_usage ccu
      where ccu.card_id = cards.id and ccu.cycle = ${month})`;
  }

  /** The condition that keeps a card inside a subtree (none for the root). */
  #visible(scope: CardScope = this.#scope) {
    return cardVisible(scope, 'cards.id');
  }

  /** The visible subset of `ids`. */
  async visibleIds(ids: readonly number[]): Promise<Set<number>> {
    const visible = new Set<number>();
    for (const part of idChunks(ids)) {
      const rows = await this.#db()
        .selectFrom('cards')
        .select('id')
        .where('id', 'in', part)
        .where(this.#visible())
        .execute();
      for (const row of rows) visible.add(Number(row.id));
    }
    return visible;
  }

  /**
   * One page of visible cards (card columns, `usage_this_month`, `sort_key`, `tenant_id` and
   * `tag_list`, tags joined by commas), filtered and sorted.
   */
  async page(query: ScopedCardPageQuery) {
    if (readsUsageOrder(query)) await currentUsageOrder(this.#store);
    // The usage order's index serves calendar-month usage sorts; a fleet with accounts on
    // another billing cycle sorts on the computed figure.
    if (query.sort === 'usage' && !query.cycles?.size) {
      return this.#usagePage(query);
    }
    const usage = this.#usageExpression(query.month, query.cycles);
    const order = query.order;
    const sortKey: RawBuilder<string | number> = {
      id: sql<number>`cards.id`,
      iccid: sql<string>`coalesce(cards.iccid, '')`,
      msisdn: sql<string>`coalesce(cards.msisdn, '')`,
      status: sql<string>`cards.status`,
      usage: sql<number>`coalesce(${usage}, -1)`,
    }[query.sort];
    const select = this.#filtered(
      this.#db()
        .selectFrom('cards')
        .selectAll('cards')
        .select(usage.as('usage_this_month'))
        .select(sortKey.as('sort_key'))
        .where(this.#visible()),
      query,
      usage,
    );
    const after = query.after;
    const positioned = !after
      ? select
      : select.where(
          // The leading `>=`/`<=` is implied by the rest; it is there so that PostgreSQL starts the
          // sort index (migration 0010) at the cursor instead of filtering every row before it.
          sql<SqlBool>`(${sortKey} ${comparison(order)}= ${after.key} and (${sortKey} ${comparison(order)} ${after.key} or (${sortKey} = ${after.key} and cards.id ${comparison(order)} ${after.id})))`,
        );
    const limited = positioned
      .orderBy(sql`sort_key`, order)
      .orderBy('cards.id', order)
      .limit(query.limit);
    return this.#decorated(limited, order);
  }

  /**
   * Each page row's tenant and tags in the same statement (one round trip, not three), asked
   * only for the page's rows: the outer query reads the inner's rows in their order.
   */
  async #decorated(
    // biome-ignore lint/suspicious/noExplicitAny: the page's inner query differs per sort.
    limited: SelectQueryBuilder<Database, any, any>,
    order: 'asc' | 'desc',
  ): Promise<ScopedCardPageRow[]> {
    const rows = await this.#db()
      .selectFrom(limited.as('page'))
      .selectAll('page')
      .select([
        sql<string | null>`(select ct.tenant_id from card_tenants ct
          where ct.card_id = page.id)`.as('tenant_id'),
        sql<string | null>`(select string_agg(tg.tag, ',' order by tg.tag) from card_tags tg
          where tg.card_id = page.id)`.as('tag_list'),
      ])
      .orderBy(sql`page.sort_key`, order)
      .orderBy('page.id', order)
      .execute();
    return rows as ScopedCardPageRow[];
  }

  /**
   * A page sorted by this cycle's bytes, through the usage order's index (migration 0031):
   * the cards with a figure come from `usage_order (cycle, bytes, card_id)` in order, the
   * cards without one (sort key -1) by id; descending lists the first then the second, ascending
   * the reverse. The keyset cursor's key (-1 or bytes) says which part it is in.
   */
  async #usagePage(query: ScopedCardPageQuery) {
    const order = query.order;
    const comparison = order === 'asc' ? sql.raw('>') : sql.raw('<');
    const after = query.after ?? null;
    const inUnknown = after !== null && Number(after.key) === -1;
    const usageFiltered =
      query.usageMin !== undefined || query.usageMax !== undefined || query.quotaMin !== undefined;
    const known = (limit: number, from: { key: string | number; id: number } | null) => {
      let select = this.#db()
        .selectFrom('usage_order as o')
        .innerJoin('cards', 'cards.id', 'o.card_id')
        .selectAll('cards')
        .select([sql<number>`o.bytes`.as('usage_this_month'), sql<number>`o.bytes`.as('sort_key')])
        .where('o.cycle', '=', query.month);
      for (const scope of [this.#scope, query.tenant]) {
        if (scope && !scope.isRoot) {
          select = select.where('o.tenant_path', 'like', subtreePattern(scope.tenantPath));
        }
      }
      // The copy's path narrows the walk; the card's own assignment decides what the caller may
      // see (a reassignment committed since the last fold changes the one, not the other).
      select = select.where(this.#visible());
      for (const condition of this.#cardConditions(query)) select = select.where(condition);
      if (query.usageMin !== undefined) select = select.where('o.bytes', '>=', query.usageMin);
      if (query.usageMax !== undefined) select = select.where('o.bytes', '<=', query.usageMax);
      if (query.quotaMin !== undefined) {
        // Without plans cycling from another day, the row in hand says it; else see `quotaUsed`.
        select = query.quotaCycles?.length
          ? select.where(quotaUsed(query.month, query.quotaMin, query.quotaCycles))
          : select
              .where('o.used_permille', '>=', query.quotaMin * 10)
              .where(sql<SqlBool>`o.plan_id in (select id from plans where cycle_start_day = 1)`);
      }
      if (from) {
        select = select.where(
          sql<SqlBool>`(o.bytes ${comparison}= ${from.key} and (o.bytes ${comparison} ${from.key} or (o.bytes = ${from.key} and o.card_id ${comparison} ${from.id})))`,
        );
      }
      return this.#decorated(
        select.orderBy('o.bytes', order).orderBy('o.card_id', order).limit(limit),
        order,
      );
    };
    const unknown = (limit: number, from: { id: number } | null) => {
      let select = this.#db()
        .selectFrom('cards')
        .selectAll('cards')
        .select([sql<number | null>`null`.as('usage_this_month'), sql<number>`-1`.as('sort_key')])
        .where(
          sql<SqlBool>`not exists (select 1 from card_cycle_usage u where u.card_id = cards.id
            and u.cycle = ${query.month} and u.bytes is not null)`,
        )
        .where(this.#visible());
      if (query.tenant !== undefined) select = select.where(this.#visible(query.tenant));
      for (const condition of this.#cardConditions(query)) select = select.where(condition);
      if (from) {
        select = select.where(sql<SqlBool>`cards.id ${comparison} ${from.id}`);
      }
      return this.#decorated(select.orderBy('cards.id', order).limit(limit), order);
    };
    const parts: Awaited<ReturnType<typeof known>>[] = [];
    const wanted = query.limit;
    const rows = () => parts.flat();
    if (order === 'desc') {
      if (!inUnknown) parts.push(await known(wanted, after));
      if (!usageFiltered && rows().length < wanted) {
        parts.push(await unknown(wanted - rows().length, inUnknown ? after : null));
      }
    } else {
      if (!usageFiltered && (after === null || inUnknown)) {
        parts.push(await unknown(wanted, inUnknown ? after : null));
      }
      if (rows().length < wanted) {
        parts.push(await known(wanted - rows().length, inUnknown ? null : after));
      }
    }
    return rows();
  }

  /** The card-column conditions of a page query: status, account, supplier, tag, free text. */
  #cardConditions(query: ScopedCardPageQuery): RawBuilder<SqlBool>[] {
    const conditions: RawBuilder<SqlBool>[] = [];
    if (query.status !== undefined) conditions.push(sql<SqlBool>`cards.status = ${query.status}`);
    if (query.account !== undefined) {
      conditions.push(sql<SqlBool>`cards.account_id = ${query.account}`);
    }
    if (query.supplier !== undefined) {
      conditions.push(sql<SqlBool>`cards.supplier = ${query.supplier}`);
    }
    if (query.tag !== undefined) {
      conditions.push(
        sql<SqlBool>`exists (select 1 from card_tags tg where tg.card_id = cards.id and tg.tag = ${query.tag})`,
      );
    }
    if (query.expires !== undefined) {
      conditions.push(
        sql<SqlBool>`exists (select 1 from card_plans ep where ep.card_id = cards.id
          and ep.expires_on >= ${query.expires.from} and ep.expires_on <= ${query.expires.to})`,
      );
    }
    const search = query.search ?? '';
    if (search !== '') {
      // As in `page`: identifiers are digits and upper-case A–F.
      const pattern = `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
      conditions.push(
        sql<SqlBool>`(${sql.join(
          (['iccid', 'msisdn', 'imsi', 'imei'] as const).map(
            (column) => sql`${sql.ref(`cards.${column}`)} like ${pattern} escape '\\'`,
          ),
          sql` or `,
        )})`,
      );
    }
    return conditions;
  }

  /**
   * How many visible cards match `filter`. With `cap`, counting stops after `cap` rows (the
   * answer is then `cap + 1`, meaning "more than cap"): filters on usage, quota and free text
   * read every candidate row, the others count through indexes.
   */
  async count(filter: ScopedCardFilter, cap?: number): Promise<number> {
    if (readsUsageOrder(filter)) await currentUsageOrder(this.#store);
    const usage = this.#usageExpression(filter.month, filter.cycles);
    const select = this.#filtered(
      this.#db().selectFrom('cards').select('cards.id').where(this.#visible()),
      filter,
      usage,
    );
    const bounded = cap === undefined ? select : select.limit(cap + 1);
    const row = await this.#db()
      .selectFrom(bounded.as('matching'))
      .select(sql<number>`count(*)`.as('count'))
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  /** `select` narrowed by the filters of `query` (`usage`: the usage expression). */
  // biome-ignore lint/suspicious/noExplicitAny: any select over `cards`, whatever it selects
  #filtered<S extends SelectQueryBuilder<any, any, any>>(
    select: S,
    query: ScopedCardFilter,
    usage: RawBuilder<number | null>,
  ): S {
    let narrowed = select as SelectQueryBuilder<Database, 'cards', unknown>;
    if (query.status !== undefined) narrowed = narrowed.where('cards.status', '=', query.status);
    if (query.account !== undefined)
      narrowed = narrowed.where('cards.account_id', '=', query.account);
    if (query.supplier !== undefined)
      narrowed = narrowed.where('cards.supplier', '=', query.supplier);
    if (query.tenant !== undefined) narrowed = narrowed.where(this.#visible(query.tenant));
    if (query.tag !== undefined) {
      narrowed = narrowed.where(
        sql<SqlBool>`exists (select 1 from card_tags tg where tg.card_id = cards.id and tg.tag = ${query.tag})`,
      );
    }
    if ((query.usageMin !== undefined || query.usageMax !== undefined) && !query.cycles?.size) {
      // Calendar-month usage: a range of the usage order's bytes index (migration 0031), so
      // a filter that few cards match reads those few, not every card's usage.
      const bounds: RawBuilder<SqlBool>[] = [];
      if (query.usageMin !== undefined) bounds.push(sql<SqlBool>`o.bytes >= ${query.usageMin}`);
      if (query.usageMax !== undefined) bounds.push(sql<SqlBool>`o.bytes <= ${query.usageMax}`);
      narrowed = narrowed.where(
        sql<SqlBool>`cards.id in (select o.card_id from usage_order o
          where o.cycle = ${query.month} and ${sql.join(bounds, sql` and `)})`,
      );
    } else {
      if (query.usageMin !== undefined)
        narrowed = narrowed.where(sql<SqlBool>`${usage} >= ${query.usageMin}`);
      if (query.usageMax !== undefined)
        narrowed = narrowed.where(sql<SqlBool>`${usage} <= ${query.usageMax}`);
    }
    const search = query.search ?? '';
    if (search !== '') {
      // Identifiers are digits and upper-case A–F, so an upper-cased pattern matches alike on
      // SQLite (LIKE ignores ASCII case) and PostgreSQL (LIKE respects it).
      const pattern = `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
      narrowed = narrowed.where((where) =>
        where.or(
          (['iccid', 'msisdn', 'imsi', 'imei'] as const).map(
            (column) => sql<SqlBool>`${sql.ref(`cards.${column}`)} like ${pattern} escape '\\'`,
          ),
        ),
      );
    }
    if (query.quotaMin !== undefined) {
      narrowed = narrowed.where(quotaUsed(query.month, query.quotaMin, query.quotaCycles));
    }
    if (query.expires !== undefined) {
      narrowed = narrowed.where(
        sql<SqlBool>`exists (select 1 from card_plans ep where ep.card_id = cards.id
          and ep.expires_on >= ${query.expires.from} and ep.expires_on <= ${query.expires.to})`,
      );
    }
    return narrowed as unknown as S;
  }

  /** One card's columns and a month's bytes (`usage_this_month`), visible or not. */
  async withUsage(id: number, month: string, cycles?: UsageCycles) {
    const [row] = await this.#db()
      .selectFrom('cards')
      .selectAll('cards')
      .select(this.#usageExpression(month, cycles).as('usage_this_month'))
      .where('cards.id', '=', id)
      .execute();
    return row ?? null;
  }

  /** Tenants and tags (sorted) of the given cards. */
  async decorations(ids: readonly number[]) {
    const tenants = new Map<number, string>();
    const tags = new Map<number, string[]>();
    if (ids.length === 0) return { tenants, tags };
    for (const row of await this.#db()
      .selectFrom('card_tenants')
      .select(['card_id', 'tenant_id'])
      .where('card_id', 'in', [...ids])
      .execute()) {
      tenants.set(Number(row.card_id), row.tenant_id);
    }
    for (const row of await this.#db()
      .selectFrom('card_tags')
      .select(['card_id', 'tag'])
      .where('card_id', 'in', [...ids])
      .orderBy('tag')
      .execute()) {
      const list = tags.get(Number(row.card_id)) ?? [];
      list.push(row.tag);
      tags.set(Number(row.card_id), list);
    }
    return { tenants, tags };
  }

  /** Adds and removes tags of one card; returns its tags, sorted. */
  async changeTags(id: number, add: readonly string[], remove: readonly string[]) {
    const db = this.#db();
    if (add.length > 0) {
      await db
        .insertInto('card_tags')
        .values(add.map((tag) => ({ card_id: id, tag })))
        .onConflict((conflict) => conflict.columns(['card_id', 'tag']).doNothing())
        .execute();
    }
    if (remove.length > 0) {
      await db
        .deleteFrom('card_tags')
        .where('card_id', '=', id)
        .where('tag', 'in', [...remove])
        .execute();
    }
    const rows = await db
      .selectFrom('card_tags')
      .select('tag')
      .where('card_id', '=', id)
      .orderBy('tag')
      .execute();
    return rows.map((row) => row.tag);
  }

  /**
   * Unassigns cards (the root tenant's own cards are simply unassigned). Returns how many were
   * assigned before.
   */
  async unassign(ids: readonly number[]): Promise<number> {
    let changed = 0;
    for (let start = 0; start < ids.length; start += 2000) {
      const result = await this.#db()
        .deleteFrom('card_tenants')
        .where('card_id', 'in', ids.slice(start, start + 2000))
        .executeTakeFirst();
      changed += Number(result.numDeletedRows);
    }
    return changed;
  }

  /**
   * Assigns cards to a tenant (划卡), replacing any earlier assignment. Returns how many cards
   * changed hands: a card already the tenant's is left as it was (and not counted), so the same
   * assignment made twice, even at the same moment, changes each card once.
   */
  async assign(
    ids: readonly number[],
    tenant: { id: string; path: string },
    now: number,
  ): Promise<number> {
    let changed = 0;
    // Four values a row: 2,000 rows a statement stays under SQLite's 32,766 variables.
    for (let start = 0; start < ids.length; start += 2000) {
      changed += await this.#assignChunk(ids.slice(start, start + 2000), tenant, now);
    }
    return changed;
  }

  async #assignChunk(
    ids: readonly number[],
    tenant: { id: string; path: string },
    now: number,
  ): Promise<number> {
    const result = await this.#db()
      .insertInto('card_tenants')
      .values(
        ids.map((id) => ({
          card_id: id,
          tenant_id: tenant.id,
          tenant_path: tenant.path,
          assigned_at: now,
        })),
      )
      .onConflict((conflict) =>
        conflict
          .column('card_id')
          .doUpdateSet((update) => ({
            tenant_id: update.ref('excluded.tenant_id'),
            tenant_path: update.ref('excluded.tenant_path'),
            assigned_at: update.ref('excluded.assigned_at'),
          }))
          .whereRef('card_tenants.tenant_path', '!=', 'excluded.tenant_path'),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  }

  /** Bytes used in a CST month by the visible cards, per account or per assigned tenant. */
  async usageTotals(
    month: string,
    groupBy: 'account' | 'tenant',
  ): Promise<{ key: string | null; cards: number; bytes: number }[]> {
    const group =
      groupBy === 'account'
        ? sql<string | null>`cards.account_id`
        : sql<
            string | null
          >`(select ct.tenant_id from card_tenants ct where ct.card_id = cards.id)`;
    const rows = await this.#db()
      .selectFrom('usage_monthly')
      .innerJoin('cards', 'cards.id', 'usage_monthly.card_id')
      .select([
        group.as('group_key'),
        sql<number>`count(*)`.as('cards'),
        sql<number>`sum(usage_monthly.bytes)`.as('bytes'),
      ])
      .where('usage_monthly.month', '=', month)
      .where(this.#visible())
      .groupBy(sql`group_key`)
      .orderBy(sql`group_key`)
      .execute();
    return rows.map((row) => {
      const record = row as unknown as { group_key: string | null; cards: unknown; bytes: unknown };
      return { key: record.group_key, cards: Number(record.cards), bytes: Number(record.bytes) };
    });
  }
}

/** Whether a page or count reads `usage_order` (whose pending keys are folded first). */
function readsUsageOrder(query: ScopedCardFilter & { sort?: string }): boolean {
  const calendar = !query.cycles?.size;
  return (
    query.quotaMin !== undefined ||
    (calendar &&
      (query.sort === 'usage' || query.usageMin !== undefined || query.usageMax !== undefined))
  );
}

/**
 * Cards at or over `percent` of their plan's quota, as the dashboard counts them: the usage
 * order's quota index (migration 0031), at `month` for plans cycling from the 1st and at the
 * current plan cycle's key for the others (`cycles`, migration 0029; such keys never equal a
 * month).
 */
function quotaUsed(
  month: string,
  percent: number,
  cycles: readonly string[] = [],
): RawBuilder<SqlBool> {
  return sql<SqlBool>`cards.id in (select q.card_id from usage_order q
    join plans qp on qp.id = q.plan_id
    where q.cycle in (${sql.join([month, ...cycles])})
      and (q.cycle <> ${month} or qp.cycle_start_day = 1)
      and q.used_permille >= ${percent * 10})`;
}
