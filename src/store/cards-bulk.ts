import { type Kysely, sql } from 'kysely';
import type { Dialect } from './store-dialect.js';
import type { Database } from './store-schema.js';
import { chunks, rowsPerStatement } from './store-sql.js';

/** Card columns a bulk update may set, with the SQL type their parameters are cast to. */
const CARD_COLUMN_TYPES = {
  iccid: 'text',
  msisdn: 'text',
  imsi: 'text',
  imei: 'text',
  status: 'text',
  status_raw: 'text',
  status_changed_at: 'bigint',
  identities_synced_at: 'bigint',
  updated_at: 'bigint',
} as const;

export type CardColumn = keyof typeof CARD_COLUMN_TYPES;

export type CardColumnValues = { id: number } & { [column in CardColumn]?: string | number | null };

/**
 * Sets `columns` of many cards by id, a few thousand rows per statement:
 * `WITH v(id, …) AS (VALUES …) UPDATE cards SET c = v.c … FROM v WHERE cards.id = v.id`, which
 * both SQLite (3.33+) and PostgreSQL run. Parameters are cast so PostgreSQL types the VALUES.
 */
export async function updateCardColumns(
  transaction: Kysely<Database>,
  dialect: Dialect,
  columns: readonly CardColumn[],
  rows: readonly CardColumnValues[],
): Promise<void> {
  if (rows.length === 0 || columns.length === 0) return;
  const names: readonly ('id' | CardColumn)[] = ['id', ...columns];
  const typeOf = (name: 'id' | CardColumn) => (name === 'id' ? 'bigint' : CARD_COLUMN_TYPES[name]);
  for (const part of chunks(rows, rowsPerStatement(dialect, names.length))) {
    const values = part.map(
      (row) =>
        sql`(${sql.join(names.map((name) => sql`cast(${row[name] ?? null} as ${sql.raw(typeOf(name))})`))})`,
    );
    await sql`with v (${sql.join(names.map((name) => sql.ref(name)))}) as (values ${sql.join(values)})
      update cards set ${sql.join(columns.map((column) => sql`${sql.ref(column)} = ${sql.ref(`v.${column}`)}`))}
      from v where cards.id = v.id`.execute(transaction);
  }
}
