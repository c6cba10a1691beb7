import { type Kysely, sql } from 'kysely';
import { cycleUsageKey } from '../domain/index.js';
import { storeKeepsFigures, triggersKeepFigures } from './stats-switch.js';
import { chunks, placeholderList, runShaped, valueTuples } from './store-sql.js';

/** A usage row as the store writes it: `period` is the CST date or month. */
export interface UsageWrite {
  card_id: number;
  period: string;
  bytes: number;
}

/** Which usage table a batch goes to. */
export type UsageTable = 'usage_daily' | 'usage_monthly';

/** Rows per lookup statement (SQLite: one parameter per value, up to 32,766). */
const LOOKUP = 10_000;

// biome-ignore lint/suspicious/noExplicitAny: the kept-figure tables are read and written raw.
type Untyped = Kysely<any>;

/** A card's dimensions as the kept figures count them (its `card_facts` row). */
interface Facts {
  card_id: number;
  tenant_path: string;
  account_id: string;
  plan_id: number | null;
  quota_bytes: number | null;
  /** The start day of the plan's cycle; null: no plan. */
  cycle_day: number | null;
}

interface CycleRow {
  card_id: number;
  cycle: string;
  tenant_path: string;
  account_id: string;
  plan_id: number | null;
  bytes: number | null;
  used_permille: number | null;
}

/** A cycle row as read before the batch: its figures and what its generated columns derive from. */
interface StoredCycleRow extends CycleRow {
  quota_bytes: number | null;
  monthly_bytes: number | null;
  daily_bytes: number;
  daily_days: number;
}

const COLUMNS =
  'card_id, cycle, tenant_path, account_id, plan_id, bytes, used_permille, quota_bytes, monthly_bytes, daily_bytes, daily_days';

/**
 * The generated columns of `card_cycle_usage` (migration 0015), as SQLite computes them: the
 * cycle's bytes (the month's figure, else the days' sum when there is a day) and the quota's
 * per mille (integer division, so exact in BigInt).
 */
function derived(
  quota: number | null,
  monthly: number | null,
  daily: number,
  days: number,
): { bytes: number | null; used_permille: number | null } {
  const bytes = monthly ?? (days > 0 ? daily : null);
  const permille =
    bytes !== null && quota !== null && quota > 0
      ? Number((BigInt(bytes) * 1000n) / BigInt(quota))
      : null;
  return { bytes, used_permille: permille };
}

function nullableNumber(value: number | null): number | null {
  return value === null ? null : Number(value);
}

/** The quota level of migration 0015: 100 at or over the quota, 80 at or over 80 %, else 0. */
function level(permille: number | null): number {
  if (permille === null) return 0;
  return permille >= 1000 ? 100 : permille >= 800 ? 80 : 0;
}

/**
 * SQLite: the usage batch's own upkeep of the kept figures (migration 0022), in the caller's
 * write transaction, in place of the row triggers of `usage_daily`, `usage_monthly` and
 * `card_cycle_usage` (which the switch turns aside meanwhile). Same arithmetic as the triggers:
 * a card's cycle row gets the day's change of bytes (and one more day for a new day) or the
 * month's figure; the usage cube gets the cycle rows' old figures taken back and their new
 * ones added; the daily cube gets the changed days. Cards without a facts row count nothing.
 * Summed per key in memory, so a batch writes a few delta rows instead of several per usage row.
 * SQLite has one writer at a time (the caller's transaction began IMMEDIATE), so the rows read
 * here are the rows the batch replaces.
 *
 * `write` upserts the batch and answers how many rows it inserted or changed. Without the
 * switch row (`dropCurrentFleetStatsTriggers`) the batch is only written.
 */
export async function writeUsageKeepingFigures(
  transaction: Untyped,
  table: UsageTable,
  rows: readonly UsageWrite[],
  write: () => Promise<number>,
): Promise<number> {
  if (rows.length === 0) return write();
  const period = table === 'usage_daily' ? 'date' : 'month';
  // No switch row: the figures are not kept at all (a bench measuring writes without them).
  if (!(await storeKeepsFigures(transaction))) return write();
  const cardIds = [...new Set(rows.map((row) => row.card_id))];
  const periods = [...new Set(rows.map((row) => row.period))];
  const previous = new Map<string, number>();
  for (const part of chunks(cardIds, LOOKUP)) {
    const found = await runShaped<{ card_id: number; period: string; bytes: number }>(
      transaction,
      'sqlite',
      `usage before ${table} ${part.length} ${periods.length}`,
      (placeholder) => `SELECT card_id, ${period} AS period, bytes FROM ${table}
        WHERE card_id IN (${placeholderList(placeholder, part.length)})
          AND ${period} IN (${placeholderList(placeholder, periods.length, part.length)})`,
      [...part, ...periods],
    );
    for (const row of found.rows) previous.set(`${row.card_id} ${row.period}`, Number(row.bytes));
  }
  const written = await write();
  // What changed: new rows and rows whose bytes differ (the upsert skipped the others).
  const changed = rows
    .map((row) => ({ row, before: previous.get(`${row.card_id} ${row.period}`) }))
    .filter(({ row, before }) => before === undefined || before !== row.bytes);
  if (changed.length > 0) {
    const facts = new Map<number, Facts>();
    const cards = [...new Set(changed.map(({ row }) => row.card_id))];
    for (const part of chunks(cards, LOOKUP)) {
      const found = await runShaped<Facts>(
        transaction,
        'sqlite',
        `usage facts ${part.length}`,
        (placeholder) => `SELECT card_id, tenant_path, account_id, plan_id, quota_bytes,
            (SELECT p.cycle_start_day FROM plans p WHERE p.id = card_facts.plan_id) AS cycle_day
          FROM card_facts WHERE card_id IN (${placeholderList(placeholder, part.length)})`,
        part,
      );
      for (const row of found.rows) facts.set(Number(row.card_id), row);
    }
    const counted = changed.filter(({ row }) => facts.has(row.card_id));
    if (counted.length > 0) {
      await keepCycles(transaction, table, counted, facts);
      if (table === 'usage_daily') await keepDays(transaction, counted, facts);
    }
  }
  await triggersKeepFigures(transaction);
  return written;
}

/** The cycle rows of the changed usage rows, and the usage cube's deltas of those rows. */
async function keepCycles(
  transaction: Untyped,
  table: UsageTable,
  changed: { row: UsageWrite; before: number | undefined }[],
  facts: Map<number, Facts>,
): Promise<void> {
  // Per card and cycle: the month's figure, or the days' change of bytes and of days.
  const cycles = new Map<string, { card_id: number; cycle: string; bytes: number; days: number }>();
  const move = (cardId: number, cycle: string, bytes: number, days: number) => {
    const key = `${cardId} ${cycle}`;
    const entry = cycles.get(key) ?? { card_id: cardId, cycle, bytes: 0, days: 0 };
    entry.bytes += bytes;
    entry.days += days;
    cycles.set(key, entry);
  };
  for (const { row, before } of changed) {
    if (table === 'usage_monthly') {
      move(row.card_id, row.period, row.bytes, 0);
      continue;
    }
    const [bytes, days] = [row.bytes - (before ?? 0), before === undefined ? 1 : 0];
    move(row.card_id, row.period.slice(0, 7), bytes, days);
    // A plan cycling from another day also keeps its own cycle's row (migration 0029).
    const day = facts.get(row.card_id)!.cycle_day;
    if (day !== null && Number(day) !== 1) {
      move(row.card_id, cycleUsageKey(row.period, Number(day)), bytes, days);
    }
  }
  const entries = [...cycles.values()];
  const deltas = new Map<
    string,
    Omit<CycleRow, 'card_id' | 'bytes' | 'used_permille'> & {
      level: number;
      cards: number;
      bytes: number;
    }
  >();
  const add = (row: CycleRow, sign: 1 | -1) => {
    const lvl = level(row.used_permille === null ? null : Number(row.used_permille));
    const key = JSON.stringify([row.tenant_path, row.account_id, row.plan_id, row.cycle, lvl]);
    const delta = deltas.get(key) ?? {
      tenant_path: row.tenant_path,
      account_id: row.account_id,
      plan_id: row.plan_id === null ? null : Number(row.plan_id),
      cycle: row.cycle,
      level: lvl,
      cards: 0,
      bytes: 0,
    };
    if (row.bytes !== null) {
      delta.cards += sign;
      delta.bytes += sign * Number(row.bytes);
    }
    deltas.set(key, delta);
  };
  // 9 parameters a row below: 3,000 rows a statement stay inside SQLite's limit.
  for (const part of chunks(entries, 3_000)) {
    const cyclesOf = [...new Set(part.map((entry) => entry.cycle))];
    const before = await runShaped<StoredCycleRow>(
      transaction,
      'sqlite',
      `cycles before ${part.length} ${cyclesOf.length}`,
      (placeholder) => `SELECT ${COLUMNS} FROM card_cycle_usage
        WHERE card_id IN (${placeholderList(placeholder, part.length)})
          AND cycle IN (${placeholderList(placeholder, cyclesOf.length, part.length)})`,
      [...part.map((entry) => entry.card_id), ...cyclesOf],
    );
    const stored = new Map<string, StoredCycleRow>();
    for (const row of before.rows) stored.set(`${row.card_id} ${row.cycle}`, row);
    const parameters: unknown[] = [];
    for (const entry of part) {
      const card = facts.get(entry.card_id)!;
      const [daily, days, monthly] =
        table === 'usage_daily' ? [entry.bytes, entry.days, null] : [0, 0, entry.bytes];
      // The row's figures after the upsert, computed here rather than read back (`RETURNING`
      // made the upsert half as slow again): the stored row's plus the batch's change, or new.
      const old = stored.get(`${entry.card_id} ${entry.cycle}`);
      if (old) {
        add(old, -1);
        const next =
          table === 'usage_daily'
            ? derived(
                nullableNumber(old.quota_bytes),
                nullableNumber(old.monthly_bytes),
                Number(old.daily_bytes) + daily,
                Number(old.daily_days) + days,
              )
            : derived(
                nullableNumber(old.quota_bytes),
                monthly,
                Number(old.daily_bytes),
                Number(old.daily_days),
              );
        add({ ...old, ...next }, 1);
      } else {
        add(
          {
            card_id: entry.card_id,
            cycle: entry.cycle,
            tenant_path: card.tenant_path,
            account_id: card.account_id,
            plan_id: card.plan_id,
            ...derived(nullableNumber(card.quota_bytes), monthly, daily, days),
          },
          1,
        );
      }
      parameters.push(
        entry.card_id,
        entry.cycle,
        card.tenant_path,
        card.account_id,
        card.plan_id,
        card.quota_bytes,
        daily,
        days,
        monthly,
      );
    }
    const update =
      table === 'usage_daily'
        ? `daily_bytes = card_cycle_usage.daily_bytes + excluded.daily_bytes,
            daily_days = card_cycle_usage.daily_days + excluded.daily_days`
        : 'monthly_bytes = excluded.monthly_bytes';
    await runShaped(
      transaction,
      'sqlite',
      `cycles upsert ${table} ${part.length}`,
      (placeholder) => `INSERT INTO card_cycle_usage
          (card_id, cycle, tenant_path, account_id, plan_id, quota_bytes,
           daily_bytes, daily_days, monthly_bytes)
        VALUES ${valueTuples(placeholder, part.length, 9)}
        ON CONFLICT (card_id, cycle) DO UPDATE SET ${update}`,
      parameters,
    );
  }
  const rows = [...deltas.values()].filter((delta) => delta.cards !== 0 || delta.bytes !== 0);
  for (const part of chunks(rows, 4_000)) {
    await sql`INSERT INTO stats_usage (tenant_path, account_id, plan_id, cycle, level, cards, bytes)
      VALUES ${sql.join(
        part.map(
          (delta) =>
            sql`(${delta.tenant_path}, ${delta.account_id}, ${delta.plan_id}, ${delta.cycle}, ${delta.level}, ${delta.cards}, ${delta.bytes})`,
        ),
      )}`.execute(transaction);
  }
}

/** The daily cube's deltas of the changed days: one more card for a new day, the bytes' change. */
async function keepDays(
  transaction: Untyped,
  changed: { row: UsageWrite; before: number | undefined }[],
  facts: Map<number, Facts>,
): Promise<void> {
  const days = new Map<
    string,
    { tenant_path: string; date: string; cards: number; bytes: number }
  >();
  for (const { row, before } of changed) {
    const tenantPath = facts.get(row.card_id)!.tenant_path;
    const key = `${tenantPath}\u0000${row.period}`;
    const entry = days.get(key) ?? {
      tenant_path: tenantPath,
      date: row.period,
      cards: 0,
      bytes: 0,
    };
    if (before === undefined) entry.cards += 1;
    entry.bytes += row.bytes - (before ?? 0);
    days.set(key, entry);
  }
  const rows = [...days.values()].filter((entry) => entry.cards !== 0 || entry.bytes !== 0);
  for (const part of chunks(rows, 5_000)) {
    await sql`INSERT INTO stats_daily (tenant_path, date, cards, bytes) VALUES ${sql.join(
      part.map(
        (entry) => sql`(${entry.tenant_path}, ${entry.date}, ${entry.cards}, ${entry.bytes})`,
      ),
    )}`.execute(transaction);
  }
}
