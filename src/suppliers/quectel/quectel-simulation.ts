import type { SupplierSimulatorFactory } from '../spec/index.js';
import { createQuectelSimulator, QUECTEL_SIMULATOR_PATH } from './quectel-simulator.js';

const CREDENTIALS = { appKey: 'demo-quectel', secret: 'demo-quectel-secret' };

/** The Quectel simulator as tests, benchmarks and the demo build it. */
export const quectelSimulation: SupplierSimulatorFactory = {
  create(options) {
    const simulator = createQuectelSimulator({ ...CREDENTIALS, ...options });
    const fleet = simulator.fleet.pattern;
    const baseUrl = (origin: string) => `${origin}${QUECTEL_SIMULATOR_PATH}`;
    return {
      app: simulator.app,
      faults: simulator.faults,
      size: options.size,
      card: (index) => {
        const { iccid, msisdn, imsi } = fleet.card(index);
        return { iccid, msisdn, imsi, imei: null };
      },
      unknownCard: { iccid: '89860400000000999999' },
      // Quectel lists its own fleet: nothing to import, the sync discovers the cards.
      listsFleet: true,
      importLines: () => [],
      settings: (origin) => ({ baseUrl: baseUrl(origin), ...CREDENTIALS }),
      badSettings: (origin) => ({ baseUrl: baseUrl(origin), ...CREDENTIALS, secret: 'wrong' }),
      calls: () => simulator.callLog.total,
      forgetCalls: () => {
        simulator.callLog.keep = false;
      },
    };
  },
  demo: { id: 'demo-quectel', name: 'Demo Quectel (simulated)' },
};
