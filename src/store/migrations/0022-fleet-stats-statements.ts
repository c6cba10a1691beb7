import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import { dropFleetStatsTriggers } from './0015-fleet-stats.js';
import { dropPlanCycleTriggers } from './0029-plan-cycle-usage.js';
import { dropUsageOrderTriggers } from './0031-usage-order.js';
import { type FactsJoin, joinFacts, pgExecute, type StoreMigration } from './migration-helpers.js';

/**
 * Cheaper upkeep of the fleet statistics of migration 0015 (same figures, same invariants).
 *
 * PostgreSQL: the statement-level triggers' functions are replaced (same names, same triggers).
 * Their statements used to be planned once per session by PL/pgSQL and cached with the row
 * count of the first call's transition tables, often one row: later calls of 1,000 rows then
 * ran nested loops of the old rows against the new rows (1,000,000 comparisons per statement)
 * and seq-scanned the large tables. Now every statement runs through `EXECUTE`, planned per call
 * with the real sizes of the transition tables, and the figures are taken back and added as
 * `-old UNION ALL +new` summed per key (rows that did not change cancel out) instead of joining
 * old rows to new rows. What still needs the old row of a card (a tenant move) runs only when a
 * hashed `EXCEPT` finds one.
 *
 * SQLite: the usage write path keeps the figures itself (see `UsageRepository`, one read of the
 * rows it replaces and one set of summed delta rows per batch instead of several statements per
 * row): the row triggers of `usage_daily`, `usage_monthly` and `card_cycle_usage` step aside
 * while the one-row `stats_switch` says so. The store sets it inside its write transaction and
 * clears it before commit; SQLite has one writer at a time, so no other writer ever sees it set.
 */
export const fleetStatsStatementsSchema: StoreMigration = {
  name: '0022-fleet-stats-statements',
  async up(db, dialect) {
    await upgradeFleetStatsTriggers(db, dialect);
  },
};

const level = (column: string) =>
  `(case when ${column} >= 1000 then 100 when ${column} >= 800 then 80 else 0 end)`;

const usageRows = (rows: string) => `INSERT INTO stats_usage
    (tenant_path, account_id, plan_id, cycle, level, cards, bytes)
  SELECT tenant_path, account_id, plan_id, cycle, lvl, sum(c), sum(b) FROM (${rows}) x
  GROUP BY tenant_path, account_id, plan_id, cycle, lvl HAVING sum(c) <> 0 OR sum(b) <> 0`;
const usageOf = (alias: string, sign: string) =>
  `SELECT ${alias}.tenant_path, ${alias}.account_id, ${alias}.plan_id, ${alias}.cycle,
    ${level(`${alias}.used_permille`)} AS lvl,
    ${sign}(case when ${alias}.bytes is not null then 1 else 0 end) AS c,
    ${sign}coalesce(${alias}.bytes, 0) AS b FROM ${alias}`;
const cardRows = (rows: string) => `INSERT INTO stats_cards
    (tenant_path, account_id, supplier, status, plan_id, cards)
  SELECT tenant_path, account_id, supplier, status, plan_id, sum(c) FROM (${rows}) x
  GROUP BY tenant_path, account_id, supplier, status, plan_id HAVING sum(c) <> 0`;
const cardsOf = (alias: string, sign: string) =>
  `SELECT ${alias}.tenant_path, ${alias}.account_id, ${alias}.supplier, ${alias}.status,
    ${alias}.plan_id, ${sign}1 AS c FROM ${alias}`;
const expiryRows = (rows: string) => `INSERT INTO stats_expiry (tenant_path, expires_on, cards)
  SELECT tenant_path, expires_on, sum(c) FROM (${rows}) x WHERE expires_on IS NOT NULL
  GROUP BY tenant_path, expires_on HAVING sum(c) <> 0`;
const daysRows = (rows: string) => `INSERT INTO stats_daily (tenant_path, date, cards, bytes)
  SELECT tenant_path, date, sum(c), sum(b) FROM (${rows}) x
  GROUP BY tenant_path, date HAVING sum(c) <> 0 OR sum(b) <> 0`;
const alertRows = (rows: string) => `INSERT INTO stats_alerts (tenant_path, severity, alerts)
  SELECT tenant_path, severity, sum(c) FROM (${rows}) x
  GROUP BY tenant_path, severity HAVING sum(c) <> 0`;
/** Open alerts of the cards of `facts` (a transition table or a join naming `card`). */
const openAlerts = (facts: string, card: string, path: string, sign: string) =>
  `SELECT ${path} AS tenant_path, a.severity, ${sign}1 AS c FROM ${facts}
    JOIN alerts a ON a.card_id = ${card}.card_id AND a.acknowledged_at IS NULL`;
const usageDays = (facts: string, card: string, path: string, sign: string) =>
  `SELECT ${path} AS tenant_path, ud.date, ${sign}1 AS c, ${sign}ud.bytes AS b FROM ${facts}
    JOIN usage_daily ud ON ud.card_id = ${card}.card_id`;
/** Cards whose tenant path changed: old and new facts rows side by side. */
const moved = 'o JOIN n ON n.card_id = o.card_id AND o.tenant_path <> n.tenant_path';

/**
 * `IF <query returns a row> THEN <run> END IF`, the check itself planned per call; the
 * statements of `run` go through EXECUTE like the others.
 */
interface Guarded {
  when: string;
  run: string[];
}

/** Each PostgreSQL trigger function of 0015 by name, as steps run in order. */
function pgFunctions(facts: FactsJoin): { name: string; steps: (string | Guarded)[] }[] {
  return [
    {
      name: 'stats_cards_insert',
      steps: [
        `INSERT INTO card_facts
          (card_id, tenant_path, account_id, supplier, status, plan_id, quota_bytes, expires_on)
        SELECT n.id, coalesce(ct.tenant_path, ''), n.account_id, n.supplier, n.status,
          cp.plan_id, p.quota_bytes, cp.expires_on
        FROM n LEFT JOIN card_tenants ct ON ct.card_id = n.id
        LEFT JOIN card_plans cp ON cp.card_id = n.id LEFT JOIN plans p ON p.id = cp.plan_id`,
      ],
    },
    {
      // Compared with the facts row (which holds the old values), so no join of old to new rows;
      // a write that changed none of the three (a freshness stamp) updates nothing.
      name: 'stats_cards_update',
      steps: [
        {
          when: `SELECT 1 FROM (SELECT id, account_id, supplier, status FROM n
            EXCEPT SELECT id, account_id, supplier, status FROM o) x LIMIT 1`,
          run: [
            `UPDATE card_facts f SET account_id = n.account_id, supplier = n.supplier,
              status = n.status
            FROM n WHERE f.card_id = n.id
              AND (f.account_id, f.supplier, f.status) IS DISTINCT FROM (n.account_id, n.supplier, n.status)`,
          ],
        },
      ],
    },
    {
      name: 'stats_cards_delete',
      steps: ['DELETE FROM card_facts WHERE card_id IN (SELECT id FROM o)'],
    },
    {
      name: 'stats_card_facts_insert',
      steps: [
        cardRows(cardsOf('n', '')),
        expiryRows('SELECT n.tenant_path, n.expires_on, 1 AS c FROM n'),
        daysRows(usageDays('n', 'n', 'n.tenant_path', '')),
        alertRows(
          `${openAlerts('n', 'n', "''", '-')} UNION ALL ${openAlerts('n', 'n', 'n.tenant_path', '')}`,
        ),
      ],
    },
    {
      name: 'stats_card_facts_update',
      steps: [
        cardRows(`${cardsOf('o', '-')} UNION ALL ${cardsOf('n', '')}`),
        expiryRows(
          `SELECT o.tenant_path, o.expires_on, -1 AS c FROM o
          UNION ALL SELECT n.tenant_path, n.expires_on, 1 AS c FROM n`,
        ),
        {
          when: `SELECT 1 FROM (SELECT card_id, tenant_path, account_id, plan_id, quota_bytes FROM n
            EXCEPT SELECT card_id, tenant_path, account_id, plan_id, quota_bytes FROM o) x LIMIT 1`,
          run: [
            `UPDATE card_cycle_usage u SET tenant_path = n.tenant_path, account_id = n.account_id,
              plan_id = n.plan_id, quota_bytes = n.quota_bytes
            FROM n WHERE u.card_id = n.card_id
              AND (u.tenant_path, u.account_id, u.plan_id, u.quota_bytes)
                IS DISTINCT FROM (n.tenant_path, n.account_id, n.plan_id, n.quota_bytes)`,
          ],
        },
        {
          when: `SELECT 1 FROM (SELECT card_id, tenant_path FROM n
            EXCEPT SELECT card_id, tenant_path FROM o) x LIMIT 1`,
          run: [
            daysRows(
              `${usageDays(moved, 'n', 'o.tenant_path', '-')}
              UNION ALL ${usageDays(moved, 'n', 'n.tenant_path', '')}`,
            ),
            alertRows(
              `${openAlerts(moved, 'n', 'o.tenant_path', '-')}
              UNION ALL ${openAlerts(moved, 'n', 'n.tenant_path', '')}`,
            ),
          ],
        },
      ],
    },
    {
      name: 'stats_card_facts_delete',
      steps: [
        cardRows(cardsOf('o', '-')),
        expiryRows('SELECT o.tenant_path, o.expires_on, -1 AS c FROM o'),
        'DELETE FROM card_cycle_usage WHERE card_id IN (SELECT card_id FROM o)',
        daysRows(usageDays('o', 'o', 'o.tenant_path', '-')),
        alertRows(
          `${openAlerts('o', 'o', 'o.tenant_path', '-')} UNION ALL ${openAlerts('o', 'o', "''", '')}`,
        ),
      ],
    },
    { name: 'stats_card_cycle_usage_insert', steps: [usageRows(usageOf('n', ''))] },
    {
      name: 'stats_card_cycle_usage_update',
      steps: [usageRows(`${usageOf('o', '-')} UNION ALL ${usageOf('n', '')}`)],
    },
    { name: 'stats_card_cycle_usage_delete', steps: [usageRows(usageOf('o', '-'))] },
    {
      name: 'stats_usage_daily_insert',
      steps: [
        `INSERT INTO card_cycle_usage
          (card_id, cycle, tenant_path, account_id, plan_id, quota_bytes, daily_bytes, daily_days)
        SELECT f.card_id, d.cycle, f.tenant_path, f.account_id, f.plan_id, f.quota_bytes,
          d.bytes, d.days
        FROM (SELECT card_id, substr(date, 1, 7) AS cycle, sum(bytes) AS bytes, count(*) AS days
          FROM n GROUP BY card_id, substr(date, 1, 7)) d
        ${facts('d', 'n')}
        ON CONFLICT (card_id, cycle) DO UPDATE SET
          daily_bytes = card_cycle_usage.daily_bytes + excluded.daily_bytes,
          daily_days = card_cycle_usage.daily_days + excluded.daily_days`,
        daysRows(`SELECT f.tenant_path, n.date, 1 AS c, n.bytes AS b FROM n ${facts('n')}`),
      ],
    },
    {
      // The upsert's key (card, day) never changes, only its bytes: new minus old per key.
      name: 'stats_usage_daily_update',
      steps: [
        `WITH d AS (
          SELECT card_id, date, sum(b) AS delta FROM (SELECT n.card_id, n.date, n.bytes AS b FROM n
            UNION ALL SELECT o.card_id, o.date, -o.bytes AS b FROM o) x
          GROUP BY card_id, date HAVING sum(b) <> 0
        ), cycles AS (
          UPDATE card_cycle_usage u SET daily_bytes = u.daily_bytes + c.delta
          FROM (SELECT card_id, substr(date, 1, 7) AS cycle, sum(delta) AS delta
            FROM d GROUP BY card_id, substr(date, 1, 7)) c
          WHERE u.card_id = c.card_id AND u.cycle = c.cycle AND c.delta <> 0
        )
        ${daysRows(`SELECT f.tenant_path, d.date, 0 AS c, d.delta AS b FROM d ${facts('d')}`)}`,
      ],
    },
    {
      name: 'stats_usage_daily_delete',
      steps: [
        `UPDATE card_cycle_usage u SET daily_bytes = u.daily_bytes - d.bytes,
          daily_days = u.daily_days - d.days
        FROM (SELECT card_id, substr(date, 1, 7) AS cycle, sum(bytes) AS bytes, count(*) AS days
          FROM o GROUP BY card_id, substr(date, 1, 7)) d
        WHERE u.card_id = d.card_id AND u.cycle = d.cycle`,
        daysRows(`SELECT f.tenant_path, o.date, -1 AS c, -o.bytes AS b FROM o ${facts('o')}`),
      ],
    },
    {
      name: 'stats_usage_monthly_insert',
      steps: [
        `INSERT INTO card_cycle_usage
          (card_id, cycle, tenant_path, account_id, plan_id, quota_bytes, monthly_bytes)
        SELECT f.card_id, n.month, f.tenant_path, f.account_id, f.plan_id, f.quota_bytes, n.bytes
        FROM n ${facts('n')}
        ON CONFLICT (card_id, cycle) DO UPDATE SET monthly_bytes = excluded.monthly_bytes`,
      ],
    },
    {
      name: 'stats_usage_monthly_update',
      steps: [
        `UPDATE card_cycle_usage u SET monthly_bytes = n.bytes FROM n
        WHERE u.card_id = n.card_id AND u.cycle = n.month AND u.monthly_bytes IS DISTINCT FROM n.bytes`,
      ],
    },
    {
      name: 'stats_usage_monthly_delete',
      steps: [
        `UPDATE card_cycle_usage u SET monthly_bytes = NULL FROM o
        WHERE u.card_id = o.card_id AND u.cycle = o.month`,
      ],
    },
  ];
}

function pgBody(steps: (string | Guarded)[]): string {
  return steps
    .map((step) =>
      typeof step === 'string'
        ? pgExecute(step)
        : `found_row := NULL;
EXECUTE $q$${step.when}$q$ INTO found_row;
IF found_row IS NOT NULL THEN
${step.run.map(pgExecute).join('\n')}
END IF;`,
    )
    .join('\n');
}

/** The trigger functions of PostgreSQL, replaced in place (the triggers of 0015 call them). */
async function replacePgFunctions(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  facts: FactsJoin,
): Promise<void> {
  for (const fn of pgFunctions(facts)) {
    // An upsert fires both its INSERT and its UPDATE statement triggers, one of them often with
    // no rows: that one returns before planning anything.
    const rows = fn.name.endsWith('_delete') ? 'o' : 'n';
    await sql
      .raw(
        `CREATE OR REPLACE FUNCTION ${fn.name}() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE found_row integer;
BEGIN
IF NOT EXISTS (SELECT 1 FROM ${rows}) THEN RETURN NULL; END IF;
${pgBody(fn.steps)}
RETURN NULL;
END
$body$`,
      )
      .execute(db);
  }
}

/** SQLite: the usage tables' and cycle rows' row triggers, with the switch in their WHEN. */
async function replaceSqliteTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS stats_switch (id integer primary key check (id = 1),
    store_keeps integer not null default 0)`.execute(db);
  await sql`INSERT INTO stats_switch (id, store_keeps) VALUES (1, 0)
    ON CONFLICT (id) DO NOTHING`.execute(db);
  for (const table of ['usage_daily', 'usage_monthly', 'card_cycle_usage']) {
    for (const event of ['insert', 'update', 'delete']) {
      await addStatsSwitch(db, `stats_${table}_${event}`);
    }
  }
}

/**
 * SQLite: makes a row trigger (by name; none: nothing) step aside while `stats_switch` is set,
 * by adding the switch to its WHEN; a trigger that has it already is left as it is.
 */
export async function addStatsSwitch(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  name: string,
): Promise<void> {
  const off = '(SELECT store_keeps FROM stats_switch WHERE id = 1) = 0';
  const row = (
    await sql<{ sql: string }>`SELECT sql FROM sqlite_master
      WHERE type = 'trigger' AND name = ${name}`.execute(db)
  ).rows[0];
  if (!row) return;
  // `CREATE TRIGGER name AFTER event [OF cols] ON table FOR EACH ROW [WHEN cond] BEGIN …`
  const match = /^([\s\S]*?FOR EACH ROW)\s*(?:WHEN ([\s\S]*?))?\s*BEGIN([\s\S]*)$/i.exec(row.sql);
  if (!match) throw new Error(`trigger ${name} has an unexpected shape`);
  const [, head, when, rest] = match;
  if (when?.includes('stats_switch')) return;
  const condition = when ? `(${when.trim()}) AND ${off}` : off;
  await sql.raw(`DROP TRIGGER ${name}`).execute(db);
  await sql.raw(`${head} WHEN ${condition} BEGIN${rest}`).execute(db);
}

/**
 * Brings the triggers of migration 0015 to this migration's form (also after a bench has
 * dropped and re-created them with 0015's code); `facts`: how the usage functions join the facts
 * rows (migration 0030 passes `factsOf`).
 */
export async function upgradeFleetStatsTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
  facts: FactsJoin = joinFacts,
): Promise<void> {
  if (dialect === 'postgres') await replacePgFunctions(db, facts);
  else await replaceSqliteTriggers(db);
}

/**
 * Drops the triggers that keep the fleet figures and, on SQLite, the switch row, so that the
 * usage write path keeps nothing either (a bench measuring writes without the figures).
 */
export async function dropCurrentFleetStatsTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
): Promise<void> {
  await dropFleetStatsTriggers(db, dialect);
  await dropPlanCycleTriggers(db, dialect);
  await dropUsageOrderTriggers(db, dialect);
  if (dialect === 'sqlite') await sql`DELETE FROM stats_switch`.execute(db);
}
