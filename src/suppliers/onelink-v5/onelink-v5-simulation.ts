import type { SupplierSimulatorFactory } from '../spec/index.js';
import { ONELINK_V5_DEFAULT_COOLDOWN_MINUTES } from './onelink-v5-protocol.js';
import { createOnelinkV5Simulator } from './onelink-v5-simulator.js';

const CREDENTIALS = { appid: 'demo-onelink-v5', password: 'demo-onelink-v5-password' };

/** The OneLink v5 simulator as tests, benchmarks and the demo build it. */
export const onelinkV5Simulation: SupplierSimulatorFactory = {
  create(options) {
    const simulator = createOnelinkV5Simulator({ ...CREDENTIALS, ...options });
    const { fleet } = simulator.state;
    return {
      app: simulator.app,
      faults: simulator.faults,
      size: options.size,
      card: (index) => {
        const { iccid, msisdn, imsi } = fleet.card(index);
        return { iccid, msisdn, imsi, imei: null };
      },
      unknownCard: { iccid: '89860400000000999999' },
      listsFleet: false,
      importLines: () =>
        Array.from({ length: options.size }, (_, index) => fleet.card(index).iccid),
      settings: (origin) => ({ baseUrl: `${origin}/v5/ec`, ...CREDENTIALS }),
      badSettings: (origin) => ({ baseUrl: `${origin}/v5/ec`, ...CREDENTIALS, password: 'wrong' }),
      calls: () => simulator.calls.total,
      forgetCalls: () => {
        simulator.calls.keep = false;
      },
    };
  },
  // OneLink v5 reads status one card per call: a smaller demo fleet keeps the first sync quick.
  demo: {
    id: 'demo-onelink-v5',
    name: 'Demo OneLink v5 (simulated)',
    size: (requested) => Math.min(requested, 1000),
  },
  lifecycleCooldownMs: ONELINK_V5_DEFAULT_COOLDOWN_MINUTES * 60_000,
};
