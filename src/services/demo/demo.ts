import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import type { AccountConfig } from '../config/config.js';

/** A simulated supplier served on loopback, and the account that points at it. */
export interface DemoSupplier {
  account: AccountConfig;
  /** Identifiers to import (suppliers that list their fleet need none). */
  importLines: string[];
  server: ServerType;
}

async function listen(app: {
  fetch: (request: Request) => Response | Promise<Response>;
}): Promise<{ server: ServerType; origin: string }> {
  return new Promise((resolve) => {
    const server = serve(
      { fetch: app.fetch, port: 0, hostname: '127.0.0.1' },
      (info: AddressInfo) => {
        resolve({ server, origin: `http://127.0.0.1:${info.port}` });
      },
    );
  });
}

/**
 * Starts the built-in simulators on loopback with a seeded fleet of `size` cards each and
 * returns demo accounts pointing at them. Credentials are demo values known to the simulators.
 */
export async function startDemoSuppliers(size: number): Promise<DemoSupplier[]> {
  const suppliers: DemoSupplier[] = [];
  for (const definition of createSupplierCatalog().definitions()) {
    const { demo } = definition.simulator;
    const simulator = definition.simulator.create({
      ...demo.options,
      size: demo.size ? demo.size(size) : size,
    });
    const served = await listen(simulator.app);
    suppliers.push({
      account: {
        id: demo.id,
        type: definition.type,
        name: demo.name,
        // The simulators have no rate limit; the demo should not wait for one.
        rateLimit: 0,
        settings: simulator.settings(served.origin),
      },
      importLines: simulator.importLines(),
      server: served.server,
    });
  }
  return suppliers;
}

export async function stopDemoSuppliers(suppliers: DemoSupplier[]): Promise<void> {
  await Promise.all(
    suppliers.map(
      (supplier) =>
        new Promise<void>((resolve) => {
          supplier.server.close(() => resolve());
        }),
    ),
  );
}
