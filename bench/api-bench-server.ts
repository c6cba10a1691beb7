/**
 * The API process of `npm run bench -- api`: serves `createApiApp` over an already filled
 * SQLite store on loopback, prints `listening <port>` and runs until it is sent SIGTERM. It is a
 * separate process so that the load tool does not share the server's event loop.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApiApp } from '../src/api/app.js';
import { createServiceContext } from '../src/services/context.js';
import { openStore } from '../src/store/index.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';

const [databasePath, secretKeyHex] = process.argv.slice(2);
if (!databasePath || !secretKeyHex) throw new Error('usage: api-bench-server <db> <key hex>');
const store = await openStore({
  url: `sqlite:${databasePath}`,
  secretKey: Buffer.from(secretKeyHex, 'hex'),
});
const context = createServiceContext({ store, catalog: createSupplierCatalog() });
const app = createApiApp({ context, options: { rateLimit: false } });
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.close(() => {
    void store.close().then(() => process.exit(0));
  });
});
