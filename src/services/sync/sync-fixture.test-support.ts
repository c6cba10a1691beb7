import { ManualClock } from '../../domain/clock.js';
import { openStore, type Store } from '../../store/index.js';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import type { SupplierSimulation } from '../../suppliers/spec/index.js';
import { appFetch } from '../../suppliers/spec/simulator-kit.js';
import type { AccountSyncConfig } from '../config/config.js';
import { createServiceContext, type ServiceContext, saveAccounts } from '../context.js';
import { importCards } from '../inventory/card-import.js';

export interface SyncFixture {
  store: Store;
  clock: ManualClock;
  context: ServiceContext;
  simulated: SupplierSimulation;
  /** Imports fleet cards `from` … `to - 1` (suppliers that do not list their fleet). */
  importRange(from: number, to: number): Promise<void>;
  /** Requests simdock sent so far, by URL path (e.g. `/api/wsGetTerminalDetails/V1/1Main/vV1.1`). */
  requests: Map<string, number>;
  /** Every request's URL, in the order sent. */
  sent: string[];
}

/**
 * One account `acct` of a supplier type on its in-process simulator, on a manual clock that
 * moves by itself when code sleeps (rate limits, retries), with the first `imported` cards of
 * the simulator's fleet imported.
 */
export async function syncFixture(options: {
  type: string;
  size: number;
  imported?: number;
  url?: string;
  start?: number;
  rateLimit?: number;
  sync?: AccountSyncConfig;
}): Promise<SyncFixture> {
  const clock = new ManualClock(options.start ?? Date.UTC(2026, 10, 10, 3), { autoAdvance: true });
  const catalog = createSupplierCatalog();
  const definition = catalog.get(options.type);
  const simulated = definition.simulator.create({ size: options.size, clock, devices: 0 });
  simulated.forgetCalls();
  const store = await openStore({
    url: options.url ?? 'sqlite::memory:',
    secretKey: Buffer.alloc(32, 3),
    clock,
  });
  await saveAccounts(store, catalog, [
    {
      id: 'acct',
      type: options.type,
      name: null,
      rateLimit: options.rateLimit ?? 0,
      settings: simulated.settings('http://sim'),
      ...(options.sync ? { sync: options.sync } : {}),
    },
  ]);
  const requests = new Map<string, number>();
  const sent: string[] = [];
  const simulatorFetch = appFetch(simulated.app);
  const fetch: typeof simulatorFetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    sent.push(url);
    const path = new URL(url).pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    return simulatorFetch(input, init);
  };
  const context = createServiceContext({ store, catalog, clock, fetch });
  const importRange = async (from: number, to: number) => {
    if (simulated.listsFleet || to <= from) return;
    const lines = Array.from({ length: to - from }, (_, offset) => {
      const card = simulated.card(from + offset);
      return card.iccid ?? card.msisdn ?? card.imsi ?? '';
    });
    await importCards(context, 'acct', lines.join('\n'));
  };
  await importRange(0, options.imported ?? options.size);
  return { store, clock, context, simulated, importRange, requests, sent };
}
