import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { createProbeRouter } from '../../../api/api-observability.js';
import { SimdockError } from '../../../domain/index.js';
import { startBackgroundWork } from '../../../jobs/background-work.js';
import { createJobQueue } from '../../../jobs/create-job-queue.js';
import { jobHandlers } from '../../../jobs/handlers.js';
import { acquireLeadership } from '../../../jobs/leader-lock.js';
import {
  createScheduler,
  defaultScheduleEntries,
  deliveryScheduleEntries,
  type ScheduleEntry,
} from '../../../jobs/scheduler.js';
import type { SimdockConfig } from '../../../services/config/config.js';
import type { ServiceContext } from '../../../services/context.js';
import type { JobRecord } from '../../../services/job-queue.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import {
  type GlobalOptions,
  LOG_FORMAT_HELP,
  LOG_LEVEL_HELP,
  type LogOptions,
  metricsTokenOf,
  withRuntime,
} from '../../runtime.js';

export interface WorkerOptions extends GlobalOptions, LogOptions {
  /** Serve `/metrics`, `/healthz` and `/readyz` on this port (absent: no HTTP at all). */
  metricsPort?: number;
  /** Jobs run at once (default 2). */
  concurrency?: number;
  /** Run the scheduler when this process leads (default true; `--no-schedule` turns it off). */
  schedule?: boolean;
  /** Run the due jobs (after one scheduler tick when leader) and exit: for cron. */
  once?: boolean;
  /** Stops the worker when aborted (default: SIGINT or SIGTERM). */
  stopSignal?: AbortSignal;
}

/** The stop request of a process: the first SIGINT or SIGTERM. */
function processStopSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => controller.abort(new Error(signal));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  controller.signal.addEventListener('abort', () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });
  return controller.signal;
}

/**
 * `simdock worker`: runs jobs (and the scheduler, when this process is the leader) until
 * SIGINT or SIGTERM, then lets the jobs in hand end and exits.
 */
export async function run(options: WorkerOptions, io: CommandIo): Promise<number> {
  if (options.once) return runOnce(options, io);
  return withRuntime(
    options,
    io,
    async ({ config, context }) => {
      const stopSignal = options.stopSignal ?? processStopSignal();
      const probes =
        options.metricsPort !== undefined
          ? await serveProbes(context, options.metricsPort, metricsTokenOf(io))
          : null;
      const concurrency = options.concurrency ?? 2;
      const work = await startBackgroundWork({
        context,
        databaseUrl: config.database,
        concurrency,
        schedule: options.schedule !== false,
        entries: scheduleEntries(config),
      });
      const dialect = context.store.dialect;
      if (options.json) printJson(io, { event: 'started', dialect, concurrency });
      else {
        println(
          io.stdout,
          `simdock worker: running jobs on ${dialect} (concurrency ${concurrency}` +
            `${work.scheduler ? ', scheduler when leader' : ''}); Ctrl-C stops`,
        );
      }
      if (!stopSignal.aborted) {
        await new Promise((resolve) =>
          stopSignal.addEventListener('abort', resolve, { once: true }),
        );
      }
      const leading = work.scheduler?.leading ?? false;
      await work.stop();
      await probes?.close();
      if (options.json) printJson(io, { event: 'stopped', leading });
      else println(io.stdout, 'simdock worker: stopped');
      return 0;
    },
    { logs: options },
  );
}

/** `/metrics`, `/healthz` and `/readyz` of a worker on `port`, until closed. */
async function serveProbes(
  context: ServiceContext,
  port: number,
  token: string | undefined,
): Promise<{ close(): Promise<void> }> {
  const app = createProbeRouter(context, token);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port }, () => resolve(started));
    started.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new SimdockError('config_error', `port ${port} is in use: try --metrics-port`)
          : error,
      ),
    );
  });
  context.telemetry.logger.info(
    { port: (server.address() as AddressInfo).port },
    'probes listening',
  );
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** `simdock worker --once`: one scheduler tick when leader, then every due job, then exit. */
async function runOnce(options: WorkerOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ config, context }) => {
    const queue = await createJobQueue(context.store, {
      clock: context.clock,
      databaseUrl: config.database,
    });
    try {
      const started = context.clock.now();
      let scheduled: JobRecord[] = [];
      if (options.schedule !== false) {
        const leadership = await acquireLeadership(context.store, {
          databaseUrl: config.database,
        });
        if (leadership) {
          try {
            const scheduler = createScheduler(queue, context.store, {
              entries: scheduleEntries(config),
              clock: context.clock,
            });
            scheduled = await scheduler.tick();
          } finally {
            await leadership.release();
          }
        }
      }
      await queue.drain(jobHandlers(context, { queue }));
      const ran = (await queue.list({ limit: 1000 })).filter(
        (job) => job.startedAt !== null && job.startedAt >= started,
      );
      if (options.json) printJson(io, { scheduled, ran });
      else {
        println(io.stdout, `scheduled ${scheduled.length} jobs, ran ${ran.length}`);
        for (const job of ran) {
          println(
            io.stdout,
            `  ${job.id} ${job.name}: ${job.state}${job.lastError ? ` (${job.lastError})` : ''}`,
          );
        }
      }
      return ran.some((job) => job.state === 'failed') ? 4 : 0;
    } finally {
      await queue.close();
    }
  });
}

/** The syncs from `schedule:` in simdock.yaml (else the built-in ones), and the deliveries. */
export function scheduleEntries(config: SimdockConfig): ScheduleEntry[] {
  return [...syncScheduleEntries(config), ...deliveryScheduleEntries()];
}

function syncScheduleEntries(config: SimdockConfig): ScheduleEntry[] {
  if (!config.schedule) return defaultScheduleEntries();
  return config.schedule.map((entry) => ({
    name: 'sync',
    key: entry.key,
    payload: entry.sync,
    ...(entry.everyMinutes !== undefined ? { everyMs: entry.everyMinutes * 60_000 } : {}),
    ...(entry.at !== undefined ? { at: entry.at } : {}),
    ...(entry.monthlyOn !== undefined ? { monthlyOn: entry.monthlyOn } : {}),
  }));
}

/** `simdock worker`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('worker')
    .description('run jobs (and the scheduler when this process leads) until SIGINT or SIGTERM')
    .option(
      '--metrics-port <n>',
      'serve /metrics, /healthz and /readyz on this port',
      wholeNumber('--metrics-port'),
    )
    .option('--log-level <level>', LOG_LEVEL_HELP)
    .option('--log-format <format>', LOG_FORMAT_HELP)
    .option('--concurrency <n>', 'jobs run at once', wholeNumber('--concurrency'), 2)
    .option('--no-schedule', 'never run the scheduler in this process')
    .option('--once', 'run the due jobs (after one scheduler tick when leader) and exit')
    .action(async (options, command) => {
      context.setExitCode(
        await run(
          {
            ...globals(command),
            concurrency: options.concurrency || 1,
            schedule: options.schedule,
            once: Boolean(options.once),
            ...(options.metricsPort !== undefined ? { metricsPort: options.metricsPort } : {}),
            logLevel: options.logLevel,
            logFormat: options.logFormat,
          },
          context.io,
        ),
      );
    });
}
