import type { SupplierSimulatorFactory } from '../spec/index.js';
import { createAgentSimulator } from './agent-simulator.js';

const CREDENTIALS = { appId: 'demo-agent', secret: 'demo-agent-secret' };

/** The agent open API simulator as tests, benchmarks and the demo build it. */
export const agentSimulation: SupplierSimulatorFactory = {
  create(options) {
    const simulator = createAgentSimulator({ ...CREDENTIALS, ...options });
    const fleet = simulator.fleet.cards;
    return {
      app: simulator.app,
      faults: simulator.faults,
      size: options.size,
      // The platform sends `imsi` empty, as in the document's example: unknown.
      card: (index) => {
        const { iccid, msisdn } = fleet.card(index);
        return { iccid, msisdn, imsi: null, imei: null };
      },
      unknownCard: { iccid: '89861199999999999999' },
      listsFleet: false,
      importLines: () =>
        Array.from({ length: options.size }, (_, index) => fleet.card(index).iccid),
      settings: (origin) => ({ baseUrl: origin, ...CREDENTIALS }),
      badSettings: (origin) => ({ baseUrl: origin, ...CREDENTIALS, secret: 'WRONG' }),
      calls: () => simulator.calls.total,
      forgetCalls: () => {
        simulator.calls.keep = false;
      },
    };
  },
  demo: {
    id: 'demo-agent',
    name: 'Demo reseller agent API (simulated)',
    size: (requested) => Math.min(requested, 1000),
    options: { devices: 20 },
  },
};
