import { resolve } from 'node:path';
import type { Clock } from '../domain/index.js';
import { loadConfig, type SimdockConfig } from '../services/config/config.js';
import { createServiceContext, type ServiceContext, saveAccounts } from '../services/context.js';
import {
  createLogger,
  parseLogFormat,
  parseLogLevel,
  SimdockMetrics,
  type Telemetry,
} from '../services/observability/index.js';
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

/** How a long-running process (`serve`, `worker`, `demo`) logs. */
export interface LogOptions {
  /** `--log-level`, else `SIMDOCK_LOG_LEVEL`, else `info`. */
  logLevel?: string;
  /** `--log-format`, else `SIMDOCK_LOG_FORMAT`, else `pretty` on a terminal and `json` otherwise. */
  logFormat?: string;
}

export const LOG_LEVEL_HELP = 'fatal, error, warn, info (default), debug, trace or silent';
export const LOG_FORMAT_HELP = 'json (default off a terminal) or pretty';

/** `SIMDOCK_METRICS_TOKEN`, when set: the bearer token `/metrics` requires. */
export function metricsTokenOf(io: CommandIo): string | undefined {
  return io.environment.SIMDOCK_METRICS_TOKEN?.trim() || undefined;
}

/**
 * The logger (JSON lines on standard error, or pretty on a terminal) and the metrics of a
 * long-running process; the metrics read queue depth and sync freshness from `store`.
 */
export function processTelemetry(
  options: LogOptions,
  io: CommandIo,
  store: ServiceContext['store'],
  clock?: Clock,
): Telemetry {
  const level = parseLogLevel(options.logLevel ?? io.environment.SIMDOCK_LOG_LEVEL ?? 'info');
  const formatText = options.logFormat ?? io.environment.SIMDOCK_LOG_FORMAT;
  const format = formatText ? parseLogFormat(formatText) : io.stderr.isTTY ? 'pretty' : 'json';
  const destination =
    io.stderr === process.stderr
      ? undefined
      : { write: (line: string) => void io.stderr.write(line) };
  return {
    logger: createLogger({ level, format, ...(destination ? { destination } : {}) }),
    metrics: new SimdockMetrics({ store, ...(clock ? { clock } : {}) }),
  };
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
  overrides: { database?: string; fetch?: FetchFunction; clock?: Clock; logs?: LogOptions } = {},
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
  let telemetry: Telemetry | undefined;
  try {
    telemetry = overrides.logs
      ? processTelemetry(overrides.logs, io, store, overrides.clock)
      : undefined;
  } catch (error) {
    await store.close();
    throw error;
  }
  const context = createServiceContext({
    store,
    catalog,
    fetch: overrides.fetch,
    clock: overrides.clock,
    ...(telemetry ? { telemetry } : {}),
  });
  return { config, context, close: () => store.close() };
}

/** Opens the runtime, runs `body`, and always closes storage. */
export async function withRuntime<T>(
  options: GlobalOptions,
  io: CommandIo,
  body: (runtime: Runtime) => Promise<T>,
  overrides: Parameters<typeof openRuntime>[2] = {},
): Promise<T> {
  const runtime = await openRuntime(options, io, overrides);
  try {
    return await body(runtime);
  } finally {
    await runtime.close();
  }
}
