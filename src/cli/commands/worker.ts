import { startBackgroundWork } from '../../jobs/background-work.js';
import { type CommandIo, printJson, println } from '../io.js';
import { type GlobalOptions, withRuntime } from '../runtime.js';

export interface WorkerOptions extends GlobalOptions {
  /** Jobs run at once (default 2). */
  concurrency?: number;
  /** Run the scheduler when this process leads (default true; `--no-schedule` turns it off). */
  schedule?: boolean;
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
  return withRuntime(options, io, async ({ config, context }) => {
    const stopSignal = options.stopSignal ?? processStopSignal();
    const concurrency = options.concurrency ?? 2;
    const work = await startBackgroundWork({
      context,
      databaseUrl: config.database,
      concurrency,
      schedule: options.schedule !== false,
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
      await new Promise((resolve) => stopSignal.addEventListener('abort', resolve, { once: true }));
    }
    const leading = work.scheduler?.leading ?? false;
    await work.stop();
    if (options.json) printJson(io, { event: 'stopped', leading });
    else println(io.stdout, 'simdock worker: stopped');
    return 0;
  });
}
