import { SimdockError } from '../../domain/index.js';
import { PoolsRepository, type StoredPool } from '../../store/repositories/pools-repository.js';
import type { ServiceContext } from '../context.js';

/** What an import of a Quectel account's billing groups did. */
export interface QuectelPoolImport {
  account: string;
  pools: { pool: StoredPool; members: number; unknownCards: number }[];
}

/**
 * Mirrors a Quectel account's billing groups as pools (quectel-connectivity-api-v3.15.md §2.1.1
 * and §2.1.3: name, `isflowshare`, `sumFlow` as the quota, `useFlow` as the supplier's used
 * figure) and sets each pool's members to the account's stored cards the group lists
 * (§2.1.4 `card.list` filtered by `billingid`). Cards the group lists that simdock has not
 * imported are counted, not created.
 */
export async function importQuectelPools(
  context: ServiceContext,
  accountId: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<QuectelPoolImport> {
  const adapter = await context.adapter(accountId);
  if (!adapter.doListPools || !adapter.doListPoolMembers) {
    throw new SimdockError(
      'unsupported',
      `account "${accountId}" is ${adapter.supplier}: its supplier has no pools to import`,
    );
  }
  const repository = new PoolsRepository(context.store, () => context.clock.now());
  const result: QuectelPoolImport = { account: accountId, pools: [] };
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
