import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import {
  isApiProcess,
  leaveApiCluster,
  reportApiListening,
  superviseApiProcesses,
} from '../../../api/api-cluster.js';
import { createApiApp } from '../../../api/app.js';
import { SimdockError } from '../../../domain/index.js';
import { startBackgroundWork } from '../../../jobs/background-work.js';
import { createJobQueue } from '../../../jobs/create-job-queue.js';
import type { ServiceContext } from '../../../services/context.js';
import type { JobQueue } from '../../../services/job-queue.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import {
  type GlobalOptions,
  LOG_FORMAT_HELP,
  LOG_LEVEL_HELP,
  type LogOptions,
  metricsTokenOf,
  openRuntime,
} from '../../runtime.js';
import { scheduleEntries } from './worker.js';

/** The port the API listens on by default. */
export const DEFAULT_PORT = 8080;

export interface ServeOptions extends GlobalOptions, LogOptions {
  port?: number;
  /** Address to bind (default all interfaces, `0.0.0.0`). */
  host?: string;
  /** Stops the server when aborted (tests); otherwise SIGINT or SIGTERM stop it. */
  abortSignal?: AbortSignal;
  /** Called once listening, with the URL (tests). */
  onListening?: (url: string) => void;
  /**
   * Run jobs (and the schedule when this process leads) here too; default true. With false the
   * process only serves: jobs asked through the API wait for `simdock worker` processes.
   */
  worker?: boolean;
  /**
   * API processes sharing the port (default 1). With more, this process runs the jobs (unless
   * `worker` is false) and starts that many API processes beside it (node:cluster).
   */
  processes?: number;
}

/** `--port`, else `PORT`, else 8080. */
export function resolvePort(port: number | undefined, io: CommandIo): number {
  if (port !== undefined) return port;
  const text = io.environment.PORT?.trim();
  if (!text) return DEFAULT_PORT;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new SimdockError('config_error', `PORT must be a port number, got "${text}"`);
  }
  return value;
}

/** Serves the API of `context` until `abortSignal` aborts or the process is told to stop. */
export async function serveApi(
  context: ServiceContext,
  options: {
    port: number;
    host?: string;
    abortSignal?: AbortSignal;
    queue?: JobQueue;
    /** `SIMDOCK_METRICS_TOKEN`: `/metrics` answers only this bearer token. */
    metricsToken?: string;
  },
  onListening: (url: string, server: ServerType) => void,
): Promise<void> {
  // With a queue, syncs and bulk jobs started through the API go to the workers; without one
  // they run in this process.
  const app = createApiApp({
    context,
    ...(options.queue ? { queue: options.queue } : {}),
    ...(options.metricsToken ? { options: { metricsToken: options.metricsToken } } : {}),
  });
  const host = options.host ?? '0.0.0.0';
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port: options.port, hostname: host }, () =>
      resolve(started),
    );
    started.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new SimdockError('config_error', `port ${options.port} is in use: try --port`)
          : error,
      ),
    );
  });
  const { port } = server.address() as AddressInfo;
  context.telemetry.logger.info({ host, port }, 'API listening');
  onListening(`http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`, server);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolve());
    };
    if (options.abortSignal?.aborted) return stop();
    options.abortSignal?.addEventListener('abort', stop, { once: true });
    if (!options.abortSignal) {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
}

/** `simdock serve`: the REST API (and console) on http://localhost:8080 until stopped. */
export async function run(options: ServeOptions, io: CommandIo): Promise<number> {
  const port = resolvePort(options.port, io);
  const processes = options.processes ?? 1;
  if (!Number.isInteger(processes) || processes < 1) {
    throw new SimdockError('config_error', `--processes must be 1 or more, got ${processes}`);
  }
  if (isApiProcess()) return serveApiProcess(options, port, io);
  const runtime = await openRuntime({ config: options.config }, io, { logs: options });
  const metricsToken = metricsTokenOf(io);
  const work =
    options.worker !== false
      ? await startBackgroundWork({
          context: runtime.context,
          databaseUrl: runtime.config.database,
          entries: scheduleEntries(runtime.config),
        })
      : null;
  const announce = (url: string) => {
    if (options.json) printJson(io, { url, openapi: `${url}/openapi.json`, docs: `${url}/docs` });
    else {
      const across = processes > 1 ? ` in ${processes} processes` : '';
      println(
        io.stdout,
        `simdock API on ${url}/api/v1${across} (docs ${url}/docs). Stop with Ctrl-C.`,
      );
    }
    options.onListening?.(url);
  };
  if (processes > 1) {
    // The API processes run this same command; this one opened (and migrated) the store first
    // and keeps the jobs and the schedule.
    try {
      await superviseApiProcesses({
        processes,
        abortSignal: options.abortSignal,
        onListening: announce,
        log: (line) => println(io.stderr, line),
      });
      return 0;
    } finally {
      await work?.stop();
      await runtime.close();
    }
  }
  const queue =
    work?.queue ??
    (await createJobQueue(runtime.context.store, {
      clock: runtime.context.clock,
      databaseUrl: runtime.config.database,
    }));
  try {
    await serveApi(
      runtime.context,
      { port, host: options.host, abortSignal: options.abortSignal, queue, metricsToken },
      announce,
    );
    return 0;
  } finally {
    if (work) await work.stop();
    else await queue.close();
    await runtime.close();
  }
}

/** One of the API processes of `serve --processes N`: serves, enqueues jobs, runs none. */
async function serveApiProcess(options: ServeOptions, port: number, io: CommandIo) {
  const runtime = await openRuntime({ config: options.config }, io, { logs: options });
  const queue = await createJobQueue(runtime.context.store, {
    clock: runtime.context.clock,
    databaseUrl: runtime.config.database,
  });
  try {
    await serveApi(
      runtime.context,
      { port, host: options.host, queue, metricsToken: metricsTokenOf(io) },
      (url) => reportApiListening(url),
    );
    return 0;
  } finally {
    await queue.close();
    await runtime.close();
    leaveApiCluster();
  }
}

/** `simdock serve`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('serve')
    .description('serve the REST API (OpenAPI at /openapi.json, docs at /docs) until stopped')
    .option('--port <n>', 'port (default $PORT or 8080)', wholeNumber('--port'))
    .option('--host <address>', 'address to bind (default 0.0.0.0)')
    .option('--no-worker', 'only serve: leave jobs and the schedule to `simdock worker` processes')
    .option(
      '--processes <n>',
      'API processes sharing the port (default 1)',
      wholeNumber('--processes'),
    )
    .option('--log-level <level>', LOG_LEVEL_HELP)
    .option('--log-format <format>', LOG_FORMAT_HELP)
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
