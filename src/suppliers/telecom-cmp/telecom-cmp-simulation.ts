import type { SupplierSimulatorFactory } from '../spec/index.js';
import { createTelecomCmpSimulator } from './telecom-cmp-simulator.js';

const CREDENTIALS = {
  userId: 'demo-telecom-cmp',
  password: 'demo-cmp-pass',
  key: 'k3yS1mD0c',
};

/** The 4G CMP simulator as tests, benchmarks and the demo build it. */
export const telecomCmpSimulation: SupplierSimulatorFactory = {
  create(options) {
    const simulator = createTelecomCmpSimulator({ ...CREDENTIALS, ...options });
    return {
      app: simulator.app,
      faults: simulator.faults,
      size: options.size,
      card: (index) => {
        const { iccid, msisdn, imsi } = simulator.card(index);
        return { iccid, msisdn, imsi, imei: null };
      },
      // A China Telecom ICCID (898611…) the simulated fleet does not hold.
      unknownCard: { iccid: '89861199999999999999' },
      listsFleet: true,
      importLines: () => [],
      settings: (origin) => ({ baseUrl: origin, ...CREDENTIALS }),
      badSettings: (origin) => ({ baseUrl: origin, ...CREDENTIALS, password: 'wrong-password' }),
      calls: () => simulator.calls.total,
      forgetCalls: () => {
        simulator.calls.keep = false;
      },
    };
  },
  // One card per call: a smaller demo fleet keeps the first sync quick.
  demo: {
    id: 'demo-telecom-cmp',
    name: 'Demo China Telecom 4G CMP (simulated)',
    size: (requested) => Math.min(requested, 500),
  },
};
