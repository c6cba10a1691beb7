import { type Kysely, sql } from 'kysely';
import { storeKeepsFigures, triggersKeepFigures } from './stats-switch.js';
import { chunks } from './store-sql.js';
import type { CardFactsTable } from './tables/stats.js';

// biome-ignore lint/suspicious/noExplicitAny: the kept-figure tables are read and written raw.
type Untyped = Kysely<any>;

/** Cards per statement (SQLite: one parameter per value, up to 32,766). */
const LOOKUP = 10_000;

/** A card's new status, as a status refresh writes it. */
export interface StatusWrite {
  id: number;
  status: string;
}

type FactsRow = Pick<
  CardFactsTable,
  'card_id' | 'tenant_path' | 'account_id' | 'supplier' | 'status' | 'plan_id'
>;

/**
 * SQLite: a status batch's own upkeep of the kept figures (migration 0024), in the caller's
 * write transaction, in place of the update triggers of `cards` and `card_facts` (which the
 * switch turns aside meanwhile). Same arithmetic as those triggers for a change of status alone:
 * the card's facts row takes the new status and the cards cube moves the card from its old key to
 * its new one; the other figures (expiry, usage, days, alerts) do not depend on the status.
 * Summed per key, so a batch writes a few delta rows instead of two per card. `write` updates
 * the cards. Without the switch row (`dropCurrentFleetStatsTriggers`) the batch is only written.
 */
export async function writeStatusesKeepingFigures(
  transaction: Untyped,
  changes: readonly StatusWrite[],
  write: () => Promise<void>,
): Promise<void> {
  if (changes.length === 0) return write();
  if (!(await storeKeepsFigures(transaction))) return write();
  await write();
  const facts = new Map<number, FactsRow>();
  for (const part of chunks(
    changes.map((change) => change.id),
    LOOKUP,
  )) {
    const found = await sql<FactsRow>`SELECT card_id, tenant_path, account_id, supplier, status,
        plan_id FROM card_facts WHERE card_id IN (${sql.join(part)})`.execute(transaction);
    for (const row of found.rows) facts.set(Number(row.card_id), row);
  }
  const byStatus = new Map<string, number[]>();
  const deltas = new Map<string, FactsRow & { cards: number }>();
  const add = (row: FactsRow, status: string, sign: 1 | -1) => {
    const plan = row.plan_id === null ? null : Number(row.plan_id);
    const key = JSON.stringify([row.tenant_path, row.account_id, row.supplier, status, plan]);
    const delta = deltas.get(key) ?? { ...row, plan_id: plan, status, cards: 0 };
    delta.cards += sign;
    deltas.set(key, delta);
  };
  for (const change of changes) {
    const row = facts.get(change.id);
    // No facts row: the card counts nowhere (as the triggers do); same status: nothing moves.
    if (!row || row.status === change.status) continue;
    add(row, row.status, -1);
    add(row, change.status, 1);
    const ids = byStatus.get(change.status);
    if (ids) ids.push(change.id);
    else byStatus.set(change.status, [change.id]);
  }
  for (const [status, ids] of byStatus) {
    for (const part of chunks(ids, LOOKUP)) {
      await sql`UPDATE card_facts SET status = ${status}
        WHERE card_id IN (${sql.join(part)})`.execute(transaction);
    }
  }
  const rows = [...deltas.values()].filter((delta) => delta.cards !== 0);
  for (const part of chunks(rows, 5_000)) {
    await sql`INSERT INTO stats_cards (tenant_path, account_id, supplier, status, plan_id, cards)
      VALUES ${sql.join(
        part.map(
          (delta) =>
            sql`(${delta.tenant_path}, ${delta.account_id}, ${delta.supplier}, ${delta.status}, ${delta.plan_id}, ${delta.cards})`,
        ),
      )}`.execute(transaction);
  }
  await triggersKeepFigures(transaction);
}
