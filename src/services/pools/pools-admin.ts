import { SimdockError } from '../../domain/index.js';
import type { AuditInput } from '../../store/index.js';
import { PoolsRepository, type StoredPool } from '../../store/repositories/pools-repository.js';
import { RulesRepository } from '../../store/repositories/rules-repository.js';
import { recordScopedAudit } from '../access/access-audit.js';
import type { Principal } from '../access/access-roles.js';
import { planBulkSelection } from '../bulk/bulk-jobs.js';
import type { ServiceContext } from '../context.js';

/** Who changes a pool: an API caller (audited in its tenant) or the CLI. */
export type PoolActor = Principal | 'cli';

/** What a pool's owner may change; a field left undefined keeps its value. */
export interface PoolChanges {
  name?: string;
  /** The supplier account the pool belongs to; null: a pool across accounts. */
  account?: string | null;
  /** Bytes per cycle for the whole pool; null: unknown. */
  quotaBytes?: number | null;
  cycleStartDay?: number;
}

async function audit(
  context: ServiceContext,
  actor: PoolActor,
  entry: Omit<AuditInput, 'actor'>,
): Promise<void> {
  if (actor === 'cli') await context.store.audit.record({ ...entry, actor: 'cli' });
  else await recordScopedAudit(context.store, actor, entry);
}

/** An account a pool names must exist (`not_found` otherwise). */
async function requireAccount(context: ServiceContext, account: string | null | undefined) {
  if (account === undefined || account === null) return;
  if (!(await context.store.accounts.get(account))) {
    throw new SimdockError('not_found', `no account "${account}"`, { details: { account } });
  }
}

/**
 * Creates a pool defined here (`source` simdock), with cards when given (ids that must exist),
 * and audits it. A name taken is `already_exists`.
 */
export async function createPool(
  context: ServiceContext,
  actor: PoolActor,
  input: PoolChanges & { name: string; cards?: number[] | undefined },
): Promise<StoredPool> {
  await requireAccount(context, input.account);
  const pools = new PoolsRepository(context.store, () => context.clock.now());
  const cards = [...new Set(input.cards ?? [])];
  for (const id of cards) {
    if (!(await context.store.cards.get(id))) {
      throw new SimdockError('invalid_argument', `no card ${id}`, { details: { card: id } });
    }
  }
  const pool = await pools.create({
    name: input.name,
    account: input.account ?? null,
    quotaBytes: input.quotaBytes ?? null,
    ...(input.cycleStartDay !== undefined ? { cycleStartDay: input.cycleStartDay } : {}),
  });
  if (cards.length > 0) await pools.addCards(pool.id, cards);
  await audit(context, actor, {
    action: 'pools.create',
    targetType: 'pool',
    targetId: String(pool.id),
    outcome: 'succeeded',
    details: { name: pool.name, quotaBytes: pool.quotaBytes, cards: cards.length },
  });
  return pool;
}

/** Changes a pool (by id or name) and audits the fields changed. */
export async function updatePool(
  context: ServiceContext,
  actor: PoolActor,
  idOrName: number | string,
  changes: PoolChanges,
): Promise<StoredPool> {
  const pools = new PoolsRepository(context.store, () => context.clock.now());
  const pool = await pools.require(idOrName);
  await requireAccount(context, changes.account);
  const updated = await pools.update(pool.id, changes);
  await audit(context, actor, {
    action: 'pools.update',
    targetType: 'pool',
    targetId: String(pool.id),
    outcome: 'succeeded',
    details: {
      fields: Object.entries(changes)
        .filter(([, value]) => value !== undefined)
        .map(([key]) => key),
    },
  });
  return updated;
}

/**
 * Deletes a pool (by id or name) that no rule watches — a rule on it is a `conflict` naming the
 * rule — and audits it. Its cards stay.
 */
export async function deletePool(
  context: ServiceContext,
  actor: PoolActor,
  idOrName: number | string,
): Promise<StoredPool> {
  const pool = await new PoolsRepository(context.store).require(idOrName);
  const rule = await new RulesRepository(context.store).firstWatching('pool', String(pool.id));
  if (rule !== null) {
    throw new SimdockError('conflict', `rule ${rule} watches pool ${pool.id}: delete it first`, {
      details: { pool: pool.id, rule },
    });
  }
  await new PoolsRepository(context.store).delete(pool.id);
  await audit(context, actor, {
    action: 'pools.delete',
    targetType: 'pool',
    targetId: String(pool.id),
    outcome: 'succeeded',
    details: { name: pool.name },
  });
  return pool;
}

/** Which cards a pool change names: ids, or every card matching a card filter. */
export type PoolCards = { cards: number[] } | { filter: string };

/** The ids of `selection`: the ids given, or the cards a filter matches (none is an error). */
async function poolCardIds(context: ServiceContext, selection: PoolCards): Promise<number[]> {
  if (!('filter' in selection)) return [...new Set(selection.cards)];
  const found = await planBulkSelection(context, { filter: selection.filter });
  const ids = found.cards.map((card) => card.cardId);
  if (ids.length === 0) {
    throw new SimdockError('invalid_argument', `no card matches "${selection.filter}"`, {
      details: { filter: selection.filter },
    });
  }
  return ids;
}

/**
 * Adds cards to a pool (by id or name): the ids given or every card matching a filter (the bulk
 * jobs' grammar, at most 100,000). Cards already in it stay once. Audited when a card was added
 * (the same cards added twice, even at the same moment, make one change and one entry).
 * Returns how many cards were new to it, of how many named.
 */
export async function addPoolCards(
  context: ServiceContext,
  actor: PoolActor,
  idOrName: number | string,
  selection: PoolCards,
): Promise<{ pool: StoredPool; added: number; named: number }> {
  const pools = new PoolsRepository(context.store, () => context.clock.now());
  const pool = await pools.require(idOrName);
  const ids = await poolCardIds(context, selection);
  const added = await pools.addCards(pool.id, ids);
  if (added > 0) {
    await audit(context, actor, {
      action: 'pools.cards.add',
      targetType: 'pool',
      targetId: String(pool.id),
      outcome: 'succeeded',
      details: { added, ...('filter' in selection ? { filter: selection.filter } : {}) },
    });
  }
  return { pool, added, named: ids.length };
}

/**
 * Takes cards out of a pool (by id or name): the ids given or every card matching a filter.
 * Cards not in it are left alone; the cards themselves stay. Audited when a card was removed.
 * Returns how many were in it.
 */
export async function removePoolCards(
  context: ServiceContext,
  actor: PoolActor,
  idOrName: number | string,
  selection: PoolCards,
): Promise<{ pool: StoredPool; removed: number; named: number }> {
  const pools = new PoolsRepository(context.store, () => context.clock.now());
  const pool = await pools.require(idOrName);
  const ids = await poolCardIds(context, selection);
  const removed = await pools.removeCards(pool.id, ids);
  if (removed > 0) {
    await audit(context, actor, {
      action: 'pools.cards.remove',
      targetType: 'pool',
      targetId: String(pool.id),
      outcome: 'succeeded',
      details: { removed, ...('filter' in selection ? { filter: selection.filter } : {}) },
    });
  }
  return { pool, removed, named: ids.length };
}
