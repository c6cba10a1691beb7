import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createAgentSimulator } from '../../suppliers/agent/index.js';
import { createM2mSimulator } from '../../suppliers/m2m10086/index.js';
import { createOnelinkV2Simulator } from '../../suppliers/onelink-v2/index.js';
import { createOnelinkV5Simulator } from '../../suppliers/onelink-v5/index.js';
import { createQuectelSimulator, QUECTEL_SIMULATOR_PATH } from '../../suppliers/quectel/index.js';
import type { AccountConfig } from '../config/config.js';

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

  // OneLink v5 reads status one card per call: a smaller demo fleet keeps the first sync quick.
  const onelinkV5Size = Math.min(size, 1000);
  const onelinkV5Credentials = { appid: 'demo-onelink-v5', password: 'demo-onelink-v5-password' };
  const onelinkV5 = createOnelinkV5Simulator({ ...onelinkV5Credentials, size: onelinkV5Size });
  const onelinkV5Server = await listen(onelinkV5.app);
  suppliers.push({
    account: {
      id: 'demo-onelink-v5',
      type: 'onelink-v5',
      name: 'Demo OneLink v5 (simulated)',
      rateLimit: 0,
      settings: { baseUrl: `${onelinkV5Server.origin}/v5/ec`, ...onelinkV5Credentials },
    },
    importLines: Array.from(
      { length: onelinkV5Size },
      (_, index) => onelinkV5.state.fleet.card(index).iccid,
    ),
    server: onelinkV5Server.server,
  });

  const agentSize = Math.min(size, 1000);
  const agentCredentials = { appId: 'demo-agent', secret: 'demo-agent-secret' };
  const agent = createAgentSimulator({ ...agentCredentials, size: agentSize, devices: 20 });
  const agentServer = await listen(agent.app);
  suppliers.push({
    account: {
      id: 'demo-agent',
      type: 'agent',
      name: 'Demo reseller agent API (simulated)',
      rateLimit: 0,
      settings: { baseUrl: agentServer.origin, ...agentCredentials },
    },
    importLines: Array.from(
      { length: agentSize },
      (_, index) => agent.fleet.cards.card(index).iccid,
    ),
    server: agentServer.server,
  });

  // Quectel lists its own fleet: nothing to import, the sync discovers the cards.
  const quectelCredentials = { appKey: 'demo-quectel', secret: 'demo-quectel-secret' };
  const quectel = createQuectelSimulator({ ...quectelCredentials, size });
  const quectelServer = await listen(quectel.app);
  suppliers.push({
    account: {
      id: 'demo-quectel',
      type: 'quectel',
      name: 'Demo Quectel (simulated)',
      rateLimit: 0,
      settings: {
        baseUrl: `${quectelServer.origin}${QUECTEL_SIMULATOR_PATH}`,
        ...quectelCredentials,
      },
    },
    importLines: [],
    server: quectelServer.server,
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
