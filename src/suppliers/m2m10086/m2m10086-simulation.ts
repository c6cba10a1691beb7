import type { SupplierSimulatorFactory } from '../spec/index.js';
import { createM2mSimulator } from './m2m10086-simulator.js';

const CREDENTIALS = {
  partnercode: 'demo',
  servicecode: 'demo-service',
  password: 'demo-m2m-password',
};

/** The M2M platform simulator as tests, benchmarks and the demo build it. */
export const m2m10086Simulation: SupplierSimulatorFactory = {
  create(options) {
    const simulator = createM2mSimulator({ ...CREDENTIALS, ...options });
    return {
      app: simulator.app,
      faults: simulator.faults,
      size: options.size,
      card: (index) => {
        const { iccid, msisdn, imsi, imei } = simulator.fleet.card(index);
        return { iccid, msisdn, imsi, imei };
      },
      unknownCard: { iccid: '89860499999999999999' },
      listsFleet: false,
      importLines: () =>
        Array.from({ length: options.size }, (_, index) => simulator.fleet.card(index).msisdn),
      settings: (origin) => ({ baseUrl: origin, ...CREDENTIALS }),
      badSettings: (origin) => ({ baseUrl: origin, ...CREDENTIALS, password: 'not-the-password' }),
      calls: () => simulator.callLog.total,
      forgetCalls: () => {
        simulator.callLog.keep = false;
      },
      receiveSms: (index, text) => simulator.receiveSms(simulator.fleet.card(index).msisdn, text),
      moveToDevice: (index, imei) => simulator.fleet.moveToDevice(index, imei),
    };
  },
  // The M2M platform answers one card per call, so its demo fleet is smaller.
  demo: {
    id: 'demo-m2m',
    name: 'Demo M2M card platform (simulated)',
    size: (requested) => Math.min(requested, 500),
  },
};
