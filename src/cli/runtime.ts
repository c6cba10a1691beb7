import { resolve } from 'node:path';
import type { Clock } from '../domain/index.js';
import { loadConfig, type SimdockConfig } from '../services/config/config.js';
import { createServiceContext, type ServiceContext, saveAccounts } from '../services/context.js';
import { openStore } from '../store/index.js';
import { createSupplierCatalog } from '../suppliers/catalog.js';
import type { FetchFunction } from '../suppliers/spec/index.js';
import type { CommandIo } from './io.js';

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  json?: boolean;
}

export interface Runtime {
  config: SimdockConfig;
  context: ServiceContext;
  close(): Promise<void>;
}

/** Resolves a `sqlite:` path against the working directory. */
function resolveDatabase(url: string, cwd: string): string {
  if (!url.startsWith('sqlite:') || url === 'sqlite::memory:') return url;
  return `sqlite:${resolve(cwd, url.slice('sqlite:'.length))}`;
}

/** Loads configuration, opens storage and registers the configured accounts. */
export async function openRuntime(
  options: GlobalOptions,
  io: CommandIo,
  overrides: { database?: string; fetch?: FetchFunction; clock?: Clock } = {},
): Promise<Runtime> {
  const catalog = createSupplierCatalog();
  const config = loadConfig({
    explicitPath: options.config,
    environment: io.environment,
    cwd: io.cwd,
    catalog,
  });
  const store = await openStore({
    url: resolveDatabase(overrides.database ?? config.database, io.cwd),
    secretKey: io.environment.SIMDOCK_SECRET_KEY || undefined,
  });
  try {
    await saveAccounts(store, catalog, config.accounts);
  } catch (error) {
    await store.close();
    throw error;
  }
  const context = createServiceContext({
    store,
    catalog,
    fetch: overrides.fetch,
    clock: overrides.clock,
  });
  return { config, context, close: () => store.close() };
}

/** Opens the runtime, runs `body`, and always closes storage. */
export async function withRuntime<T>(
  options: GlobalOptions,
  io: CommandIo,
  body: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  const runtime = await openRuntime(options, io);
  try {
    return await body(runtime);
  } finally {
    await runtime.close();
  }
}
