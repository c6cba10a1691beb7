import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { createApiApp } from '../../src/api/app.js';
import { seedDemoPlan } from '../../src/cli/commands/demo/demo-plans.js';
import { addDays, BYTES_PER_MB, cstToday } from '../../src/domain/index.js';
import { UsersRepository } from '../../src/services/access/access-users.js';
import {
  createServiceContext,
  type ServiceContext,
  saveAccounts,
} from '../../src/services/context.js';
import { startDemoSuppliers, stopDemoSuppliers } from '../../src/services/demo/demo.js';
import { syncDevices } from '../../src/services/devices/devices-service.js';
import { importCards } from '../../src/services/inventory/card-import.js';
import { syncAccount } from '../../src/services/sync/sync.js';
import { openStore } from '../../src/store/index.js';
import { PlansRepository } from '../../src/store/repositories/plans-repository.js';
import {
  ROOT_TENANT_ID,
  TenantsRepository,
} from '../../src/store/repositories/tenants-repository.js';
import { createSupplierCatalog } from '../../src/suppliers/catalog.js';
import { hasDeviceOperations } from '../../src/suppliers/spec/index.js';

/** The operator the browser tests sign in as. */
export const CONSOLE_USER = { email: 'operator@example.com', password: 'console-test-password' };

/** A running simdock (demo suppliers, synced store, API and console) on a loopback port. */
export interface ConsoleServer {
  origin: string;
  /** The server's services, for tests that need what no API call does (evaluating rules). */
  context: ServiceContext;
  close(): Promise<void>;
}

/**
 * The demo's plan and expiry dates (as `simdock demo` gives them), and every eighth card on a
 * 64 MB plan whose cycle began ten days ago: with the week of daily usage the first sync pulls,
 * some of those cards are near or over their quota whatever the day of the month.
 */
async function seedPlans(context: ServiceContext, accountIds: string[]): Promise<void> {
  await seedDemoPlan(context, accountIds);
  const plans = new PlansRepository(context.store);
  const tight = await plans.create({
    name: 'test-64MB',
    quotaBytes: 64 * BYTES_PER_MB,
    cycleStartDay: Number(addDays(cstToday(context.clock.now()), -10).slice(8)),
  });
  const { cards } = await context.store.cards.list({ limit: 1000 });
  await plans.assign(
    cards.filter((_, index) => index % 8 === 0).map((card) => card.id),
    { planId: tight.id },
  );
}

/**
 * Starts what `simdock demo` serves, in-process: the simulators with `cardsPerSupplier` cards
 * each, an embedded store in a temporary folder, an import and a first sync per account, plans
 * and expiry dates, an owner user, and the API app with the built console on 127.0.0.1.
 */
export async function startConsoleServer(cardsPerSupplier = 30): Promise<ConsoleServer> {
  const folder = mkdtempSync(join(tmpdir(), 'simdock-console-'));
  const suppliers = await startDemoSuppliers(cardsPerSupplier);
  const store = await openStore({
    url: `sqlite:${join(folder, 'simdock.db')}`,
    secretKey: 'c'.repeat(64),
  });
  const context = createServiceContext({ store, catalog: createSupplierCatalog() });
  await saveAccounts(
    store,
    context.catalog,
    suppliers.map((supplier) => supplier.account),
  );
  for (const supplier of suppliers) {
    if (supplier.importLines.length > 0) {
      await importCards(context, supplier.account.id, supplier.importLines.join('\n'), 'test');
    }
    await syncAccount(context, supplier.account.id, { actor: 'test' });
    // Suppliers that manage multi-SIM devices: read them too, so the device pages have some.
    if (hasDeviceOperations(await context.adapter(supplier.account.id))) {
      await syncDevices(context, supplier.account.id, { actor: 'test' });
    }
  }
  await seedPlans(
    context,
    suppliers.map((supplier) => supplier.account.id),
  );
  await new TenantsRepository(store).root();
  await new UsersRepository(store).create({
    ...CONSOLE_USER,
    role: 'owner',
    tenantId: ROOT_TENANT_ID,
  });
  const app = createApiApp({ context, options: { rateLimit: false } });
  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    context,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await stopDemoSuppliers(suppliers);
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
