import { ManualClock } from '../../src/domain/index.js';
import {
  createServiceContext,
  type ServiceContext,
  saveAccounts,
} from '../../src/services/context.js';
import { importCards } from '../../src/services/inventory/card-import.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createSupplierCatalog } from '../../src/suppliers/catalog.js';
import { appFetch, type FaultInjector } from '../../src/suppliers/spec/simulator-kit.js';

/** One supplier account backed by its simulator, with a store and a service context. */
export interface SupplierFixture {
  supplier: string;
  store: Store;
  context: ServiceContext;
  faults: FaultInjector;
  clock: ManualClock;
  close(): Promise<void>;
}

/** Every supplier type of the catalog. */
export const FIXTURE_SUPPLIERS = createSupplierCatalog().types();

/**
 * A supplier account of `size` cards on its simulator. Time is a manual clock that moves
 * whenever code sleeps (backoff, cooldowns), so retries cost no real time; calls time out after
 * `timeoutMs` of real time.
 */
export async function supplierFixture(
  supplier: string,
  size: number,
  options: { timeoutMs?: number } = {},
): Promise<SupplierFixture> {
  const clock = new ManualClock(Date.UTC(2026, 10, 26, 4, 0, 0), { autoAdvance: true });
  const catalog = createSupplierCatalog();
  const simulated = catalog.get(supplier).simulator.create({ size, clock });
  const store = await openStore({ url: 'sqlite::memory:', secretKey: Buffer.alloc(32, 9), clock });
  await saveAccounts(store, catalog, [
    {
      id: 'acct',
      type: supplier,
      name: null,
      rateLimit: 0,
      settings: simulated.settings('http://sim'),
    },
  ]);
  const context = createServiceContext({
    store,
    catalog,
    clock,
    fetch: appFetch(simulated.app),
    timeoutMs: options.timeoutMs ?? 100,
  });
  if (!simulated.listsFleet) {
    const lines = Array.from({ length: size }, (_, index) => simulated.card(index).iccid!);
    await importCards(context, 'acct', lines.join('\n'));
  }
  return { supplier, store, context, faults: simulated.faults, clock, close: () => store.close() };
}
