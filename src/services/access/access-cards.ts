import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { type CardStatus, cstMonth, isCardStatus, SimdockError } from '../../domain/index.js';
import type { StoredCard } from '../../store/index.js';
import { accessDb, subtreePattern } from '../../store/repositories/access-tables.js';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import type { ServiceContext } from '../context.js';
import { type CardView, cardView } from '../inventory/cards.js';
import type { Principal } from './access-roles.js';

/** The columns a card list may be sorted by. */
export const CARD_SORTS = ['id', 'iccid', 'msisdn', 'status', 'usage'] as const;
export type CardSort = (typeof CARD_SORTS)[number];

/** A card as the API shows it: the inventory view, its tenant, tags and this month's bytes. */
export interface ScopedCardView extends CardView {
  /** The tenant the card is assigned to; null = not assigned (the operator's own). */
  tenant: string | null;
  tags: string[];
  /** Bytes used this CST month (monthly figure, else the sum of daily rows); null = unknown. */
  usageThisMonth: number | null;
}

export interface ScopedCardQuery {
  status?: string;
  account?: string;
  supplier?: string;
  /** A tenant id: cards assigned to it or anywhere below it. */
  tenant?: string;
  tag?: string;
  /** This month's bytes, inclusive bounds. */
  usageMin?: number;
  usageMax?: number;
  /** Free text over every identifier. */
  q?: string;
  sort?: CardSort;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
}

const TAG = /^[\p{L}\p{N}_.:-]{1,64}$/u;

/** Throws `invalid_argument` unless `tag` is 1–64 letters, digits, `_ . : -`. */
export function requireTag(tag: string): string {
  if (!TAG.test(tag)) {
    throw new SimdockError(
      'invalid_argument',
      `tag "${tag}" must be 1–64 letters, digits, _ . : -`,
      {
        details: { field: 'tag', value: tag },
      },
    );
  }
  return tag;
}

/** Cards seen through a caller's tenant subtree: everything else does not exist for it. */
export class ScopedCards {
  readonly #context: ServiceContext;
  readonly #principal: Principal;

  constructor(context: ServiceContext, principal: Principal) {
    this.#context = context;
    this.#principal = principal;
  }

  #db() {
    return accessDb(this.#context.store);
  }

  /** The SQL of this month's bytes of `cards.id`, or null. */
  #usageExpression() {
    const month = cstMonth(this.#context.clock.now());
    return sql<number | null>`coalesce(
      (select um.bytes from usage_monthly um where um.card_id = cards.id and um.month = ${month}),
      (select sum(ud.bytes) from usage_daily ud
        where ud.card_id = cards.id and ud.date >= ${`${month}-01`} and ud.date <= ${`${month}-31`}))`;
  }

  /** The condition that keeps a card inside the caller's subtree (none for the root). */
  #visible(path = this.#principal.tenantPath, always = this.#principal.isRoot) {
    if (always) return sql<SqlBool>`1 = 1`;
    return sql<SqlBool>`exists (select 1 from card_tenants ct where ct.card_id = cards.id
      and ct.tenant_path like ${subtreePattern(path)})`;
  }

  /** The card when the caller may see it; `not_found` otherwise (existence does not leak). */
  async get(id: number): Promise<StoredCard> {
    const card = Number.isSafeInteger(id) ? await this.#context.store.cards.get(id) : null;
    if (!card || !(await this.#isVisible([id])).has(id)) {
      throw new SimdockError('not_found', `no card ${id}`, { details: { card: id } });
    }
    return card;
  }

  /** The visible subset of `ids`. */
  async #isVisible(ids: number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await this.#db()
      .selectFrom('cards')
      .select('id')
      .where('id', 'in', ids)
      .where(this.#visible())
      .execute();
    return new Set(rows.map((row) => Number(row.id)));
  }

  /** Every id of `ids` must be visible, else `not_found` naming the first that is not. */
  async requireAll(ids: number[]): Promise<void> {
    const visible = await this.#isVisible(ids);
    const missing = ids.find((id) => !visible.has(id));
    if (missing !== undefined) {
      throw new SimdockError('not_found', `no card ${missing}`, { details: { card: missing } });
    }
  }

  /** One page of visible cards, filtered and sorted, with a keyset cursor. */
  async list(
    query: ScopedCardQuery,
  ): Promise<{ cards: ScopedCardView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 100;
    const sort = query.sort ?? 'id';
    const order = query.order ?? 'asc';
    if (query.status !== undefined && !isCardStatus(query.status)) {
      throw new SimdockError('invalid_argument', `unknown status "${query.status}"`, {
        details: { field: 'status', value: query.status },
      });
    }
    const usage = this.#usageExpression();
    const sortKey: RawBuilder<string | number> = {
      id: sql<number>`cards.id`,
      iccid: sql<string>`coalesce(cards.iccid, '')`,
      msisdn: sql<string>`coalesce(cards.msisdn, '')`,
      status: sql<string>`cards.status`,
      usage: sql<number>`coalesce(${usage}, -1)`,
    }[sort];
    let select = this.#db()
      .selectFrom('cards')
      .selectAll('cards')
      .select(usage.as('usage_this_month'))
      .select(sortKey.as('sort_key'))
      .where(this.#visible());
    if (query.status !== undefined) select = select.where('cards.status', '=', query.status);
    if (query.account !== undefined) select = select.where('cards.account_id', '=', query.account);
    if (query.supplier !== undefined) select = select.where('cards.supplier', '=', query.supplier);
    if (query.tenant !== undefined) {
      const tenant = await new TenantsRepository(this.#context.store).requireInScope(
        query.tenant,
        this.#principal.tenantPath,
      );
      select = select.where(this.#visible(tenant.path, tenant.parentId === null));
    }
    if (query.tag !== undefined) {
      const tag = requireTag(query.tag);
      select = select.where(
        sql<SqlBool>`exists (select 1 from card_tags tg where tg.card_id = cards.id and tg.tag = ${tag})`,
      );
    }
    if (query.usageMin !== undefined)
      select = select.where(sql<SqlBool>`${usage} >= ${query.usageMin}`);
    if (query.usageMax !== undefined)
      select = select.where(sql<SqlBool>`${usage} <= ${query.usageMax}`);
    const search = query.q?.trim().toUpperCase() ?? '';
    if (search !== '') {
      // Identifiers are digits and upper-case A–F, so an upper-cased pattern matches alike on
      // SQLite (LIKE ignores ASCII case) and PostgreSQL (LIKE respects it).
      const pattern = `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
      select = select.where((where) =>
        where.or(
          (['iccid', 'msisdn', 'imsi', 'imei'] as const).map(
            (column) => sql<SqlBool>`${sql.ref(`cards.${column}`)} like ${pattern} escape '\\'`,
          ),
        ),
      );
    }
    const after = parseCardCursor(query.cursor, sort);
    if (after) {
      const comparison = order === 'asc' ? sql.raw('>') : sql.raw('<');
      // The leading `>=`/`<=` is implied by the rest; it is there so that PostgreSQL starts the
      // sort index (migration 0010) at the cursor instead of filtering every row before it.
      select = select.where(
        sql<SqlBool>`(${sortKey} ${comparison}= ${after.key} and (${sortKey} ${comparison} ${after.key} or (${sortKey} = ${after.key} and cards.id ${comparison} ${after.id})))`,
      );
    }
    const limited = select
      .orderBy(sql`sort_key`, order)
      .orderBy('cards.id', order)
      .limit(limit + 1);
    // Each page row's tenant and tags in the same statement (one round trip, not three), asked
    // only for the page's rows: the outer query reads the inner's limit+1 rows in their order.
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
    const page = rows.slice(0, limit);
    // Object.assign, not `{...cardView(…), tenant, …}`: V8 builds a spread-then-extended literal
    // about a hundred times slower (some 5 µs a row, a fifth of a page's CPU).
    const cards = page.map((row) =>
      Object.assign(cardView(this.#toStored(row)), {
        tenant: row.tenant_id ?? null,
        // Tags are letters, digits and `_ . : -` (requireTag), so a comma cannot occur in one.
        tags: row.tag_list === null || row.tag_list === undefined ? [] : row.tag_list.split(','),
        usageThisMonth: row.usage_this_month === null ? null : Number(row.usage_this_month),
      }),
    );
    const last = page.at(-1);
    const nextCursor =
      rows.length > limit && last ? encodeCardCursor(sort, last.sort_key, Number(last.id)) : null;
    return { cards, nextCursor };
  }

  #toStored(row: Record<string, unknown>): StoredCard {
    const instant = (value: unknown) => (value === null ? null : Number(value));
    const status = String(row.status);
    return {
      id: Number(row.id),
      account: String(row.account_id),
      supplier: String(row.supplier),
      iccid: (row.iccid as string | null) ?? null,
      msisdn: (row.msisdn as string | null) ?? null,
      imsi: (row.imsi as string | null) ?? null,
      imei: (row.imei as string | null) ?? null,
      status: (isCardStatus(status) ? status : 'unknown') as CardStatus,
      statusRaw: (row.status_raw as string | null) ?? null,
      statusChangedAt: instant(row.status_changed_at),
      identitiesSyncedAt: instant(row.identities_synced_at),
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  }

  /** Tenants and tags of the given cards. */
  async #decorations(ids: number[]) {
    const tenants = new Map<number, string>();
    const tags = new Map<number, string[]>();
    if (ids.length === 0) return { tenants, tags };
    for (const row of await this.#db()
      .selectFrom('card_tenants')
      .select(['card_id', 'tenant_id'])
      .where('card_id', 'in', ids)
      .execute()) {
      tenants.set(Number(row.card_id), row.tenant_id);
    }
    for (const row of await this.#db()
      .selectFrom('card_tags')
      .select(['card_id', 'tag'])
      .where('card_id', 'in', ids)
      .orderBy('tag')
      .execute()) {
      const list = tags.get(Number(row.card_id)) ?? [];
      list.push(row.tag);
      tags.set(Number(row.card_id), list);
    }
    return { tenants, tags };
  }

  /** One visible card with its tenant, tags and this month's bytes. */
  async view(id: number): Promise<ScopedCardView> {
    await this.get(id);
    const [row] = await this.#db()
      .selectFrom('cards')
      .selectAll('cards')
      .select(this.#usageExpression().as('usage_this_month'))
      .where('cards.id', '=', id)
      .execute();
    if (!row) throw new SimdockError('not_found', `no card ${id}`, { details: { card: id } });
    const decorations = await this.#decorations([id]);
    return Object.assign(cardView(this.#toStored(row)), {
      tenant: decorations.tenants.get(id) ?? null,
      tags: decorations.tags.get(id) ?? [],
      usageThisMonth: row.usage_this_month === null ? null : Number(row.usage_this_month),
    });
  }

  /** Adds and removes tags of one visible card; returns its tags. */
  async changeTags(id: number, change: { add?: string[]; remove?: string[] }): Promise<string[]> {
    await this.get(id);
    const add = [...new Set((change.add ?? []).map(requireTag))];
    const remove = [...new Set((change.remove ?? []).map(requireTag))];
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
        .where('tag', 'in', remove)
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
   * Assigns visible cards to a tenant of the caller's subtree (划卡), or takes them back to the
   * caller's own tenant when `tenantId` is null (the root's own cards are simply unassigned).
   */
  async assign(ids: number[], tenantId: string | null): Promise<{ assigned: number }> {
    await this.requireAll(ids);
    const tenants = new TenantsRepository(this.#context.store);
    const target =
      tenantId === null
        ? await tenants.requireInScope(this.#principal.tenantId, this.#principal.tenantPath)
        : await tenants.requireInScope(tenantId, this.#principal.tenantPath);
    const db = this.#db();
    if (target.parentId === null) {
      await db.deleteFrom('card_tenants').where('card_id', 'in', ids).execute();
      return { assigned: ids.length };
    }
    const now = this.#context.clock.now();
    await db
      .insertInto('card_tenants')
      .values(
        ids.map((id) => ({
          card_id: id,
          tenant_id: target.id,
          tenant_path: target.path,
          assigned_at: now,
        })),
      )
      .onConflict((conflict) =>
        conflict.column('card_id').doUpdateSet((update) => ({
          tenant_id: update.ref('excluded.tenant_id'),
          tenant_path: update.ref('excluded.tenant_path'),
          assigned_at: update.ref('excluded.assigned_at'),
        })),
      )
      .execute();
    return { assigned: ids.length };
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

function encodeCardCursor(sort: CardSort, key: unknown, id: number): string {
  return Buffer.from(JSON.stringify([sort, key, id])).toString('base64url');
}

function parseCardCursor(
  cursor: string | undefined,
  sort: CardSort,
): { key: string | number; id: number } | null {
  if (cursor === undefined || cursor === '') return null;
  const invalid = () =>
    new SimdockError('invalid_argument', `"${cursor}" is not a cursor of this list`, {
      details: { field: 'cursor' },
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== sort) throw invalid();
  const [, key, id] = parsed as [string, unknown, unknown];
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw invalid();
  if (typeof key !== 'number' && typeof key !== 'string') throw invalid();
  return { key, id };
}
