import type { SupplierSimulatorFactory } from '../spec/index.js';
import { createTelecom5gSimulator } from './telecom-5g-simulator.js';

const CREDENTIALS = {
  appKey: 'demo-telecom-5g',
  secretKey: 'demo5gSecretKey01',
  custNumber: '6100000000001',
};

/** The 5G CMP simulator as tests, benchmarks and the demo build it. */
export const telecom5gSimulation: SupplierSimulatorFactory = {
  create(options) {
    const simulator = createTelecom5gSimulator({ ...CREDENTIALS, ...options });
    const { fleet } = simulator;
    return {
      app: simulator.app,
      faults: simulator.faults,
      size: options.size,
      card: (index) => {
        const { iccid, msisdn, imsi, imei } = fleet.card(index);
        return { iccid, msisdn, imsi, imei };
      },
      unknownCard: { iccid: '89860329999999999999' },
      // The gateway has no fleet listing in the notes: the demo imports its numbers.
      listsFleet: false,
      importLines: () =>
        Array.from({ length: options.size }, (_, index) => fleet.card(index).iccid),
      settings: (origin) => ({ baseUrl: origin, ...CREDENTIALS }),
      badSettings: (origin) => ({ baseUrl: origin, ...CREDENTIALS, secretKey: 'wrong-secret' }),
      calls: () => simulator.calls.total,
      forgetCalls: () => {
        simulator.calls.keep = false;
      },
    };
  },
  demo: { id: 'demo-telecom-5g', name: 'Demo China Telecom 5G CMP (simulated)' },
};
