import { SimdockError } from '../../domain/index.js';
import { PoolsRepository, type StoredPool } from '../../store/repositories/pools-repository.js';
import type { ServiceContext } from '../context.js';

/** What an import of a supplier account's pools did. */
export interface SupplierPoolImport {
  account: string;
  pools: { pool: StoredPool; members: number; unknownCards: number }[];
}

/**
 * Mirrors the pools a supplier account keeps (the adapter's `doListPools`: name, shared or not,
 * quota and the supplier's used figure; Quectel's billing groups, for one) as simdock pools, and
 * sets each pool's members to the account's stored cards the supplier lists for it
 * (`doListPoolMembers`). Cards listed that simdock has not imported are counted, not created.
 */
export async function importSupplierPools(
  context: ServiceContext,
  accountId: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<SupplierPoolImport> {
  const adapter = await context.adapter(accountId);
  if (!adapter.doListPools || !adapter.doListPoolMembers) {
    throw new SimdockError(
      'unsupported',
      `account "${accountId}" is ${adapter.supplier}: its supplier has no pools to import`,
    );
  }
  const repository = new PoolsRepository(context.store, () => context.clock.now());
  const result: SupplierPoolImport = { account: accountId, pools: [] };
  for (const group of await adapter.doListPools(options)) {
    const pool = await repository.upsertSupplierPool({
      name: `${accountId}:${group.name ?? group.code ?? group.id}`,
      account: accountId,
      source: adapter.supplier,
      externalId: group.id,
      shared: group.shared,
      quotaBytes: group.totalBytes === null ? null : Math.round(group.totalBytes),
      supplierUsedBytes: group.usedBytes === null ? null : Math.round(group.usedBytes),
    });
    const iccids = await adapter.doListPoolMembers({ ...options, poolId: group.id });
    const cardIds = await context.store.cards.idsByIccid(accountId, iccids);
    await repository.replaceCards(pool.id, cardIds);
    result.pools.push({
      pool,
      members: cardIds.length,
      unknownCards: iccids.length - cardIds.length,
    });
  }
  return result;
}
