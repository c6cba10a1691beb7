import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import {
  type FactsJoin,
  joinFacts,
  pgExecute,
  pgTransitionTables,
  type StoreMigration,
} from './migration-helpers.js';

/**
 * The kept usage of plans whose cycle starts on another day than the 1st (migration 0015 kept
 * the calendar month only, and the dashboard counted such cards per request from their days).
 *
 * A card on such a plan gets, besides its calendar-month rows, one `card_cycle_usage` row per
 * plan cycle, keyed `YYYY-MM@DD` (the month the cycle starts in and the plan's start day; see
 * `cycleUsageKey` in the domain): the sum of its synced days in the cycle. A supplier's month
 * figure is of the calendar month, so it does not count there. The row triggers of
 * `card_cycle_usage` count these rows in `stats_usage` under their own key like any other, so
 * the dashboard reads a plan cycle's figures, quota levels and fullest cards the way it reads
 * the calendar month's.
 *
 * Kept by:
 * - the usage writes: each day of such a card moves its plan-cycle row too (PostgreSQL: statement
 *   triggers on `usage_daily`; SQLite: the store's usage upkeep, and row triggers for the other
 *   writers while the switch of migration 0022 is off);
 * - a card moving to a plan with another start day: its plan-cycle rows are rebuilt from its
 *   days (`card_facts.plan_id`; a move between plans with the same start day only relabels the
 *   rows, as 0015 does for every cycle row);
 * - a plan's start day changing: the plan-cycle rows of all its cards are rebuilt;
 * - `simdock stats rebuild` (`fillPlanCycles`).
 */
export const planCycleUsageSchema: StoreMigration = {
  name: '0029-plan-cycle-usage',
  async up(db, dialect) {
    await createPlanCycleTriggers(db, dialect);
    await fillPlanCycles(db, dialect);
  },
};

/**
 * The SQL of `cycleUsageKey(date, day)` for a day other than 1: the month the plan cycle
 * containing `date` starts in (the date's month when its day is on or past the start day,
 * clamped to the month's length; else the month before), then `@` and the start day.
 */
export function planCycleKeySql(date: string, day: string, dialect: Dialect): string {
  if (dialect === 'postgres') {
    const monthEnd = `extract(day from (date_trunc('month', ${date}::date) + interval '1 month' - interval '1 day'))::int`;
    return `(case when substr(${date}, 9, 2)::int >= least(${day}, ${monthEnd})
      then substr(${date}, 1, 7)
      else to_char(date_trunc('month', ${date}::date) - interval '1 month', 'YYYY-MM') end
      || '@' || lpad((${day})::text, 2, '0'))`;
  }
  const monthEnd = `cast(strftime('%d', ${date}, 'start of month', '+1 month', '-1 day') as integer)`;
  return `(case when cast(substr(${date}, 9, 2) as integer) >= min(${day}, ${monthEnd})
    then substr(${date}, 1, 7)
    else strftime('%Y-%m', ${date}, 'start of month', '-1 month') end
    || '@' || printf('%02d', ${day}))`;
}

/** A plan-cycle row's key: `YYYY-MM@DD` (calendar-month keys have no `@`). */
const PLAN_CYCLE = "cycle LIKE '%@%'";

/** The plan-cycle rows of the cards `where` selects from `card_facts f`, rebuilt from their days. */
function rebuildStatements(where: string, dialect: Dialect): string[] {
  return [
    `DELETE FROM card_cycle_usage WHERE card_id IN (SELECT f.card_id FROM card_facts f WHERE ${where})
      AND ${PLAN_CYCLE}`,
    `INSERT INTO card_cycle_usage
        (card_id, cycle, tenant_path, account_id, plan_id, quota_bytes, daily_bytes, daily_days)
      SELECT f.card_id, ${planCycleKeySql('ud.date', 'p.cycle_start_day', dialect)},
        f.tenant_path, f.account_id, f.plan_id, f.quota_bytes, sum(ud.bytes), count(*)
      FROM card_facts f
      JOIN plans p ON p.id = f.plan_id AND p.cycle_start_day <> 1
      JOIN usage_daily ud ON ud.card_id = f.card_id
      WHERE ${where}
      GROUP BY f.card_id, ${planCycleKeySql('ud.date', 'p.cycle_start_day', dialect)},
        f.tenant_path, f.account_id, f.plan_id, f.quota_bytes`,
  ];
}

/**
 * Whether a card's plan moved to another start day (`old`, `new`: facts rows): a plan that no
 * longer exists counts as an unknown start day (its cards may hold plan-cycle rows).
 */
function startDayMoved(old: string, next: string, ne: (a: string, b: string) => string) {
  const before = `coalesce((SELECT op.cycle_start_day FROM plans op WHERE op.id = ${old}.plan_id),
    CASE WHEN ${old}.plan_id IS NULL THEN 1 ELSE 0 END)`;
  const after = `coalesce((SELECT np.cycle_start_day FROM plans np WHERE np.id = ${next}.plan_id), 1)`;
  return `${ne(`${old}.plan_id`, `${next}.plan_id`)} AND ${ne(before, after)}`;
}

/** The plan-cycle upkeep of one event of `usage_daily` (`row`: its rows or transition table). */
function usageStatements(
  dialect: Dialect,
  event: 'insert' | 'update' | 'delete',
  factsJoin: FactsJoin,
): string[] {
  const key = (date: string) => planCycleKeySql(date, 'p.cycle_start_day', dialect);
  // The facts of the write's cards: `n`'s, or `o`'s.
  const onPlan = `${factsJoin('r', event === 'delete' ? 'o' : 'n')}
    JOIN plans p ON p.id = f.plan_id AND p.cycle_start_day <> 1`;
  if (dialect === 'postgres') {
    if (event === 'insert') {
      return [
        `INSERT INTO card_cycle_usage
            (card_id, cycle, tenant_path, account_id, plan_id, quota_bytes, daily_bytes, daily_days)
          SELECT f.card_id, ${key('r.date')}, f.tenant_path, f.account_id, f.plan_id,
            f.quota_bytes, sum(r.bytes), count(*)
          FROM n r ${onPlan}
          GROUP BY f.card_id, ${key('r.date')}, f.tenant_path, f.account_id, f.plan_id, f.quota_bytes
          ON CONFLICT (card_id, cycle) DO UPDATE SET
            daily_bytes = card_cycle_usage.daily_bytes + excluded.daily_bytes,
            daily_days = card_cycle_usage.daily_days + excluded.daily_days`,
      ];
    }
    // Update: new minus old bytes per day (the key never changes); delete: the days go.
    const rows =
      event === 'update'
        ? `(SELECT card_id, date, sum(b) AS bytes, 0 AS days FROM (
              SELECT card_id, date, bytes AS b FROM n UNION ALL SELECT card_id, date, -bytes FROM o) x
            GROUP BY card_id, date HAVING sum(b) <> 0)`
        : '(SELECT card_id, date, -bytes AS bytes, -1 AS days FROM o)';
    return [
      `UPDATE card_cycle_usage u SET daily_bytes = u.daily_bytes + d.bytes,
          daily_days = u.daily_days + d.days
        FROM (SELECT r.card_id, ${key('r.date')} AS cycle, sum(r.bytes) AS bytes, sum(r.days) AS days
          FROM ${rows} r ${onPlan} GROUP BY r.card_id, ${key('r.date')}) d
        WHERE u.card_id = d.card_id AND u.cycle = d.cycle`,
    ];
  }
  const facts = (row: string) => `FROM card_facts f JOIN plans p
    ON p.id = f.plan_id AND p.cycle_start_day <> 1 WHERE f.card_id = ${row}.card_id`;
  if (event === 'insert') {
    return [
      `INSERT INTO card_cycle_usage
          (card_id, cycle, tenant_path, account_id, plan_id, quota_bytes, daily_bytes, daily_days)
        SELECT f.card_id, ${key('NEW.date')}, f.tenant_path, f.account_id, f.plan_id,
          f.quota_bytes, NEW.bytes, 1 ${facts('NEW')}
        ON CONFLICT (card_id, cycle) DO UPDATE SET
          daily_bytes = card_cycle_usage.daily_bytes + excluded.daily_bytes,
          daily_days = card_cycle_usage.daily_days + 1`,
    ];
  }
  const [row, change] =
    event === 'update'
      ? ['NEW', 'daily_bytes = daily_bytes - OLD.bytes + NEW.bytes']
      : ['OLD', 'daily_bytes = daily_bytes - OLD.bytes, daily_days = daily_days - 1'];
  return [
    `UPDATE card_cycle_usage SET ${change} WHERE card_id = ${row}.card_id
      AND cycle = (SELECT ${key(`${row}.date`)} ${facts(row)})`,
  ];
}

/**
 * Variants of this migration's PostgreSQL trigger code: as it shipped, and as migration 0030
 * creates it again (facts found by key, the moved cards counted).
 */
export interface PlanCycleCode {
  facts: FactsJoin;
  /**
   * Count the cards moved to another start day through EXECUTE, instead of a cached
   * `IF NOT EXISTS`: for a first row the planner may join the two transition tables row by row,
   * betting on an early match, and when no card moved (the common case) that compares every old
   * row with every new one (40,000 cards given a plan at once took 260 s so with
   * random_page_cost = 1.1). A count is planned for all rows: a hash join.
   */
  countMoved: boolean;
}

const SHIPPED: PlanCycleCode = { facts: joinFacts, countMoved: false };

/** The triggers of this migration, by name, as each dialect creates them. */
function triggerStatements(
  dialect: Dialect,
  code: PlanCycleCode = SHIPPED,
): { name: string; table: string; create: string }[] {
  const body = (statements: string[]) => statements.map((statement) => `${statement};`).join('\n');
  if (dialect === 'sqlite') {
    const off = '(SELECT store_keeps FROM stats_switch WHERE id = 1) = 0';
    const ne = (left: string, right: string) => `(${left} IS NOT ${right})`;
    const row = (
      name: string,
      table: string,
      event: string,
      when: string,
      statements: string[],
    ) => ({
      name,
      table,
      create: `CREATE TRIGGER ${name} AFTER ${event} ON ${table} FOR EACH ROW WHEN ${when}
        BEGIN ${body(statements)} END`,
    });
    return [
      row(
        'stats_plan_cycle_usage_daily_insert',
        'usage_daily',
        'INSERT',
        off,
        usageStatements(dialect, 'insert', code.facts),
      ),
      row(
        'stats_plan_cycle_usage_daily_update',
        'usage_daily',
        'UPDATE OF bytes',
        `OLD.bytes IS NOT NEW.bytes AND ${off}`,
        usageStatements(dialect, 'update', code.facts),
      ),
      row(
        'stats_plan_cycle_usage_daily_delete',
        'usage_daily',
        'DELETE',
        off,
        usageStatements(dialect, 'delete', code.facts),
      ),
      row(
        'stats_plan_cycle_card_facts_update',
        'card_facts',
        'UPDATE OF plan_id',
        startDayMoved('OLD', 'NEW', ne),
        rebuildStatements('f.card_id = NEW.card_id', dialect),
      ),
      row(
        'stats_plan_cycle_plans_update',
        'plans',
        'UPDATE OF cycle_start_day',
        'OLD.cycle_start_day IS NOT NEW.cycle_start_day',
        rebuildStatements('f.plan_id = NEW.id', dialect),
      ),
    ];
  }
  // PostgreSQL: statements through EXECUTE, planned per call with the transition tables' sizes
  // (as migration 0022 does); nothing at all while no plan cycles from another day.
  const execute = (statements: string[]) => statements.map(pgExecute).join('\n');
  const anyPlan =
    'IF NOT EXISTS (SELECT 1 FROM plans WHERE cycle_start_day <> 1) THEN RETURN NULL; END IF;';
  const statement = (
    name: string,
    table: string,
    event: 'insert' | 'update' | 'delete',
    code: string,
    declare = '',
  ) => {
    const rows = event === 'delete' ? 'o' : 'n';
    return {
      name,
      table,
      create: `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $body$
${declare}BEGIN
IF NOT EXISTS (SELECT 1 FROM ${rows}) THEN RETURN NULL; END IF;
${code}
RETURN NULL;
END
$body$;
CREATE TRIGGER ${name} AFTER ${event.toUpperCase()} ON ${table} REFERENCING ${pgTransitionTables(event)}
  FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`,
    };
  };
  const ne = (left: string, right: string) => `(${left} IS DISTINCT FROM ${right})`;
  const moved = `SELECT n.card_id FROM n JOIN o ON o.card_id = n.card_id WHERE ${startDayMoved('o', 'n', ne)}`;
  const movedGuard = code.countMoved
    ? `EXECUTE $q$SELECT count(*) > 0 FROM (${moved}) x$q$ INTO start_day_moved;
IF NOT start_day_moved THEN RETURN NULL; END IF;`
    : `IF NOT EXISTS (${moved}) THEN RETURN NULL; END IF;`;
  return [
    ...(['insert', 'update', 'delete'] as const).map((event) =>
      statement(
        `stats_plan_cycle_usage_daily_${event}`,
        'usage_daily',
        event,
        `${anyPlan}\n${execute(usageStatements(dialect, event, code.facts))}`,
      ),
    ),
    // Only cards whose plan changed are looked at: a status batch finds none in one hashed EXCEPT.
    // For cards moved to another start day, writers of days wait, and are waited for (SHARE
    // against their ROW EXCLUSIVE): a day stored meanwhile under the old start day, or a new
    // cycle row labelled with the old plan, would otherwise escape the rebuild. Their cycle rows
    // are labelled again after the wait; a deadlock this meets is retried by the store.
    statement(
      'stats_plan_cycle_card_facts_update',
      'card_facts',
      'update',
      `IF NOT EXISTS (SELECT 1 FROM (SELECT card_id, plan_id FROM n
        EXCEPT SELECT card_id, plan_id FROM o) x) THEN RETURN NULL; END IF;
${movedGuard}
LOCK TABLE usage_daily IN SHARE MODE;
${execute([
  `UPDATE card_cycle_usage u SET tenant_path = f.tenant_path, account_id = f.account_id,
      plan_id = f.plan_id, quota_bytes = f.quota_bytes
    FROM card_facts f WHERE u.card_id = f.card_id AND f.card_id IN (${moved})
      AND (u.tenant_path, u.account_id, u.plan_id, u.quota_bytes)
        IS DISTINCT FROM (f.tenant_path, f.account_id, f.plan_id, f.quota_bytes)`,
  ...rebuildStatements(`f.card_id IN (${moved})`, dialect),
])}`,
      code.countMoved ? 'DECLARE start_day_moved boolean;\n' : '',
    ),
    {
      name: 'stats_plan_cycle_plans_update',
      table: 'plans',
      create: `CREATE FUNCTION stats_plan_cycle_plans_update() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
LOCK TABLE usage_daily IN SHARE MODE;
${execute(rebuildStatements('f.plan_id = $1', dialect)).replaceAll('$q$;', '$q$ USING NEW.id;')}
RETURN NULL;
END
$body$;
CREATE TRIGGER stats_plan_cycle_plans_update AFTER UPDATE OF cycle_start_day ON plans
  FOR EACH ROW WHEN (OLD.cycle_start_day IS DISTINCT FROM NEW.cycle_start_day)
  EXECUTE FUNCTION stats_plan_cycle_plans_update()`,
    },
  ];
}

/** Drops this migration's triggers (a bench measuring writes without the kept figures). */
export async function dropPlanCycleTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
): Promise<void> {
  for (const { name, table } of triggerStatements(dialect)) {
    if (dialect === 'postgres') {
      await sql.raw(`DROP TRIGGER IF EXISTS ${name} ON ${table}`).execute(db);
      await sql.raw(`DROP FUNCTION IF EXISTS ${name}()`).execute(db);
    } else {
      await sql.raw(`DROP TRIGGER IF EXISTS ${name}`).execute(db);
    }
  }
}

/** Creates this migration's triggers (as shipped, or in a later variant), replacing any there are. */
export async function createPlanCycleTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
  code: PlanCycleCode = SHIPPED,
): Promise<void> {
  await dropPlanCycleTriggers(db, dialect);
  for (const { create } of triggerStatements(dialect, code)) {
    // PostgreSQL: the function, then its trigger (two statements; SQLite: one).
    for (const part of dialect === 'postgres' ? create.split(/;\n(?=CREATE TRIGGER)/) : [create]) {
      await sql.raw(part).execute(db);
    }
  }
}

/**
 * Fills the plan-cycle rows of every card from its days (after `fillFleetStats`, or when this
 * migration runs); their triggers count them.
 */
export async function fillPlanCycles(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
): Promise<void> {
  for (const statement of rebuildStatements('1 = 1', dialect)) {
    await sql.raw(statement).execute(db);
  }
}
