import type { SupplierSimulatorFactory } from '../spec/index.js';
import { createOnelinkV2Simulator } from './onelink-v2-simulator.js';

const CREDENTIALS = {
  appid: 'demo-onelink',
  password: 'demo-onelink-password',
  ebids: { batchquerycardinfo: '0001000000036', batchgprsusedbydate: '0001000000346' },
};

/** The OneLink v2 simulator as tests, benchmarks and the demo build it. */
export const onelinkV2Simulation: SupplierSimulatorFactory = {
  create(options) {
    const simulator = createOnelinkV2Simulator({ ...CREDENTIALS, ...options });
    return {
      app: simulator.app,
      faults: simulator.faults,
      size: options.size,
      card: (index) => {
        const { iccid, msisdn, imsi } = simulator.fleet.card(index);
        return { iccid, msisdn, imsi, imei: null };
      },
      // The third ICCID of the 2111 example, which that example answers with item status 25.
      unknownCard: { iccid: '89860010011631234571' },
      listsFleet: false,
      importLines: () => [
        ...simulator.documentCards.map((card) => card.iccid),
        ...Array.from({ length: options.size }, (_, index) => simulator.fleet.card(index).iccid),
      ],
      settings: (origin) => ({ baseUrl: `${origin}/v2`, ...CREDENTIALS }),
      badSettings: (origin) => ({ baseUrl: `${origin}/v2`, ...CREDENTIALS, password: 'wrong' }),
      calls: () => simulator.callLog.total,
      forgetCalls: () => {
        simulator.callLog.keep = false;
      },
    };
  },
  demo: { id: 'demo-onelink-v2', name: 'Demo OneLink v2 (simulated)' },
};
