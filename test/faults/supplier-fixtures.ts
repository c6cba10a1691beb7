import { type Clock, ManualClock } from '../../src/domain/index.js';
import {
  createServiceContext,
  type ServiceContext,
  saveAccounts,
} from '../../src/services/context.js';
import { importCards } from '../../src/services/inventory/card-import.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createAgentSimulator } from '../../src/suppliers/agent/index.js';
import { createSupplierCatalog } from '../../src/suppliers/catalog.js';
import { createM2mSimulator } from '../../src/suppliers/m2m10086/index.js';
import { createOnelinkV2Simulator } from '../../src/suppliers/onelink-v2/index.js';
import { createOnelinkV5Simulator } from '../../src/suppliers/onelink-v5/index.js';
import {
  createQuectelSimulator,
  QUECTEL_SIMULATOR_PATH,
} from '../../src/suppliers/quectel/index.js';
import {
  appFetch,
  type FaultInjector,
  type PatternFleet,
} from '../../src/suppliers/spec/simulator-kit.js';

/** One supplier account backed by its simulator, with a store and a service context. */
export interface SupplierFixture {
  supplier: string;
  store: Store;
  context: ServiceContext;
  faults: FaultInjector;
  clock: ManualClock;
  close(): Promise<void>;
}

interface Simulated {
  app: { request: (input: Request) => Response | Promise<Response> };
  faults: FaultInjector;
  fleet: PatternFleet;
  settings: Record<string, unknown>;
  /** Whether simdock must import the cards (false: the supplier lists them). */
  importCards: boolean;
}

function simulate(supplier: string, size: number, clock: Clock): Simulated {
  switch (supplier) {
    case 'onelink-v2': {
      const credentials = {
        appid: 'faults',
        password: 'faults-pw',
        ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
      };
      const simulator = createOnelinkV2Simulator({ ...credentials, size, clock });
      return {
        ...simulator,
        settings: { baseUrl: 'http://sim/v2', ...credentials },
        importCards: true,
      };
    }
    case 'onelink-v5': {
      const credentials = { appid: 'faults', password: 'faults-pw' };
      const simulator = createOnelinkV5Simulator({ ...credentials, size, clock });
      return {
        app: simulator.app,
        faults: simulator.faults,
        fleet: simulator.state.fleet,
        settings: { baseUrl: 'http://sim/v5/ec', ...credentials },
        importCards: true,
      };
    }
    case 'm2m10086': {
      const credentials = {
        partnercode: 'faults',
        servicecode: 'faults-service',
        password: 'faults-pw',
      };
      const simulator = createM2mSimulator({ ...credentials, size, clock });
      return {
        ...simulator,
        settings: { baseUrl: 'http://sim', ...credentials },
        importCards: true,
      };
    }
    case 'agent': {
      const credentials = { appId: 'faults', secret: 'faults-secret' };
      const simulator = createAgentSimulator({ ...credentials, size, clock });
      return {
        app: simulator.app,
        faults: simulator.faults,
        fleet: simulator.fleet.cards,
        settings: { baseUrl: 'http://sim', ...credentials },
        importCards: true,
      };
    }
    case 'quectel': {
      const credentials = { appKey: 'faults', secret: 'faults-secret' };
      const simulator = createQuectelSimulator({ ...credentials, size, clock });
      return {
        app: simulator.app,
        faults: simulator.faults,
        fleet: simulator.fleet.pattern,
        settings: { baseUrl: `http://sim${QUECTEL_SIMULATOR_PATH}`, ...credentials },
        importCards: false,
      };
    }
    default:
      throw new Error(`no fixture for ${supplier}`);
  }
}

export const FIXTURE_SUPPLIERS = [
  'onelink-v2',
  'onelink-v5',
  'm2m10086',
  'agent',
  'quectel',
] as const;

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
  const simulated = simulate(supplier, size, clock);
  const store = await openStore({ url: 'sqlite::memory:', secretKey: Buffer.alloc(32, 9), clock });
  const catalog = createSupplierCatalog();
  await saveAccounts(store, catalog, [
    { id: 'acct', type: supplier, name: null, rateLimit: 0, settings: simulated.settings },
  ]);
  const context = createServiceContext({
    store,
    catalog,
    clock,
    fetch: appFetch(simulated.app),
    timeoutMs: options.timeoutMs ?? 100,
  });
  if (simulated.importCards) {
    const lines = Array.from({ length: size }, (_, index) => simulated.fleet.card(index).iccid);
    await importCards(context, 'acct', lines.join('\n'));
  }
  return { supplier, store, context, faults: simulated.faults, clock, close: () => store.close() };
}
