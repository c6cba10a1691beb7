import { ManualClock } from '../../domain/index.js';
import { appFetch } from '../spec/simulator-kit.js';
import { createM2mClient, type M2mClientOptions } from './m2m10086-client.js';
import { createM2mSimulator, type M2mSimulatorOptions } from './m2m10086-simulator.js';

/** The account every m2m10086 test uses. */
export const TEST_ACCOUNT = {
  partnercode: 'P00012',
  servicecode: 'SVC0000001',
  password: '1234ABcd12',
};

export const TEST_BASE_URL = 'http://m2m.test:89';

/** A simulator on a manual clock and a client wired to it. */
export function m2mTestRig(
  simulatorOptions: Partial<M2mSimulatorOptions> = {},
  clientOptions: Partial<M2mClientOptions> = {},
) {
  const clock = new ManualClock();
  const simulator = createM2mSimulator({
    ...TEST_ACCOUNT,
    size: 2_000,
    clock,
    ...simulatorOptions,
  });
  const client = createM2mClient({
    ...TEST_ACCOUNT,
    baseUrl: TEST_BASE_URL,
    fetch: appFetch(simulator.app),
    clock,
    ...clientOptions,
  });
  /** The first card index whose simulated state passes the test. */
  const findCard = (test: (card: NonNullable<ReturnType<typeof simulator.card>>) => boolean) => {
    for (let index = 0; index < simulator.fleet.size; index += 1) {
      const card = simulator.card(simulator.fleet.card(index).msisdn)!;
      if (test(card)) return card;
    }
    throw new Error('no such card in the simulated fleet');
  };
  return { clock, simulator, client, findCard };
}

/** The error a promise rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Record<string, unknown>,
  );
}
