import type { SupplierSimulatorFactory } from '../spec/index.js';
import { createUnicomGwSimulator } from './unicom-gw-simulator.js';
import { SIMULATED_RATE_PLANS } from './unicom-gw-simulator-state.js';

const CREDENTIALS = {
  appId: 'demoUnicomApp',
  appSecret: 'demo-unicom-gw-secret',
  openId: 'demoUnicomOpenId',
};

/** The China Unicom gateway simulator as tests, benchmarks and the demo build it. */
export const unicomGwSimulation: SupplierSimulatorFactory = {
  create(options) {
    const simulator = createUnicomGwSimulator({
      ...CREDENTIALS,
      size: options.size,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      // Short enough for a pause in the demo to settle within seconds.
      settleDelayMs: 3_000,
    });
    const { fleet } = simulator.state;
    const settings = (origin: string) => ({
      baseUrl: origin,
      ...CREDENTIALS,
      pollIntervalMs: 1_000,
      ratePlanLimitsMb: Object.fromEntries(
        SIMULATED_RATE_PLANS.map((plan) => [plan.name, plan.limitMb]),
      ),
    });
    return {
      app: simulator.app,
      faults: simulator.faults,
      size: options.size,
      // The gateway reports ICCID and IMEI (cn-carriers-notes.md lists no MSISDN or IMSI).
      card: (index) => {
        const { iccid, imei } = fleet.card(index);
        return { iccid, msisdn: null, imsi: null, imei };
      },
      unknownCard: { iccid: '89860124999999999999' },
      listsFleet: true,
      importLines: () => [],
      settings,
      badSettings: (origin) => ({ ...settings(origin), appSecret: 'wrong-secret' }),
      calls: () => simulator.calls.total,
      forgetCalls: () => {
        simulator.calls.keep = false;
      },
    };
  },
  demo: { id: 'demo-unicom-gw', name: 'Demo China Unicom gateway (simulated)' },
};
