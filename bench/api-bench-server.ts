/**
 * The API process of `npm run bench -- api`: serves `createApiApp` over an already filled
 * SQLite store on loopback, prints `listening <port>` and runs until it is sent SIGTERM. It is a
 * separate process so that the load tool does not share the server's event loop. With a process
 * count above 1 it supervises that many API processes sharing the port, as
 * `simdock serve --processes N` does.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import {
  isApiProcess,
  leaveApiCluster,
  reportApiListening,
  superviseApiProcesses,
} from '../src/api/api-cluster.js';
import { createApiApp } from '../src/api/app.js';
import { createServiceContext } from '../src/services/context.js';
import { openStore } from '../src/store/index.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';

const [databasePath, secretKeyHex, processesText = '1', rateLimitText = '0'] =
  process.argv.slice(2);
if (!databasePath || !secretKeyHex) {
  throw new Error('usage: api-bench-server <db> <key hex> [processes] [requests a minute per key]');
}
const processes = Number(processesText);
if (processes > 1 && !isApiProcess()) {
  await superviseApiProcesses({
    processes,
    onListening: (url) => console.log(`listening ${new URL(url).port}`),
  });
} else {
  const store = await openStore({
    url: `sqlite:${databasePath}`,
    secretKey: Buffer.from(secretKeyHex, 'hex'),
  });
  const context = createServiceContext({ store, catalog: createSupplierCatalog() });
  const perMinute = Number(rateLimitText);
  const app = createApiApp({
    context,
    options: { rateLimit: perMinute > 0 ? { requestsPerMinute: perMinute } : false },
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => {
    const { port } = server.address() as AddressInfo;
    if (isApiProcess()) reportApiListening(`http://127.0.0.1:${port}`);
    else console.log(`listening ${port}`);
  });
  process.on('SIGTERM', () => {
    server.close(() => {
      void store.close().then(() => {
        leaveApiCluster();
        process.exit(0);
      });
    });
  });
}
