import cluster, { type Worker } from 'node:cluster';

/** Set in the environment of the API processes a supervisor forks. */
const WORKER_VARIABLE = 'SIMDOCK_API_PROCESS';

/** What an API process tells its supervisor once it listens. */
interface ListeningMessage {
  simdock: 'api-listening';
  url: string;
}

function isListeningMessage(message: unknown): message is ListeningMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { simdock?: unknown }).simdock === 'api-listening' &&
    typeof (message as { url?: unknown }).url === 'string'
  );
}

/** Whether this process is one of the API processes `superviseApiProcesses` started. */
export function isApiProcess(): boolean {
  return cluster.isWorker && process.env[WORKER_VARIABLE] === '1';
}

/** Tells the supervisor that this API process listens at `url` (nothing outside a cluster). */
export function reportApiListening(url: string): void {
  if (isApiProcess()) process.send?.({ simdock: 'api-listening', url } satisfies ListeningMessage);
}

/** Lets an API process end once it stopped serving: the supervisor's channel holds it open. */
export function leaveApiCluster(): void {
  if (isApiProcess() && process.connected) process.disconnect();
}

export interface ApiProcessesOptions {
  /** How many API processes to run (at least 2; one process needs no supervisor). */
  processes: number;
  /** Stops the processes when aborted; otherwise SIGINT or SIGTERM stop them. */
  abortSignal?: AbortSignal;
  /** Called once every process listens, with the URL they share. */
  onListening: (url: string) => void;
  /** Where a process that ended unexpectedly is reported (it is replaced). */
  log?: (line: string) => void;
}

/**
 * Runs this same program `processes` times as node:cluster workers that share one listening
 * port (the primary hands out connections in turn), so the API uses more than one core: every
 * process opens the store itself (SQLite readers work side by side in WAL mode; PostgreSQL
 * pools are per process). A process that ends unexpectedly is started again. Resolves once all
 * have stopped after an abort, SIGINT or SIGTERM.
 */
export async function superviseApiProcesses(options: ApiProcessesOptions): Promise<void> {
  const log = options.log ?? ((line: string) => console.error(line));
  const workers = new Set<Worker>();
  const listening = new Set<Worker>();
  let stopping = false;
  let announced = false;
  let startFailure: ((error: Error) => void) | undefined;

  const fork = () => {
    const worker = cluster.fork({ [WORKER_VARIABLE]: '1' });
    workers.add(worker);
    worker.on('message', (message: unknown) => {
      if (!isListeningMessage(message)) return;
      listening.add(worker);
      if (!announced && listening.size === options.processes) {
        announced = true;
        options.onListening(message.url);
      }
    });
    worker.once('exit', (code, signal) => {
      workers.delete(worker);
      listening.delete(worker);
      if (stopping) return;
      if (!announced) {
        startFailure?.(new Error(`an API process ended before listening (${signal ?? code})`));
        return;
      }
      log(`simdock: API process ${worker.process.pid} ended (${signal ?? code}); starting another`);
      fork();
    });
  };

  await new Promise<void>((resolve, reject) => {
    const stop = (error?: Error) => {
      if (stopping) return;
      stopping = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const finish = () => (error ? reject(error) : resolve());
      const remaining = [...workers];
      if (remaining.length === 0) return finish();
      let open = remaining.length;
      for (const worker of remaining) {
        worker.once('exit', () => {
          open -= 1;
          if (open === 0) finish();
        });
        worker.process.kill('SIGTERM');
      }
    };
    const onSignal = () => stop();
    startFailure = (error) => stop(error);
    if (options.abortSignal?.aborted) return stop();
    options.abortSignal?.addEventListener('abort', () => stop(), { once: true });
    if (!options.abortSignal) {
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
    }
    for (let index = 0; index < options.processes; index += 1) fork();
  });
}
