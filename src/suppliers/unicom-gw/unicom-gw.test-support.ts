import { ManualClock } from '../../domain/index.js';
import { CallCounter } from '../spec/index.js';
import { type CreateUnicomGwOptions, createUnicomGw } from './unicom-gw-adapter.js';
import { createUnicomGwSimulator, type UnicomGwSimulatorOptions } from './unicom-gw-simulator.js';
import { SIMULATED_RATE_PLANS } from './unicom-gw-simulator-state.js';

export const APP_ID = 'gwTestApp';
export const APP_SECRET = 'gw-test-secret';
export const OPEN_ID = 'gwTestOpenId';
export const BASE_URL = 'http://unicom-gw.simulator';

/** 2024-11-26 10:00 CST, the last day of the 2024-11 billing cycle. */
export const START = Date.UTC(2024, 10, 26, 2, 0, 0);

/** A simulator and an adapter wired to it on one ManualClock (auto-advancing by default). */
export function unicomGwBench(
  options: {
    simulator?: Partial<UnicomGwSimulatorOptions>;
    adapter?: Partial<CreateUnicomGwOptions>;
    autoAdvance?: boolean;
    start?: number;
  } = {},
) {
  const clock = new ManualClock(options.start ?? START, {
    autoAdvance: options.autoAdvance ?? true,
  });
  const simulator = createUnicomGwSimulator({
    appId: APP_ID,
    appSecret: APP_SECRET,
    openId: OPEN_ID,
    size: 500,
    clock,
    ...options.simulator,
  });
  const callCounter = new CallCounter();
  const adapter = createUnicomGw({
    accountId: 'unicom',
    baseUrl: BASE_URL,
    appId: APP_ID,
    appSecret: APP_SECRET,
    openId: OPEN_ID,
    fetch: simulator.fetch,
    clock,
    callCounter,
    rateLimit: 0,
    pollIntervalMs: 2_000,
    ratePlanLimitsMb: Object.fromEntries(
      SIMULATED_RATE_PLANS.map((plan) => [plan.name, plan.limitMb]),
    ),
    ...options.adapter,
  });
  return { clock, simulator, adapter, callCounter };
}

/** The first cards of the fleet whose simulated status is `status`. */
export function cardsWithStatus(
  simulator: ReturnType<typeof unicomGwBench>['simulator'],
  status: string,
  count: number,
) {
  const found: { key: string; iccid: string; index: number }[] = [];
  for (let index = 0; index < simulator.state.fleet.size && found.length < count; index += 1) {
    if (simulator.state.status(index) === status) {
      found.push({ key: `c${index}`, iccid: simulator.state.fleet.card(index).iccid, index });
    }
  }
  return found;
}
