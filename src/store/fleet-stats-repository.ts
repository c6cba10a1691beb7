import { type Kysely, sql } from 'kysely';
import { billingCycleOf, cycleUsageKey } from '../domain/billing-cycle.js';
import { addDays } from '../domain/cst.js';
import { type CardScope, cardVisible, subtreePattern } from './card-scope.js';
import { fillFleetStats } from './migrations/0015-fleet-stats.js';
import { fillPlanCycles } from './migrations/0029-plan-cycle-usage.js';
import { fillUsageOrder } from './migrations/0031-usage-order.js';
import type { StoreContext } from './store-context.js';
import { writeTransaction } from './store-sql.js';
import { currentUsageOrder, foldUsageOrder, vacuumPending } from './usage-order.js';

/** Cards per key of one dimension. */
export interface CountRow {
  key: string;
  cards: number;
}

/** Usage in one cycle per key of one dimension: cards with a figure and their bytes. */
export interface UsageRow {
  key: string;
  cards: number;
  bytes: number;
}

/**
 * The fleet figures of one scope (migration 0015), kept as data arrives or recounted. Keys:
 * accounts by id, suppliers by name, tenants by path (`''`: unassigned, root only), plans by id
 * (`''`: no plan). Arrays are sorted by key.
 */
export interface FleetFigures {
  cards: {
    total: number;
    byStatus: CountRow[];
    byAccount: (CountRow & { supplier: string })[];
    bySupplier: CountRow[];
    byTenant: CountRow[];
    byPlan: CountRow[];
  };
  usage: {
    /** The usage cycle the figures are of (CST `YYYY-MM`). */
    cycle: string;
    /** Bytes over the cards with a known figure this cycle; null: none known. */
    bytes: number | null;
    cardsWithUsage: number;
    byAccount: UsageRow[];
    byTenant: UsageRow[];
    byPlan: UsageRow[];
  };
  /**
   * Over the cards on a plan with a quota, each in its plan's current cycle: the calendar month
   * for a plan cycling from the 1st, else the plan cycle containing today (migration 0029).
   */
  quota: {
    /** Cards on a plan with a quota. */
    cards: number;
    /** Their plans' quotas summed; null: no such card. */
    quotaBytes: number | null;
    /** Of them, cards with a figure this cycle, and their bytes (null: none). */
    cardsWithUsage: number;
    usedBytes: number | null;
    /** Cards at or over 80 % of their quota this cycle, and at or over 100 %. */
    atOrOver80: number;
    atOrOver100: number;
  };
  expiring: {
    /** Cards whose plan ends from today to 7 (30) days ahead, both included. */
    within7Days: number;
    within30Days: number;
  };
  alerts: { open: number; bySeverity: { severity: string; open: number }[] };
}

/** What the figures are reckoned at: the usage cycle and today (CST). */
export interface FiguresAt {
  cycle: string;
  today: string;
}

/** A plan as the kept figures count it: its quota, cycle start day and current cycle key. */
interface PlanCycle {
  quota: number | null;
  startDay: number;
  cycle: string;
}

/** A card at or over a share of its quota, from the kept cycle rows. */
export interface QuotaUseRow {
  cardId: number;
  planId: number;
  bytes: number;
  quotaBytes: number;
  usedPermille: number;
}

const CUBES = {
  stats_cards: {
    keys: ['tenant_path', 'account_id', 'supplier', 'status', 'plan_id'],
    sums: ['cards'],
  },
  stats_usage: {
    keys: ['tenant_path', 'account_id', 'plan_id', 'cycle', 'level'],
    sums: ['cards', 'bytes'],
  },
  stats_daily: { keys: ['tenant_path', 'date'], sums: ['cards', 'bytes'] },
  stats_expiry: { keys: ['tenant_path', 'expires_on'], sums: ['cards'] },
  stats_alerts: { keys: ['tenant_path', 'severity'], sums: ['alerts'] },
} as const;

/** Delta rows written by this process after which it folds them (reads stay a small scan). */
const COMPACT_AFTER_ROWS = 20_000;

/**
 * Rows written by this process after which it folds the usage order's pending writes (migration
 * 0031). A reader folds first anyway; this bounds what a reader may have to fold (a 7-day sync of
 * 100,000 cards writes 800,000 rows and leaves 300,000 pending writes, folded in about 1 s on
 * SQLite and 3 s on PostgreSQL) while letting a sync of up to this many rows fold once, at its
 * end: a key written by several of its passes is then copied once.
 */
const ORDER_AFTER_ROWS = 1_000_000;

/** Rows written per database since its last fold of the cube rows / of the usage order. */
const pendingByDb = new WeakMap<object, { cubes: number; order: number }>();

/**
 * What a store write path calls after its transaction commits, with the number of cards or
 * usage rows it changed: past `COMPACT_AFTER_ROWS` the kept figures' delta rows are folded
 * (reads sum them either way; folding keeps reads a small scan), past `ORDER_AFTER_ROWS` the
 * usage order's pending keys.
 */
export async function afterStatsWrites(context: StoreContext, rows: number): Promise<void> {
  if (rows <= 0) return;
  const pending = pendingByDb.get(context.db) ?? { cubes: 0, order: 0 };
  pendingByDb.set(context.db, pending);
  pending.cubes += rows;
  pending.order += rows;
  if (pending.cubes >= COMPACT_AFTER_ROWS) {
    pending.cubes = 0;
    await new FleetStatsRepository(context).compact();
  }
  if (pending.order >= ORDER_AFTER_ROWS) {
    pending.order = 0;
    await foldUsageOrder(context);
  }
}

/**
 * The fleet statistics kept by the triggers of migration 0015: reading them for a scope, the 30-day
 * series, the cards nearest their quota; folding their delta rows; rebuilding them from the data
 * (`simdock stats rebuild`); and a full recount from the data to check them against.
 */
export class FleetStatsRepository {
  readonly #context: StoreContext;

  constructor(context: StoreContext) {
    this.#context = context;
  }

  #db() {
    return this.#context.db;
  }

  /** A tenant-path condition for the scope (none for the root). */
  #inScope(scope: CardScope, column = 'tenant_path') {
    if (scope.isRoot) return sql<boolean>`1 = 1`;
    return sql<boolean>`${sql.ref(column)} like ${subtreePattern(scope.tenantPath)}`;
  }

  /**
   * Folds each cube's delta rows into one row per key, dropping keys that sum to zero. On
   * PostgreSQL one statement per cube deletes the rows it sees and inserts their sums, so rows
   * that concurrent writers commit meanwhile stay for the next fold; a transaction-scoped
   * advisory lock keeps two folds from doing the same work.
   */
  async compact(): Promise<void> {
    const { db, dialect } = this.#context;
    await writeTransaction(db, dialect, async (transaction) => {
      if (dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ':stats-compact'))`.execute(
          transaction,
        );
      }
      for (const [table, { keys, sums }] of Object.entries(CUBES)) {
        const keyList = sql.raw(keys.join(', '));
        const sumList = sql.raw(sums.map((column) => `sum(${column})`).join(', '));
        const nonZero = sql.raw(sums.map((column) => `sum(${column}) <> 0`).join(' or '));
        const columns = sql.raw([...keys, ...sums].join(', '));
        if (dialect === 'postgres') {
          await sql`with folded as (delete from ${sql.table(table)} returning *)
            insert into ${sql.table(table)} (${columns})
            select ${keyList}, ${sumList} from folded group by ${keyList} having ${nonZero}`.execute(
            transaction,
          );
        } else {
          const last = await sql<{
            last: number | null;
          }>`select max(rowid) as last from ${sql.table(table)}`.execute(transaction);
          const upTo = Number(last.rows[0]?.last ?? 0);
          await sql`insert into ${sql.table(table)} (${columns})
            select ${keyList}, ${sumList} from ${sql.table(table)} where rowid <= ${upTo}
            group by ${keyList} having ${nonZero}`.execute(transaction);
          await sql`delete from ${sql.table(table)} where rowid <= ${upTo}`.execute(transaction);
        }
      }
    });
  }

  /**
   * Folds the usage order's pending keys (migration 0031): what a sync does when its run ends,
   * so the card list's first read after it has nothing to fold.
   */
  async foldUsageOrder(): Promise<number> {
    return foldUsageOrder(this.#context);
  }

  /**
   * Empties the kept figures and fills them again from the data, then folds them: what an
   * operator runs after a restore. On PostgreSQL the source tables are locked against writers
   * for the duration (syncs wait; readers do not).
   */
  async rebuild(): Promise<{ cards: number; cycleRows: number }> {
    const { db, dialect } = this.#context;
    const counts = await writeTransaction(db, dialect, async (transaction) => {
      if (dialect === 'postgres') {
        await sql`lock table cards, card_tenants, card_plans, plans, usage_daily, usage_monthly,
          alerts, card_facts, card_cycle_usage, stats_cards, stats_usage, stats_daily,
          stats_expiry, stats_alerts, usage_order, usage_order_pending
          in share row exclusive mode`.execute(transaction);
      }
      await fillFleetStats(transaction as unknown as Kysely<unknown>);
      await fillPlanCycles(transaction as unknown as Kysely<unknown>, dialect);
      await fillUsageOrder(transaction as unknown as Kysely<unknown>);
      const cards = await transaction
        .selectFrom('card_facts')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      const cycles = await transaction
        .selectFrom('card_cycle_usage')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      return { cards: Number(cards.n), cycleRows: Number(cycles.n) };
    });
    await vacuumPending(this.#context);
    await this.compact();
    return counts;
  }

  /** The kept figures of a scope (a handful of small grouped reads). */
  async figures(scope: CardScope, at: FiguresAt): Promise<FleetFigures> {
    const db = this.#db();
    const plans = await this.#plans(at);
    const cards = await db
      .selectFrom('stats_cards')
      .select([
        'tenant_path',
        'account_id',
        'supplier',
        'status',
        'plan_id',
        sql<number>`sum(cards)`.as('cards'),
      ])
      .where(this.#inScope(scope))
      .groupBy(['tenant_path', 'account_id', 'supplier', 'status', 'plan_id'])
      .having(sql`sum(cards)`, '<>', 0)
      .execute();
    const usage = await db
      .selectFrom('stats_usage')
      .select([
        'tenant_path',
        'account_id',
        'plan_id',
        'level',
        sql<number>`sum(cards)`.as('cards'),
        sql<number>`sum(bytes)`.as('bytes'),
      ])
      .select('cycle')
      .where('cycle', 'in', [at.cycle, ...new Set([...plans.values()].map((plan) => plan.cycle))])
      .where(this.#inScope(scope))
      .groupBy(['tenant_path', 'account_id', 'plan_id', 'cycle', 'level'])
      .execute();
    const expiry = await db
      .selectFrom('stats_expiry')
      .select([
        sql<number>`sum(case when expires_on <= ${addDays(at.today, 7)} then cards else 0 end)`.as(
          'week',
        ),
        sql<number>`sum(cards)`.as('month'),
      ])
      .where('expires_on', '>=', at.today)
      .where('expires_on', '<=', addDays(at.today, 30))
      .where(this.#inScope(scope))
      .executeTakeFirst();
    const alerts = await db
      .selectFrom('stats_alerts')
      .select(['severity', sql<number>`sum(alerts)`.as('alerts')])
      .where(this.#inScope(scope))
      .groupBy('severity')
      .execute();
    return this.#assemble(
      plans,
      cards.map((row) => ({
        tenant: row.tenant_path,
        account: row.account_id,
        supplier: row.supplier,
        status: row.status,
        plan: row.plan_id === null ? null : Number(row.plan_id),
        cards: Number(row.cards),
      })),
      usage.map((row) => ({
        tenant: row.tenant_path,
        account: row.account_id,
        plan: row.plan_id === null ? null : Number(row.plan_id),
        cycle: row.cycle,
        level: Number(row.level),
        cards: Number(row.cards),
        bytes: Number(row.bytes),
      })),
      { week: Number(expiry?.week ?? 0), month: Number(expiry?.month ?? 0) },
      alerts.map((row) => ({ severity: row.severity, open: Number(row.alerts) })),
      at.cycle,
    );
  }

  /**
   * The same figures recounted from the data, card by card (for tests and checks: it reads every
   * card of the scope). A card's usage this cycle: the cycle figure, else the sum of its days;
   * on a plan cycling from another day, also the sum of its days in the plan's current cycle.
   */
  async recount(scope: CardScope, at: FiguresAt): Promise<FleetFigures> {
    const db = this.#db();
    const plans = await this.#plans(at);
    const startDays = [...new Set([...plans.values()].map((plan) => plan.startDay))].filter(
      (day) => day !== 1,
    );
    const bound = (end: 'start' | 'end') =>
      sql`case rp.cycle_start_day ${sql.join(
        startDays.map((day) => sql`when ${day} then ${billingCycleOf(at.today, day)[end]}`),
        sql` `,
      )} end`;
    const planCycle =
      startDays.length === 0
        ? sql<number | null>`null`
        : sql<number | null>`(select sum(ud.bytes) from usage_daily ud
            join plans rp on rp.id = cp.plan_id
            where ud.card_id = cards.id and rp.cycle_start_day <> 1
              and ud.date >= ${bound('start')} and ud.date <= ${bound('end')})`;
    const cards = await db
      .selectFrom('cards')
      .leftJoin('card_tenants as ct', 'ct.card_id', 'cards.id')
      .leftJoin('card_plans as cp', 'cp.card_id', 'cards.id')
      .select([
        'cards.id',
        sql<string>`coalesce(ct.tenant_path, '')`.as('tenant'),
        'cards.account_id',
        'cards.supplier',
        'cards.status',
        'cp.plan_id',
        'cp.expires_on',
        sql<number | null>`(select um.bytes from usage_monthly um
          where um.card_id = cards.id and um.month = ${at.cycle})`.as('monthly'),
        sql<number | null>`(select sum(ud.bytes) from usage_daily ud where ud.card_id = cards.id
          and ud.date >= ${`${at.cycle}-01`} and ud.date <= ${`${at.cycle}-31`})`.as('daily'),
        planCycle.as('plan_cycle'),
      ])
      .where(cardVisible(scope, 'cards.id'))
      .execute();
    const cardRows = [];
    const usageRows = [];
    let week = 0;
    let month = 0;
    for (const row of cards) {
      const plan = row.plan_id === null ? null : Number(row.plan_id);
      cardRows.push({
        tenant: row.tenant,
        account: row.account_id,
        supplier: row.supplier,
        status: row.status,
        plan,
        cards: 1,
      });
      const used =
        row.monthly !== null ? Number(row.monthly) : row.daily !== null ? Number(row.daily) : null;
      const own = plan === null ? undefined : plans.get(plan);
      const cycles: [string, number | null][] = [[at.cycle, used]];
      if (own && own.startDay !== 1) {
        cycles.push([own.cycle, row.plan_cycle === null ? null : Number(row.plan_cycle)]);
      }
      for (const [cycle, bytes] of cycles) {
        if (bytes === null) continue;
        const quota = own?.quota ?? null;
        const permille = quota !== null && quota > 0 ? Math.floor((bytes * 1000) / quota) : -1;
        const level = permille >= 1000 ? 100 : permille >= 800 ? 80 : 0;
        usageRows.push({
          tenant: row.tenant,
          account: row.account_id,
          plan,
          cycle,
          level,
          cards: 1,
          bytes,
        });
      }
      const expires = row.expires_on;
      if (expires !== null && expires >= at.today && expires <= addDays(at.today, 30)) {
        month += 1;
        if (expires <= addDays(at.today, 7)) week += 1;
      }
    }
    const alerts = await db
      .selectFrom('alerts')
      .select(['severity', sql<number>`count(*)`.as('open')])
      .where('acknowledged_at', 'is', null)
      .where(
        scope.isRoot
          ? sql<boolean>`1 = 1`
          : sql<boolean>`exists (select 1 from card_tenants ct where ct.card_id = alerts.card_id
              and ct.tenant_path like ${subtreePattern(scope.tenantPath)})`,
      )
      .groupBy('severity')
      .execute();
    return this.#assemble(
      plans,
      cardRows,
      usageRows,
      { week, month },
      alerts.map((row) => ({ severity: row.severity, open: Number(row.open) })),
      at.cycle,
    );
  }

  /**
   * Each plan's quota, cycle start day and current cycle key as the kept figures count it: the
   * calendar month for a plan cycling from the 1st, else its plan cycle (migration 0029).
   */
  async #plans(at: FiguresAt): Promise<Map<number, PlanCycle>> {
    const plans = await this.#db()
      .selectFrom('plans')
      .select(['id', 'quota_bytes', 'cycle_start_day'])
      .execute();
    return new Map(
      plans.map((plan) => {
        const startDay = Number(plan.cycle_start_day);
        return [
          Number(plan.id),
          {
            quota: plan.quota_bytes === null ? null : Number(plan.quota_bytes),
            startDay,
            cycle: startDay === 1 ? at.cycle : cycleUsageKey(at.today, startDay),
          },
        ];
      }),
    );
  }

  #assemble(
    plans: Map<number, PlanCycle>,
    cards: {
      tenant: string;
      account: string;
      supplier: string;
      status: string;
      plan: number | null;
      cards: number;
    }[],
    usage: {
      tenant: string;
      account: string;
      plan: number | null;
      cycle: string;
      level: number;
      cards: number;
      bytes: number;
    }[],
    expiry: { week: number; month: number },
    alerts: { severity: string; open: number }[],
    cycle: string,
  ): FleetFigures {
    const count = (key: (row: (typeof cards)[number]) => string) =>
      sumBy(cards, key, (row) => row.cards);
    const accounts = new Map<string, string>();
    for (const row of cards) accounts.set(row.account, row.supplier);
    const quotaOf = (plan: number | null) =>
      plan === null ? null : (plans.get(plan)?.quota ?? null);
    let quotaCards = 0;
    let quotaBytes = 0;
    for (const row of cards) {
      const quota = quotaOf(row.plan);
      if (quota === null) continue;
      quotaCards += row.cards;
      quotaBytes += row.cards * quota;
    }
    const counted = usage.filter((row) => row.cards !== 0 || row.bytes !== 0);
    // The usage figures are of the calendar month; quota use is of each plan's own cycle.
    const known = counted.filter((row) => row.cycle === cycle);
    const withQuota = counted.filter(
      (row) =>
        row.plan !== null && quotaOf(row.plan) !== null && plans.get(row.plan)?.cycle === row.cycle,
    );
    const usageBy = (key: (row: (typeof usage)[number]) => string): UsageRow[] => {
      const byKey = new Map<string, UsageRow>();
      for (const row of known) {
        const entry = byKey.get(key(row)) ?? { key: key(row), cards: 0, bytes: 0 };
        entry.cards += row.cards;
        entry.bytes += row.bytes;
        byKey.set(entry.key, entry);
      }
      return [...byKey.values()].filter((row) => row.cards !== 0).sort(byKeyOrder);
    };
    const total = (rows: typeof usage, pick: (row: (typeof usage)[number]) => number) =>
      rows.reduce((sum, row) => sum + pick(row), 0);
    const usedCards = total(known, (row) => row.cards);
    const quotaUsedCards = total(withQuota, (row) => row.cards);
    const openAlerts = alerts
      .filter((row) => row.open !== 0)
      .sort((a, b) => compare(a.severity, b.severity));
    return {
      cards: {
        total: cards.reduce((sum, row) => sum + row.cards, 0),
        byStatus: count((row) => row.status),
        byAccount: count((row) => row.account).map((row) => ({
          ...row,
          supplier: accounts.get(row.key) ?? '',
        })),
        bySupplier: count((row) => row.supplier),
        byTenant: count((row) => row.tenant),
        byPlan: count((row) => (row.plan === null ? '' : String(row.plan))),
      },
      usage: {
        cycle,
        bytes: usedCards === 0 ? null : total(known, (row) => row.bytes),
        cardsWithUsage: usedCards,
        byAccount: usageBy((row) => row.account),
        byTenant: usageBy((row) => row.tenant),
        byPlan: usageBy((row) => (row.plan === null ? '' : String(row.plan))),
      },
      quota: {
        cards: quotaCards,
        quotaBytes: quotaCards === 0 ? null : quotaBytes,
        cardsWithUsage: quotaUsedCards,
        usedBytes: quotaUsedCards === 0 ? null : total(withQuota, (row) => row.bytes),
        atOrOver80: total(
          withQuota.filter((row) => row.level >= 80),
          (row) => row.cards,
        ),
        atOrOver100: total(
          withQuota.filter((row) => row.level >= 100),
          (row) => row.cards,
        ),
      },
      expiring: { within7Days: expiry.week, within30Days: expiry.month },
      alerts: { open: openAlerts.reduce((sum, row) => sum + row.open, 0), bySeverity: openAlerts },
    };
  }

  /**
   * Usage per CST day from `from` to `to` (both included) over the scope, from the kept per-day
   * totals: bytes and cards with a figure. Days without any figure are absent.
   */
  async daily(
    scope: CardScope,
    from: string,
    to: string,
  ): Promise<{ date: string; bytes: number; cards: number }[]> {
    const rows = await this.#db()
      .selectFrom('stats_daily')
      .select(['date', sql<number>`sum(bytes)`.as('bytes'), sql<number>`sum(cards)`.as('cards')])
      .where('date', '>=', from)
      .where('date', '<=', to)
      .where(this.#inScope(scope))
      .groupBy('date')
      .having(sql`sum(cards)`, '<>', 0)
      .orderBy('date')
      .execute();
    return rows.map((row) => ({
      date: row.date,
      bytes: Number(row.bytes),
      cards: Number(row.cards),
    }));
  }

  /** The same series recounted from the usage rows (for tests and checks). */
  async recountDaily(
    scope: CardScope,
    from: string,
    to: string,
  ): Promise<{ date: string; bytes: number; cards: number }[]> {
    const rows = await this.#db()
      .selectFrom('usage_daily')
      .select(['date', sql<number>`sum(bytes)`.as('bytes'), sql<number>`count(*)`.as('cards')])
      .where('date', '>=', from)
      .where('date', '<=', to)
      .where(cardVisible(scope, 'usage_daily.card_id'))
      .groupBy('date')
      .orderBy('date')
      .execute();
    return rows.map((row) => ({
      date: row.date,
      bytes: Number(row.bytes),
      cards: Number(row.cards),
    }));
  }

  /**
   * The first `limit` cards of the scope at or over `minPermille` of their quota, each in its
   * plan's current cycle (`FleetFigures.quota`), fullest first (by the exact share, then by id):
   * per cycle key in use (the calendar month and each plan start day), the first `limit` rows of
   * the usage order's quota index (migration 0031) and the rest of the last one's per-mille tie,
   * merged.
   */
  async quotaUse(
    scope: CardScope,
    options: { at: FiguresAt; minPermille: number; limit: number },
  ): Promise<QuotaUseRow[]> {
    await currentUsageOrder(this.#context);
    const byCycle = new Map<string, number[]>();
    for (const [id, plan] of await this.#plans(options.at)) {
      if (plan.quota === null) continue;
      byCycle.set(plan.cycle, [...(byCycle.get(plan.cycle) ?? []), id]);
    }
    const found = new Map<number, QuotaUseRow>();
    for (const [cycle, planIds] of byCycle) {
      const read = async (permille: { min: number } | { equal: number }, limit?: number) => {
        let select = this.#db()
          .selectFrom('usage_order')
          .select(['card_id', 'plan_id', 'bytes', 'quota_bytes', 'used_permille'])
          .where('cycle', '=', cycle)
          .where('plan_id', 'in', planIds)
          .where(this.#inScope(scope))
          // The copy's path narrows; the card's own assignment decides (see the card list).
          .where(cardVisible(scope, 'usage_order.card_id'));
        select =
          'min' in permille
            ? select.where('used_permille', '>=', permille.min)
            : select.where('used_permille', '=', permille.equal);
        if (limit !== undefined) {
          select = select.orderBy('used_permille', 'desc').orderBy('card_id', 'desc').limit(limit);
        }
        const rows = (await select.execute()).map((row) => ({
          cardId: Number(row.card_id),
          planId: Number(row.plan_id),
          bytes: Number(row.bytes),
          quotaBytes: Number(row.quota_bytes),
          usedPermille: Number(row.used_permille),
        }));
        for (const row of rows) found.set(row.cardId, row);
        return rows;
      };
      const first = await read({ min: options.minPermille }, options.limit);
      const last = first.at(-1);
      if (first.length === options.limit && last) await read({ equal: last.usedPermille });
    }
    return [...found.values()]
      .sort(
        (left, right) =>
          right.bytes / right.quotaBytes - left.bytes / left.quotaBytes ||
          left.cardId - right.cardId,
      )
      .slice(0, options.limit);
  }
}

function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function byKeyOrder(left: { key: string }, right: { key: string }): number {
  return compare(left.key, right.key);
}

function sumBy<T>(
  rows: readonly T[],
  key: (row: T) => string,
  value: (row: T) => number,
): CountRow[] {
  const byKey = new Map<string, number>();
  for (const row of rows) byKey.set(key(row), (byKey.get(key(row)) ?? 0) + value(row));
  return [...byKey.entries()]
    .filter(([, cards]) => cards !== 0)
    .map(([key, cards]) => ({ key, cards }))
    .sort(byKeyOrder);
}
