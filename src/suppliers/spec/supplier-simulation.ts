import type { CardIdentities, Clock } from '../../domain/index.js';
import type { FaultInjector } from './simulator-kit.js';

/** What every simulator factory takes. */
export interface SimulatorOptions {
  /** Cards in the seeded fleet. */
  size: number;
  clock?: Clock;
  seed?: number;
  /** Multi-SIM devices in the fleet, where the supplier has devices (agent open API). */
  devices?: number;
}

/**
 * A supplier's simulator with a seeded fleet, as the conformance suite, the fault and hostile
 * tests, the benchmarks and `simdock demo` use it. Its credentials are demo values it knows.
 */
export interface SupplierSimulation {
  /** The fake upstream: a Hono app (served on loopback by the demo, called in process by tests). */
  app: {
    fetch: (request: Request) => Response | Promise<Response>;
    request: (input: Request) => Response | Promise<Response>;
  };
  faults: FaultInjector;
  /** Cards in the fleet. */
  size: number;
  /**
   * Card `index` of the fleet with the identifiers this supplier reports; what it does not
   * report (the agent API's IMSI, most IMEIs) is null.
   */
  card(index: number): CardIdentities;
  /** A well-formed card the simulator does not hold (answered as unknown). */
  unknownCard: { iccid: string };
  /** Whether the supplier lists its own fleet (nothing to import). */
  listsFleet: boolean;
  /** The identifiers the demo imports (empty when the supplier lists its fleet). */
  importLines(): string[];
  /** Account settings reaching this simulator at `origin` (`http://host:port`, no path). */
  settings(origin: string): Record<string, unknown>;
  /** The same account with a credential the simulator refuses. */
  badSettings(origin: string): Record<string, unknown>;
  /** Calls the simulator answered so far (token calls included). */
  calls(): number;
  /** Stops keeping every call in the log (long benchmark runs); `calls()` still counts. */
  forgetCalls(): void;
  /** A card sends a text the supplier then offers for reading (where the simulator can). */
  receiveSms?(index: number, text: string): void;
  /** Card `index` is put into another device (where the supplier reports IMEIs). */
  moveToDevice?(index: number, imei: string): void;
}

/** The demo account `simdock demo` serves from a supplier's simulator. */
export interface SupplierDemo {
  /** The account id, e.g. `demo-quectel`. */
  id: string;
  name: string;
  /** The fleet size for a requested size (suppliers answering one card per call keep it small). */
  size?(requested: number): number;
  /** Other simulator options for the demo (devices…). */
  options?: Omit<SimulatorOptions, 'size' | 'clock'>;
}

/** How a supplier's simulator is built, and what its demo account is. */
export interface SupplierSimulatorFactory {
  create(options: SimulatorOptions): SupplierSimulation;
  demo: SupplierDemo;
  /**
   * The minimum wait between two status changes of one card, where the supplier imposes one
   * (OneLink v5's per-card lock): the adapter waits it out instead of failing.
   */
  lifecycleCooldownMs?: number;
}
