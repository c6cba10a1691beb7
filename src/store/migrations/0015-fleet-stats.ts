import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../store-dialect.js';
import { BIGINT, type StoreMigration } from './migration-helpers.js';

/**
 * Fleet statistics kept as data arrives, by triggers, so that every write path — the
 * sync's upserts, bulk jobs, imports, tenant assignment, plan changes, alerts — keeps them in the
 * same transaction as its own writes, and a crash rolls both back together.
 *
 * Two per-card tables mirror what the figures need:
 * - `card_facts`: one row per card with its tenant path (`''`: unassigned), account, supplier,
 *   status, plan, plan quota and expiry;
 * - `card_cycle_usage`: one row per card and usage cycle (`cycle`; today the CST calendar month
 *   `YYYY-MM`, the key a supplier billing cycle will take) with the supplier's cycle figure, the
 *   sum of the synced days, the cycle's bytes as the card list reckons them (the cycle figure,
 *   else the days) and the share of the quota used in per mille, both indexed for the card list.
 *
 * Five cube tables hold the figures as signed delta rows (no unique key, so concurrent writers
 * on PostgreSQL append without waiting on one another's counter rows): a figure is the sum of its
 * rows, and compaction (`FleetStatsRepository.compact`) folds them into one row per key.
 * - `stats_cards`: cards by tenant path, account, supplier, status and plan;
 * - `stats_usage`: bytes and cards with a figure by tenant path, account, plan, cycle and quota
 *   level (0, 80: at or over 80 %, 100: at or over 100 %);
 * - `stats_daily`: bytes and cards with a figure by tenant path and CST day;
 * - `stats_expiry`: cards by tenant path and plan expiry day;
 * - `stats_alerts`: open (unacknowledged) alerts by tenant path and severity.
 *
 * The triggers keep these invariants, whatever the order in which cascades arrive: a card's
 * `card_facts` row exists while the card does; a cycle row or a usage day counts only while the
 * card's facts row exists (usage triggers do nothing for a card without one, and deleting the
 * facts row takes back what its rows added); an alert counts under its card's tenant path, or
 * `''` when it names no card with facts.
 */
export const fleetStatsSchema: StoreMigration = {
  name: '0015-fleet-stats',
  async up(db, dialect) {
    await db.schema
      .createTable('card_facts')
      .addColumn('card_id', BIGINT, (column) => column.primaryKey())
      .addColumn('tenant_path', 'text', (column) => column.notNull().defaultTo(''))
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('supplier', 'text', (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('plan_id', BIGINT)
      .addColumn('quota_bytes', BIGINT)
      .addColumn('expires_on', 'text')
      .execute();
    await db.schema.createIndex('card_facts_plan').on('card_facts').column('plan_id').execute();

    const cycleBytes = 'coalesce(monthly_bytes, case when daily_days > 0 then daily_bytes end)';
    await db.schema
      .createTable('card_cycle_usage')
      .addColumn('card_id', BIGINT, (column) => column.notNull())
      .addColumn('cycle', 'text', (column) => column.notNull())
      .addColumn('tenant_path', 'text', (column) => column.notNull())
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('plan_id', BIGINT)
      .addColumn('quota_bytes', BIGINT)
      .addColumn('monthly_bytes', BIGINT)
      .addColumn('daily_bytes', BIGINT, (column) => column.notNull().defaultTo(0))
      .addColumn('daily_days', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('bytes', BIGINT, (column) =>
        column.generatedAlwaysAs(sql.raw(cycleBytes)).stored(),
      )
      .addColumn('used_permille', BIGINT, (column) =>
        column
          .generatedAlwaysAs(
            sql.raw(`case when quota_bytes > 0 then ${cycleBytes} * 1000 / quota_bytes end`),
          )
          .stored(),
      )
      .addPrimaryKeyConstraint('card_cycle_usage_pk', ['card_id', 'cycle'])
      .execute();
    await db.schema
      .createIndex('card_cycle_usage_bytes')
      .on('card_cycle_usage')
      .columns(['cycle', 'bytes', 'card_id'])
      .execute();
    await db.schema
      .createIndex('card_cycle_usage_quota')
      .on('card_cycle_usage')
      .columns(['cycle', 'used_permille', 'card_id'])
      .execute();

    await db.schema
      .createTable('stats_cards')
      .addColumn('tenant_path', 'text', (column) => column.notNull())
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('supplier', 'text', (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('plan_id', BIGINT)
      .addColumn('cards', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('stats_usage')
      .addColumn('tenant_path', 'text', (column) => column.notNull())
      .addColumn('account_id', 'text', (column) => column.notNull())
      .addColumn('plan_id', BIGINT)
      .addColumn('cycle', 'text', (column) => column.notNull())
      .addColumn('level', 'integer', (column) => column.notNull())
      .addColumn('cards', BIGINT, (column) => column.notNull())
      .addColumn('bytes', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('stats_usage_cycle')
      .on('stats_usage')
      .columns(['cycle', 'tenant_path'])
      .execute();
    await db.schema
      .createTable('stats_daily')
      .addColumn('tenant_path', 'text', (column) => column.notNull())
      .addColumn('date', 'text', (column) => column.notNull())
      .addColumn('cards', BIGINT, (column) => column.notNull())
      .addColumn('bytes', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('stats_daily_date')
      .on('stats_daily')
      .columns(['date', 'tenant_path'])
      .execute();
    await db.schema
      .createTable('stats_expiry')
      .addColumn('tenant_path', 'text', (column) => column.notNull())
      .addColumn('expires_on', 'text', (column) => column.notNull())
      .addColumn('cards', BIGINT, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('stats_expiry_day')
      .on('stats_expiry')
      .columns(['expires_on', 'tenant_path'])
      .execute();
    await db.schema
      .createTable('stats_alerts')
      .addColumn('tenant_path', 'text', (column) => column.notNull())
      .addColumn('severity', 'text', (column) => column.notNull())
      .addColumn('alerts', BIGINT, (column) => column.notNull())
      .execute();

    // The dashboard's "expiring soon" list: the first cards by expiry, an index range.
    await db.schema
      .createIndex('card_plans_expires')
      .on('card_plans')
      .columns(['expires_on', 'card_id'])
      .execute();

    await createFleetStatsTriggers(db, dialect);
    await fillFleetStats(db);
  },
};

/** One table's row triggers: statements naming `NEW` and `OLD` as both dialects do. */
interface RowTriggers {
  table: string;
  insert?: string[];
  /** `when`: a condition over OLD and NEW (`${ne('OLD.a', 'NEW.a')}`) that the update must meet. */
  update?: { columns?: string[]; when?: string; body: string[] };
  delete?: string[];
}

/** Null-safe "differs": `IS NOT` on SQLite, `IS DISTINCT FROM` on PostgreSQL; `$ne(a, b)`. */
function neFor(dialect: Dialect) {
  return (left: string, right: string) =>
    dialect === 'postgres' ? `(${left} IS DISTINCT FROM ${right})` : `(${left} IS NOT ${right})`;
}

function anyChanged(dialect: Dialect, columns: readonly string[]): string {
  const ne = neFor(dialect);
  return columns.map((column) => ne(`OLD.${column}`, `NEW.${column}`)).join(' OR ');
}

/** The quota level of a per-mille share: 100 at or over the quota, 80 at or over 80 %, else 0. */
function level(permille: string): string {
  return `(case when ${permille} >= 1000 then 100 when ${permille} >= 800 then 80 else 0 end)`;
}

function alertPath(cardId: string): string {
  return `coalesce((select f.tenant_path from card_facts f where f.card_id = ${cardId}), '')`;
}

/** The triggers of migration 0015 (see above), in order. */
function fleetStatsTriggers(dialect: Dialect): RowTriggers[] {
  const changed = (columns: readonly string[]) => anyChanged(dialect, columns);
  const facts = ['tenant_path', 'account_id', 'supplier', 'status', 'plan_id', 'quota_bytes'];
  const usageDims = ['tenant_path', 'account_id', 'plan_id', 'quota_bytes'];
  const usageRow = (row: 'OLD' | 'NEW', sign: 1 | -1) =>
    `INSERT INTO stats_usage (tenant_path, account_id, plan_id, cycle, level, cards, bytes)
      VALUES (${row}.tenant_path, ${row}.account_id, ${row}.plan_id, ${row}.cycle,
        ${level(`${row}.used_permille`)},
        ${sign === 1 ? '' : '-'}(case when ${row}.bytes is not null then 1 else 0 end),
        ${sign === 1 ? '' : '-'}coalesce(${row}.bytes, 0))`;
  const cardsRow = (row: 'OLD' | 'NEW', sign: 1 | -1) =>
    `INSERT INTO stats_cards (tenant_path, account_id, supplier, status, plan_id, cards)
      VALUES (${row}.tenant_path, ${row}.account_id, ${row}.supplier, ${row}.status, ${row}.plan_id, ${sign})`;
  const expiryRow = (row: 'OLD' | 'NEW', sign: 1 | -1) =>
    `INSERT INTO stats_expiry (tenant_path, expires_on, cards)
      SELECT ${row}.tenant_path, ${row}.expires_on, ${sign} WHERE ${row}.expires_on IS NOT NULL`;
  /** The card's usage days counted (sign 1) or taken back (-1) under `path`. */
  const days = (path: string, sign: 1 | -1, cardId: string, when = '1 = 1') =>
    `INSERT INTO stats_daily (tenant_path, date, cards, bytes)
      SELECT ${path}, ud.date, ${sign}, ${sign} * ud.bytes FROM usage_daily ud
      WHERE ud.card_id = ${cardId} AND (${when})`;
  /** The card's open alerts moved from one tenant path to another. */
  const alertsMove = (from: string, to: string, cardId: string, when = '1 = 1') =>
    [
      [from, -1],
      [to, 1],
    ].map(
      ([path, sign]) => `INSERT INTO stats_alerts (tenant_path, severity, alerts)
        SELECT ${path}, a.severity, count(*) * ${sign} FROM alerts a
        WHERE a.card_id = ${cardId} AND a.acknowledged_at IS NULL AND (${when})
        GROUP BY a.severity`,
    );
  const cycleUpsert = (set: { monthly: string } | { daily: string }) => {
    const columns = 'monthly' in set ? 'monthly_bytes' : 'daily_bytes, daily_days';
    const values = 'monthly' in set ? set.monthly : `${set.daily}, 1`;
    const update =
      'monthly' in set
        ? 'monthly_bytes = excluded.monthly_bytes'
        : 'daily_bytes = card_cycle_usage.daily_bytes + excluded.daily_bytes, daily_days = card_cycle_usage.daily_days + 1';
    const period = 'monthly' in set ? 'NEW.month' : 'substr(NEW.date, 1, 7)';
    return `INSERT INTO card_cycle_usage
        (card_id, cycle, tenant_path, account_id, plan_id, quota_bytes, ${columns})
      SELECT f.card_id, ${period}, f.tenant_path, f.account_id, f.plan_id, f.quota_bytes, ${values}
      FROM card_facts f WHERE f.card_id = NEW.card_id
      ON CONFLICT (card_id, cycle) DO UPDATE SET ${update}`;
  };
  return [
    {
      table: 'cards',
      insert: [
        `INSERT INTO card_facts
          (card_id, tenant_path, account_id, supplier, status, plan_id, quota_bytes, expires_on)
        VALUES (NEW.id,
          coalesce((select ct.tenant_path from card_tenants ct where ct.card_id = NEW.id), ''),
          NEW.account_id, NEW.supplier, NEW.status,
          (select cp.plan_id from card_plans cp where cp.card_id = NEW.id),
          (select p.quota_bytes from card_plans cp join plans p on p.id = cp.plan_id
            where cp.card_id = NEW.id),
          (select cp.expires_on from card_plans cp where cp.card_id = NEW.id))`,
      ],
      update: {
        columns: ['account_id', 'supplier', 'status'],
        when: changed(['account_id', 'supplier', 'status']),
        body: [
          `UPDATE card_facts SET account_id = NEW.account_id, supplier = NEW.supplier,
            status = NEW.status WHERE card_id = NEW.id`,
        ],
      },
      delete: ['DELETE FROM card_facts WHERE card_id = OLD.id'],
    },
    {
      table: 'card_tenants',
      insert: [
        `UPDATE card_facts SET tenant_path = NEW.tenant_path
          WHERE card_id = NEW.card_id AND tenant_path <> NEW.tenant_path`,
      ],
      update: {
        columns: ['card_id', 'tenant_path'],
        body: [
          `UPDATE card_facts SET tenant_path = '' WHERE card_id = OLD.card_id
            AND OLD.card_id <> NEW.card_id AND tenant_path <> ''`,
          `UPDATE card_facts SET tenant_path = NEW.tenant_path
            WHERE card_id = NEW.card_id AND tenant_path <> NEW.tenant_path`,
        ],
      },
      delete: [
        `UPDATE card_facts SET tenant_path = '' WHERE card_id = OLD.card_id AND tenant_path <> ''`,
      ],
    },
    {
      table: 'card_plans',
      insert: [
        `UPDATE card_facts SET plan_id = NEW.plan_id, expires_on = NEW.expires_on,
          quota_bytes = (select p.quota_bytes from plans p where p.id = NEW.plan_id)
          WHERE card_id = NEW.card_id`,
      ],
      update: {
        columns: ['card_id', 'plan_id', 'expires_on'],
        when: changed(['card_id', 'plan_id', 'expires_on']),
        body: [
          `UPDATE card_facts SET plan_id = NULL, quota_bytes = NULL, expires_on = NULL
            WHERE card_id = OLD.card_id AND OLD.card_id <> NEW.card_id`,
          `UPDATE card_facts SET plan_id = NEW.plan_id, expires_on = NEW.expires_on,
            quota_bytes = (select p.quota_bytes from plans p where p.id = NEW.plan_id)
            WHERE card_id = NEW.card_id`,
        ],
      },
      delete: [
        `UPDATE card_facts SET plan_id = NULL, quota_bytes = NULL, expires_on = NULL
          WHERE card_id = OLD.card_id`,
      ],
    },
    {
      table: 'plans',
      update: {
        columns: ['quota_bytes'],
        when: changed(['quota_bytes']),
        body: ['UPDATE card_facts SET quota_bytes = NEW.quota_bytes WHERE plan_id = NEW.id'],
      },
    },
    {
      table: 'card_facts',
      insert: [
        cardsRow('NEW', 1),
        expiryRow('NEW', 1),
        // A new card has no usage or alerts yet; a rebuild's facts rows do.
        days('NEW.tenant_path', 1, 'NEW.card_id'),
        ...alertsMove("''", 'NEW.tenant_path', 'NEW.card_id'),
      ],
      update: {
        when: changed([...facts, 'expires_on']),
        body: [
          `${cardsRow('OLD', -1)}`,
          `${cardsRow('NEW', 1)}`,
          expiryRow('OLD', -1),
          expiryRow('NEW', 1),
          `UPDATE card_cycle_usage SET tenant_path = NEW.tenant_path, account_id = NEW.account_id,
            plan_id = NEW.plan_id, quota_bytes = NEW.quota_bytes
            WHERE card_id = NEW.card_id AND (${changed(usageDims)})`,
          days('OLD.tenant_path', -1, 'NEW.card_id', 'OLD.tenant_path <> NEW.tenant_path'),
          days('NEW.tenant_path', 1, 'NEW.card_id', 'OLD.tenant_path <> NEW.tenant_path'),
          ...alertsMove(
            'OLD.tenant_path',
            'NEW.tenant_path',
            'NEW.card_id',
            'OLD.tenant_path <> NEW.tenant_path',
          ),
        ],
      },
      delete: [
        cardsRow('OLD', -1),
        expiryRow('OLD', -1),
        'DELETE FROM card_cycle_usage WHERE card_id = OLD.card_id',
        days('OLD.tenant_path', -1, 'OLD.card_id'),
        ...alertsMove('OLD.tenant_path', "''", 'OLD.card_id'),
      ],
    },
    {
      table: 'card_cycle_usage',
      insert: [usageRow('NEW', 1)],
      update: {
        when: changed(['bytes', 'used_permille', ...usageDims]),
        body: [usageRow('OLD', -1), usageRow('NEW', 1)],
      },
      delete: [usageRow('OLD', -1)],
    },
    {
      table: 'usage_daily',
      insert: [
        cycleUpsert({ daily: 'NEW.bytes' }),
        `INSERT INTO stats_daily (tenant_path, date, cards, bytes)
          SELECT f.tenant_path, NEW.date, 1, NEW.bytes FROM card_facts f WHERE f.card_id = NEW.card_id`,
      ],
      // The upsert's key (card, day) never changes: only its bytes.
      update: {
        columns: ['bytes'],
        when: changed(['bytes']),
        body: [
          `UPDATE card_cycle_usage SET daily_bytes = daily_bytes - OLD.bytes + NEW.bytes
            WHERE card_id = NEW.card_id AND cycle = substr(NEW.date, 1, 7)`,
          `INSERT INTO stats_daily (tenant_path, date, cards, bytes)
            SELECT f.tenant_path, NEW.date, 0, NEW.bytes - OLD.bytes
            FROM card_facts f WHERE f.card_id = NEW.card_id`,
        ],
      },
      delete: [
        `UPDATE card_cycle_usage SET daily_bytes = daily_bytes - OLD.bytes,
          daily_days = daily_days - 1 WHERE card_id = OLD.card_id AND cycle = substr(OLD.date, 1, 7)`,
        `INSERT INTO stats_daily (tenant_path, date, cards, bytes)
          SELECT f.tenant_path, OLD.date, -1, -OLD.bytes FROM card_facts f WHERE f.card_id = OLD.card_id`,
      ],
    },
    {
      table: 'usage_monthly',
      insert: [cycleUpsert({ monthly: 'NEW.bytes' })],
      update: {
        columns: ['bytes'],
        when: changed(['bytes']),
        body: [
          `UPDATE card_cycle_usage SET monthly_bytes = NEW.bytes
            WHERE card_id = NEW.card_id AND cycle = NEW.month`,
        ],
      },
      delete: [
        `UPDATE card_cycle_usage SET monthly_bytes = NULL
          WHERE card_id = OLD.card_id AND cycle = OLD.month`,
      ],
    },
    {
      table: 'alerts',
      insert: [
        `INSERT INTO stats_alerts (tenant_path, severity, alerts)
          SELECT ${alertPath('NEW.card_id')}, NEW.severity, 1 WHERE NEW.acknowledged_at IS NULL`,
      ],
      update: {
        when: changed(['card_id', 'severity', 'acknowledged_at']),
        body: [
          `INSERT INTO stats_alerts (tenant_path, severity, alerts)
            SELECT ${alertPath('OLD.card_id')}, OLD.severity, -1 WHERE OLD.acknowledged_at IS NULL`,
          `INSERT INTO stats_alerts (tenant_path, severity, alerts)
            SELECT ${alertPath('NEW.card_id')}, NEW.severity, 1 WHERE NEW.acknowledged_at IS NULL`,
        ],
      },
      delete: [
        `INSERT INTO stats_alerts (tenant_path, severity, alerts)
          SELECT ${alertPath('OLD.card_id')}, OLD.severity, -1 WHERE OLD.acknowledged_at IS NULL`,
      ],
    },
  ];
}

/**
 * PostgreSQL: the tables a sync writes in bulk (cards, usage) and the two they feed get
 * statement-level triggers over transition tables (`o`: old rows, `n`: new rows), each one
 * set-based statement per figure instead of a plpgsql call per row; the same arithmetic as the
 * row triggers above. One trigger per event (an upsert fires both its INSERT and its UPDATE one).
 */
function pgStatementTriggers(): {
  table: string;
  insert: string[];
  update: string[];
  delete: string[];
}[] {
  const level = (column: string) =>
    `(case when ${column} >= 1000 then 100 when ${column} >= 800 then 80 else 0 end)`;
  const changedFacts = `(o.tenant_path, o.account_id, o.supplier, o.status, o.plan_id, o.quota_bytes, o.expires_on)
    IS DISTINCT FROM (n.tenant_path, n.account_id, n.supplier, n.status, n.plan_id, n.quota_bytes, n.expires_on)`;
  const changedUsage = `(o.bytes, o.used_permille, o.tenant_path, o.account_id, o.plan_id, o.quota_bytes)
    IS DISTINCT FROM (n.bytes, n.used_permille, n.tenant_path, n.account_id, n.plan_id, n.quota_bytes)`;
  const usageRows = (rows: string) => `INSERT INTO stats_usage
      (tenant_path, account_id, plan_id, cycle, level, cards, bytes)
    SELECT tenant_path, account_id, plan_id, cycle, lvl, sum(c), sum(b) FROM (${rows}) x
    GROUP BY tenant_path, account_id, plan_id, cycle, lvl HAVING sum(c) <> 0 OR sum(b) <> 0`;
  const usageOf = (alias: string, sign: string) =>
    `SELECT ${alias}.tenant_path, ${alias}.account_id, ${alias}.plan_id, ${alias}.cycle,
      ${level(`${alias}.used_permille`)} AS lvl,
      ${sign}(case when ${alias}.bytes is not null then 1 else 0 end) AS c,
      ${sign}coalesce(${alias}.bytes, 0) AS b`;
  const cardsOf = (alias: string, sign: string) =>
    `SELECT ${alias}.tenant_path, ${alias}.account_id, ${alias}.supplier, ${alias}.status, ${alias}.plan_id, ${sign}1 AS c`;
  const cardRows = (rows: string) => `INSERT INTO stats_cards
      (tenant_path, account_id, supplier, status, plan_id, cards)
    SELECT tenant_path, account_id, supplier, status, plan_id, sum(c) FROM (${rows}) x
    GROUP BY tenant_path, account_id, supplier, status, plan_id HAVING sum(c) <> 0`;
  const expiryRows = (rows: string) => `INSERT INTO stats_expiry (tenant_path, expires_on, cards)
    SELECT tenant_path, expires_on, sum(c) FROM (${rows}) x WHERE expires_on IS NOT NULL
    GROUP BY tenant_path, expires_on HAVING sum(c) <> 0`;
  const daysRows = (rows: string) => `INSERT INTO stats_daily (tenant_path, date, cards, bytes)
    SELECT tenant_path, date, sum(c), sum(b) FROM (${rows}) x
    GROUP BY tenant_path, date HAVING sum(c) <> 0 OR sum(b) <> 0`;
  const alertRows = (rows: string) => `INSERT INTO stats_alerts (tenant_path, severity, alerts)
    SELECT tenant_path, severity, sum(c) FROM (${rows}) x
    GROUP BY tenant_path, severity HAVING sum(c) <> 0`;
  const openAlerts = (facts: string, path: string, sign: string) =>
    `SELECT ${path} AS tenant_path, a.severity, ${sign}1 AS c FROM ${facts}
      JOIN alerts a ON a.card_id = ${facts.split(' ').at(-1)}.card_id AND a.acknowledged_at IS NULL`;
  const days = (facts: string, path: string, sign: string) =>
    `SELECT ${path} AS tenant_path, ud.date, ${sign}1 AS c, ${sign}ud.bytes AS b FROM ${facts}
      JOIN usage_daily ud ON ud.card_id = ${facts.split(' ').at(-1)}.card_id`;
  const moved = 'o JOIN n ON n.card_id = o.card_id AND o.tenant_path <> n.tenant_path';
  return [
    {
      table: 'cards',
      insert: [
        `INSERT INTO card_facts
          (card_id, tenant_path, account_id, supplier, status, plan_id, quota_bytes, expires_on)
        SELECT n.id, coalesce(ct.tenant_path, ''), n.account_id, n.supplier, n.status,
          cp.plan_id, p.quota_bytes, cp.expires_on
        FROM n LEFT JOIN card_tenants ct ON ct.card_id = n.id
        LEFT JOIN card_plans cp ON cp.card_id = n.id LEFT JOIN plans p ON p.id = cp.plan_id`,
      ],
      update: [
        `UPDATE card_facts f SET account_id = n.account_id, supplier = n.supplier, status = n.status
        FROM n JOIN o ON o.id = n.id
        WHERE f.card_id = n.id
          AND (o.account_id, o.supplier, o.status) IS DISTINCT FROM (n.account_id, n.supplier, n.status)`,
      ],
      delete: ['DELETE FROM card_facts WHERE card_id IN (SELECT id FROM o)'],
    },
    {
      table: 'card_facts',
      insert: [
        cardRows(`${cardsOf('n', '')} FROM n`),
        expiryRows('SELECT n.tenant_path, n.expires_on, 1 AS c FROM n'),
        daysRows(days('n', 'n.tenant_path', '')),
        alertRows(
          `${openAlerts('n', "''", '-')} UNION ALL ${openAlerts('n', 'n.tenant_path', '')}`,
        ),
      ],
      update: [
        cardRows(
          `${cardsOf('o', '-')} FROM o JOIN n ON n.card_id = o.card_id WHERE ${changedFacts}
          UNION ALL ${cardsOf('n', '')} FROM o JOIN n ON n.card_id = o.card_id WHERE ${changedFacts}`,
        ),
        expiryRows(
          `SELECT o.tenant_path, o.expires_on, -1 AS c FROM o JOIN n ON n.card_id = o.card_id
            WHERE ${changedFacts}
          UNION ALL SELECT n.tenant_path, n.expires_on, 1 AS c FROM o JOIN n ON n.card_id = o.card_id
            WHERE ${changedFacts}`,
        ),
        `IF EXISTS (SELECT 1 FROM o JOIN n ON n.card_id = o.card_id
          WHERE (o.tenant_path, o.account_id, o.plan_id, o.quota_bytes)
            IS DISTINCT FROM (n.tenant_path, n.account_id, n.plan_id, n.quota_bytes)) THEN
        UPDATE card_cycle_usage u SET tenant_path = n.tenant_path, account_id = n.account_id,
          plan_id = n.plan_id, quota_bytes = n.quota_bytes
        FROM o JOIN n ON n.card_id = o.card_id
        WHERE u.card_id = n.card_id AND (o.tenant_path, o.account_id, o.plan_id, o.quota_bytes)
          IS DISTINCT FROM (n.tenant_path, n.account_id, n.plan_id, n.quota_bytes);
        END IF`,
        'IF EXISTS (SELECT 1 FROM o JOIN n ON n.card_id = o.card_id AND o.tenant_path <> n.tenant_path) THEN NULL',
        daysRows(
          `${days(moved.replace('o JOIN n', 'o JOIN n'), 'o.tenant_path', '-')}
          UNION ALL ${days(moved, 'n.tenant_path', '')}`.replace(
            /JOIN usage_daily ud ON ud\.card_id = \S+\.card_id/g,
            'JOIN usage_daily ud ON ud.card_id = n.card_id',
          ),
        ),
        alertRows(
          `${openAlerts(moved, 'o.tenant_path', '-')} UNION ALL ${openAlerts(moved, 'n.tenant_path', '')}`.replace(
            /a\.card_id = \S+\.card_id/g,
            'a.card_id = n.card_id',
          ),
        ),
        'END IF',
      ],
      delete: [
        cardRows(`${cardsOf('o', '-')} FROM o`),
        expiryRows('SELECT o.tenant_path, o.expires_on, -1 AS c FROM o'),
        'DELETE FROM card_cycle_usage WHERE card_id IN (SELECT card_id FROM o)',
        daysRows(days('o', 'o.tenant_path', '-')),
        alertRows(
          `${openAlerts('o', 'o.tenant_path', '-')} UNION ALL ${openAlerts('o', "''", '')}`,
        ),
      ],
    },
    {
      table: 'card_cycle_usage',
      insert: [usageRows(`${usageOf('n', '')} FROM n`)],
      update: [
        usageRows(
          `${usageOf('o', '-')} FROM o JOIN n ON n.card_id = o.card_id AND n.cycle = o.cycle
            WHERE ${changedUsage}
          UNION ALL ${usageOf('n', '')} FROM o JOIN n ON n.card_id = o.card_id AND n.cycle = o.cycle
            WHERE ${changedUsage}`,
        ),
      ],
      delete: [usageRows(`${usageOf('o', '-')} FROM o`)],
    },
    {
      table: 'usage_daily',
      insert: [
        `INSERT INTO card_cycle_usage
          (card_id, cycle, tenant_path, account_id, plan_id, quota_bytes, daily_bytes, daily_days)
        SELECT f.card_id, substr(n.date, 1, 7), f.tenant_path, f.account_id, f.plan_id,
          f.quota_bytes, sum(n.bytes), count(*)
        FROM n JOIN card_facts f ON f.card_id = n.card_id
        GROUP BY f.card_id, substr(n.date, 1, 7), f.tenant_path, f.account_id, f.plan_id, f.quota_bytes
        ON CONFLICT (card_id, cycle) DO UPDATE SET
          daily_bytes = card_cycle_usage.daily_bytes + excluded.daily_bytes,
          daily_days = card_cycle_usage.daily_days + excluded.daily_days`,
        daysRows(
          'SELECT f.tenant_path, n.date, 1 AS c, n.bytes AS b FROM n JOIN card_facts f ON f.card_id = n.card_id',
        ),
      ],
      // The upsert's key (card, day) never changes: only its bytes.
      update: [
        `UPDATE card_cycle_usage u SET daily_bytes = u.daily_bytes + d.delta
        FROM (SELECT n.card_id, substr(n.date, 1, 7) AS cycle, sum(n.bytes - o.bytes) AS delta
          FROM n JOIN o ON o.card_id = n.card_id AND o.date = n.date
          GROUP BY n.card_id, substr(n.date, 1, 7)) d
        WHERE u.card_id = d.card_id AND u.cycle = d.cycle AND d.delta <> 0`,
        daysRows(
          `SELECT f.tenant_path, n.date, 0 AS c, n.bytes - o.bytes AS b
          FROM n JOIN o ON o.card_id = n.card_id AND o.date = n.date
          JOIN card_facts f ON f.card_id = n.card_id`,
        ),
      ],
      delete: [
        `UPDATE card_cycle_usage u SET daily_bytes = u.daily_bytes - d.bytes,
          daily_days = u.daily_days - d.days
        FROM (SELECT card_id, substr(date, 1, 7) AS cycle, sum(bytes) AS bytes, count(*) AS days
          FROM o GROUP BY card_id, substr(date, 1, 7)) d
        WHERE u.card_id = d.card_id AND u.cycle = d.cycle`,
        daysRows(
          'SELECT f.tenant_path, o.date, -1 AS c, -o.bytes AS b FROM o JOIN card_facts f ON f.card_id = o.card_id',
        ),
      ],
    },
    {
      table: 'usage_monthly',
      insert: [
        `INSERT INTO card_cycle_usage
          (card_id, cycle, tenant_path, account_id, plan_id, quota_bytes, monthly_bytes)
        SELECT f.card_id, n.month, f.tenant_path, f.account_id, f.plan_id, f.quota_bytes, n.bytes
        FROM n JOIN card_facts f ON f.card_id = n.card_id
        ON CONFLICT (card_id, cycle) DO UPDATE SET monthly_bytes = excluded.monthly_bytes`,
      ],
      update: [
        `UPDATE card_cycle_usage u SET monthly_bytes = n.bytes FROM n
        WHERE u.card_id = n.card_id AND u.cycle = n.month AND u.monthly_bytes IS DISTINCT FROM n.bytes`,
      ],
      delete: [
        `UPDATE card_cycle_usage u SET monthly_bytes = NULL FROM o
        WHERE u.card_id = o.card_id AND u.cycle = o.month`,
      ],
    },
  ];
}

async function createPgStatementTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
): Promise<void> {
  for (const trigger of pgStatementTriggers()) {
    for (const [event, statements] of [
      ['INSERT', trigger.insert],
      ['UPDATE', trigger.update],
      ['DELETE', trigger.delete],
    ] as const) {
      const name = `stats_${trigger.table}_${event.toLowerCase()}`;
      await sql
        .raw(
          `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
${statements.map((statement) => `${statement};`).join('\n')}
RETURN NULL;
END
$body$`,
        )
        .execute(db);
      const referencing =
        event === 'INSERT'
          ? 'NEW TABLE AS n'
          : event === 'DELETE'
            ? 'OLD TABLE AS o'
            : 'OLD TABLE AS o NEW TABLE AS n';
      await sql
        .raw(
          `CREATE TRIGGER ${name} AFTER ${event} ON ${trigger.table} REFERENCING ${referencing}
            FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`,
        )
        .execute(db);
    }
  }
}

/** The trigger names of migration 0015, for a bench that measures their cost. */
export function fleetStatsTriggerTables(): string[] {
  return fleetStatsTriggers('sqlite').map((trigger) => trigger.table);
}

/** Creates the triggers of migration 0015 (row triggers; one function per table on PostgreSQL). */
export async function createFleetStatsTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
): Promise<void> {
  const statementLevel = new Set(pgStatementTriggers().map((trigger) => trigger.table));
  if (dialect === 'postgres') await createPgStatementTriggers(db);
  for (const trigger of fleetStatsTriggers(dialect)) {
    const name = `stats_${trigger.table}`;
    if (dialect === 'postgres') {
      if (statementLevel.has(trigger.table)) continue;
      const branch = (statements: string[]) => statements.map((s) => `${s};`).join('\n');
      const parts: string[] = [];
      if (trigger.insert)
        parts.push(`IF TG_OP = 'INSERT' THEN\n${branch(trigger.insert)}\nEND IF;`);
      if (trigger.update) {
        const when = trigger.update.when ?? 'true';
        parts.push(
          `IF TG_OP = 'UPDATE' AND (${when}) THEN\n${branch(trigger.update.body)}\nEND IF;`,
        );
      }
      if (trigger.delete)
        parts.push(`IF TG_OP = 'DELETE' THEN\n${branch(trigger.delete)}\nEND IF;`);
      await sql
        .raw(
          `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
${parts.join('\n')}
RETURN NULL;
END
$body$`,
        )
        .execute(db);
      const events = [
        trigger.insert ? 'INSERT' : null,
        trigger.update
          ? `UPDATE${trigger.update.columns ? ` OF ${trigger.update.columns.join(', ')}` : ''}`
          : null,
        trigger.delete ? 'DELETE' : null,
      ].filter((event) => event !== null);
      await sql
        .raw(
          `CREATE TRIGGER ${name} AFTER ${events.join(' OR ')} ON ${trigger.table}
            FOR EACH ROW EXECUTE FUNCTION ${name}()`,
        )
        .execute(db);
    } else {
      const create = async (event: string, suffix: string, body: string[], when?: string) => {
        await sql
          .raw(
            `CREATE TRIGGER ${name}_${suffix} AFTER ${event} ON ${trigger.table} FOR EACH ROW
              ${when ? `WHEN ${when}` : ''}
              BEGIN
              ${body.map((s) => `${s};`).join('\n')}
              END`,
          )
          .execute(db);
      };
      if (trigger.insert) await create('INSERT', 'insert', trigger.insert);
      if (trigger.update) {
        const columns = trigger.update.columns ? ` OF ${trigger.update.columns.join(', ')}` : '';
        await create(`UPDATE${columns}`, 'update', trigger.update.body, trigger.update.when);
      }
      if (trigger.delete) await create('DELETE', 'delete', trigger.delete);
    }
  }
}

/** Drops the triggers of migration 0015 (a bench measures a sync without them). */
export async function dropFleetStatsTriggers(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
  dialect: Dialect,
): Promise<void> {
  for (const trigger of fleetStatsTriggers(dialect)) {
    const name = `stats_${trigger.table}`;
    if (dialect === 'postgres') {
      await sql.raw(`DROP TRIGGER IF EXISTS ${name} ON ${trigger.table}`).execute(db);
      await sql.raw(`DROP FUNCTION IF EXISTS ${name}()`).execute(db);
      for (const suffix of ['insert', 'update', 'delete']) {
        await sql.raw(`DROP TRIGGER IF EXISTS ${name}_${suffix} ON ${trigger.table}`).execute(db);
        await sql.raw(`DROP FUNCTION IF EXISTS ${name}_${suffix}()`).execute(db);
      }
    } else {
      for (const suffix of ['insert', 'update', 'delete']) {
        await sql.raw(`DROP TRIGGER IF EXISTS ${name}_${suffix}`).execute(db);
      }
    }
  }
}

/**
 * Empties the kept figures and fills them again from the data, through the triggers (the same
 * code that keeps them). Run inside one transaction; on PostgreSQL the caller first locks the
 * source tables against writers.
 */
export async function fillFleetStats(
  // biome-ignore lint/suspicious/noExplicitAny: a migration's schema is untyped by design.
  db: Kysely<any>,
): Promise<void> {
  await sql`DELETE FROM card_cycle_usage`.execute(db);
  await sql`DELETE FROM card_facts`.execute(db);
  for (const table of [
    'stats_cards',
    'stats_usage',
    'stats_daily',
    'stats_expiry',
    'stats_alerts',
  ]) {
    await sql.raw(`DELETE FROM ${table}`).execute(db);
  }
  // Facts first (their triggers count cards, expiry and usage days, and move their cards' open
  // alerts from '' to their tenant), then every open alert under '', then the cycle rows (their
  // triggers count usage).
  await sql`INSERT INTO card_facts
      (card_id, tenant_path, account_id, supplier, status, plan_id, quota_bytes, expires_on)
    SELECT c.id, coalesce(ct.tenant_path, ''), c.account_id, c.supplier, c.status,
      cp.plan_id, p.quota_bytes, cp.expires_on
    FROM cards c
    LEFT JOIN card_tenants ct ON ct.card_id = c.id
    LEFT JOIN card_plans cp ON cp.card_id = c.id
    LEFT JOIN plans p ON p.id = cp.plan_id`.execute(db);
  // Every open alert under '' first: the facts rows' triggers moved their cards' alerts from ''.
  await sql`INSERT INTO stats_alerts (tenant_path, severity, alerts)
    SELECT '', a.severity, count(*) FROM alerts a WHERE a.acknowledged_at IS NULL
    GROUP BY a.severity`.execute(db);
  await sql`INSERT INTO card_cycle_usage
      (card_id, cycle, tenant_path, account_id, plan_id, quota_bytes,
       monthly_bytes, daily_bytes, daily_days)
    SELECT f.card_id, u.cycle, f.tenant_path, f.account_id, f.plan_id, f.quota_bytes,
      (SELECT um.bytes FROM usage_monthly um WHERE um.card_id = u.card_id AND um.month = u.cycle),
      coalesce(sum(u.daily_bytes), 0), coalesce(sum(u.days), 0)
    FROM (
      SELECT card_id, substr(date, 1, 7) AS cycle, bytes AS daily_bytes, 1 AS days FROM usage_daily
      UNION ALL
      SELECT card_id, month AS cycle, 0 AS daily_bytes, 0 AS days FROM usage_monthly
    ) u
    JOIN card_facts f ON f.card_id = u.card_id
    GROUP BY f.card_id, u.card_id, u.cycle, f.tenant_path, f.account_id, f.plan_id, f.quota_bytes`.execute(
    db,
  );
}
