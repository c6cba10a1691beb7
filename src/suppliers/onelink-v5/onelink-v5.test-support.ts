import { addDays, cstToday, ManualClock } from '../../domain/index.js';
import { CallCounter } from '../spec/index.js';
import { type CreateOnelinkV5Options, createOnelinkV5 } from './onelink-v5-adapter.js';
import {
  createOnelinkV5Simulator,
  type OnelinkV5SimulatorOptions,
} from './onelink-v5-simulator.js';

export const APPID = 'A0B40MV';
export const PASSWORD = 'Passw0rd!';
export const BASE_URL = 'http://onelink-v5.simulator/v5/ec';

/** A simulator and an adapter wired to it on one ManualClock (auto-advancing by default). */
export function onelinkV5Bench(
  options: {
    simulator?: Partial<OnelinkV5SimulatorOptions>;
    adapter?: Partial<CreateOnelinkV5Options>;
    autoAdvance?: boolean;
  } = {},
) {
  const clock = new ManualClock(Date.UTC(2024, 10, 26, 2, 0, 0), {
    autoAdvance: options.autoAdvance ?? true,
  });
  const simulator = createOnelinkV5Simulator({
    appid: APPID,
    password: PASSWORD,
    size: 1000,
    clock,
    ...options.simulator,
  });
  const callCounter = new CallCounter();
  const adapter = createOnelinkV5({
    accountId: 'cmcc-v5',
    baseUrl: BASE_URL,
    appid: APPID,
    password: PASSWORD,
    fetch: simulator.fetch,
    clock,
    callCounter,
    ...options.adapter,
  });
  const yesterday = addDays(cstToday(clock.now()), -1);
  return { clock, simulator, adapter, callCounter, yesterday };
}
