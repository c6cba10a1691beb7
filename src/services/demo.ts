import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createM2mSimulator } from '../suppliers/m2m10086/index.js';
import { createOnelinkV2Simulator } from '../suppliers/onelink-v2/index.js';
import type { AccountConfig } from './config.js';

/** A simulated supplier served on loopback, and the account that points at it. */
export interface DemoSupplier {
  account: AccountConfig;
  /** Identifiers to import (suppliers that list their fleet need none). */
  importLines: string[];
  server: ServerType;
}

async function listen(app: Hono): Promise<{ server: ServerType; origin: string }> {
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

  const onelinkCredentials = {
    appid: 'demo-onelink',
    password: 'demo-onelink-password',
    ebids: { batchquerycardinfo: '0001000000036', batchgprsusedbydate: '0001000000346' },
  };
  const onelink = createOnelinkV2Simulator({ ...onelinkCredentials, size });
  const onelinkServer = await listen(onelink.app);
  suppliers.push({
    account: {
      id: 'demo-onelink-v2',
      type: 'onelink-v2',
      name: 'Demo OneLink v2 (simulated)',
      // The simulator has no rate limit; the demo should not wait for one.
      rateLimit: 0,
      settings: { baseUrl: `${onelinkServer.origin}/v2`, ...onelinkCredentials },
    },
    importLines: [
      ...onelink.documentCards.map((card) => card.iccid),
      ...Array.from({ length: size }, (_, index) => onelink.fleet.card(index).iccid),
    ],
    server: onelinkServer.server,
  });

  // The M2M platform answers one card per call, so its demo fleet is smaller.
  const m2mSize = Math.min(size, 500);
  const m2mCredentials = {
    partnercode: 'demo',
    servicecode: 'demo-service',
    password: 'demo-m2m-password',
  };
  const m2m = createM2mSimulator({ ...m2mCredentials, size: m2mSize });
  const m2mServer = await listen(m2m.app);
  suppliers.push({
    account: {
      id: 'demo-m2m',
      type: 'm2m10086',
      name: 'Demo M2M card platform (simulated)',
      rateLimit: 0,
      settings: { baseUrl: m2mServer.origin, ...m2mCredentials },
    },
    importLines: Array.from({ length: m2mSize }, (_, index) => m2m.fleet.card(index).msisdn),
    server: m2mServer.server,
  });

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
