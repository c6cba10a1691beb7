import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { graphileSchemaFor } from '../../src/jobs/graphile-job-queue.js';
import { createServiceContext, type ServiceContext } from '../../src/services/context.js';
import { importCards } from '../../src/services/inventory/card-import.js';
import type { Store } from '../../src/store/index.js';
import { advanceGraphileJobs } from '../../src/store/job-queue.test-support.js';
import { SyncCheckpoints } from '../../src/store/repositories/sync-checkpoints.js';
import {
  openTestStore,
  TEST_SECRET_KEY,
  type TestStore,
} from '../../src/store/store.test-support.js';
import { createSupplierCatalog } from '../../src/suppliers/catalog.js';
import { createOnelinkV2Simulator } from '../../src/suppliers/onelink-v2/index.js';
import { serveOnLoopback } from '../cli-harness.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const ENTRY = join(ROOT, 'test/engine/engine-cli.ts');

export const ENGINE_CREDENTIALS = {
  appid: 'engine',
  password: 'engine-password',
  ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
};

/**
 * A OneLink v2 simulator served over HTTP on loopback with a fixed latency per answer, a
 * PostgreSQL schema of its own, a config file naming both, and `simdock worker` processes
 * started on them: the pieces of a multi-node deployment on one machine.
 */
export class EngineBench {
  readonly directory = mkdtempSync(join(tmpdir(), 'simdock-engine-'));
  readonly workers = new Set<WorkerProcess>();
  configPath = '';
  database!: TestStore;
  simulator!: ReturnType<typeof createOnelinkV2Simulator>;
  context!: ServiceContext;
  #closeSimulator: () => Promise<void> = async () => {};

  get store(): Store {
    return this.database.store;
  }

  /** Serves a simulator of `size` cards and writes a config with one account per entry. */
  async open(options: { size: number; latencyMs: number; accounts: string[] }): Promise<void> {
    this.simulator = createOnelinkV2Simulator({ ...ENGINE_CREDENTIALS, size: options.size });
    this.simulator.faults.set({ latencyMs: options.latencyMs });
    const served = await serveOnLoopback(this.simulator.app);
    this.#closeSimulator = served.close;
    this.database = await openTestStore('postgres');
    const accounts = options.accounts.map(
      (id) => `  - id: ${id}
    type: onelink-v2
    baseUrl: ${served.origin}/v2
    appid: ${ENGINE_CREDENTIALS.appid}
    password: ${ENGINE_CREDENTIALS.password}
    ebids: { batchquerycardinfo: "1", batchgprsusedbydate: "2" }
    rateLimit: 0`,
    );
    this.configPath = join(this.directory, 'simdock.yaml');
    writeFileSync(
      this.configPath,
      `database: "${this.database.url}"\naccounts:\n${accounts.join('\n')}\n`,
    );
    // Registers the accounts the way every process does at start.
    const { openRuntime } = await import('../../src/cli/runtime.js');
    const runtime = await openRuntime({ config: this.configPath }, this.io());
    await runtime.close();
    this.context = createServiceContext({ store: this.store, catalog: createSupplierCatalog() });
  }

  io() {
    return {
      stdout: { write: () => true },
      stderr: { write: () => true },
      environment: this.environment(),
      cwd: this.directory,
    };
  }

  environment(): NodeJS.ProcessEnv {
    return { ...process.env, SIMDOCK_SECRET_KEY: TEST_SECRET_KEY.toString('base64') };
  }

  /** Imports the simulator's cards `from` (inclusive) to `to` (exclusive) into an account. */
  async importRange(account: string, from: number, to: number): Promise<void> {
    const lines = [];
    for (let index = from; index < to; index += 1)
      lines.push(this.simulator.fleet.card(index).iccid);
    await importCards(this.context, account, lines.join('\n'), 'engine-test');
  }

  /** Starts `simdock worker` in a process of its own and waits until it takes jobs. */
  async startWorker(concurrency = 2): Promise<WorkerProcess> {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        ENTRY,
        'worker',
        '--json',
        '--no-schedule',
        '--concurrency',
        String(concurrency),
        '--config',
        this.configPath,
      ],
      { cwd: ROOT, env: this.environment(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const worker = new WorkerProcess(child);
    this.workers.add(worker);
    await worker.started;
    return worker;
  }

  /**
   * Waits until the run is closed and its figures written (the plan is claimed finished a moment
   * before the sync run row gets its status), polling the database.
   */
  async waitForRun(runId: number, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const run = await this.store.syncRuns.get(runId);
      if (run && run.status !== 'running') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // What the run was waiting on, so that a hang explains itself.
    const slices = await new SyncCheckpoints(this.store).slices(runId);
    const states = slices.map((slice) => `${slice.slice}:${slice.state}`).join(' ');
    throw new Error(
      `sync run ${runId} did not finish within ${timeoutMs} ms (slices ${states || 'none'})`,
    );
  }

  /**
   * Waits until no job is pending or running: a run closes inside its last slice's job, a
   * moment before that job's result is recorded.
   */
  async waitForJobs(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { rows } = await sql<{ count: number }>`
        select count(*) as count from jobs where state in ('pending', 'running')
      `.execute(this.store.db);
      if (Number(rows[0]!.count) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`jobs were still pending or running after ${timeoutMs} ms`);
  }

  /** Waits for the first run of an account to be planned, and returns its id. */
  async waitForPlan(account: string, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { rows } = await sql<{ run_id: number }>`
        select run_id from sync_plans where account_id = ${account} order by run_id desc limit 1
      `.execute(this.store.db);
      if (rows[0]) return Number(rows[0].run_id);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no sync run of ${account} was planned within ${timeoutMs} ms`);
  }

  /** Keys of the batches a run has finished. */
  finishedBatches(runId: number): Promise<Set<string>> {
    return new SyncCheckpoints(this.store).finishedBatches(runId);
  }

  /**
   * Lets the jobs a killed worker held be taken again now rather than after their lease
   * (60 s) runs out: the state the lease sweep finds once that time has passed, also for
   * graphile-worker's locks of jobs the worker took and had not started (call it while no
   * worker runs: every lock is then a dead worker's).
   */
  async expireLeases(): Promise<void> {
    await sql`update jobs set locked_until = 0 where state = 'running'`.execute(this.store.db);
    await advanceGraphileJobs(this.store, await graphileSchemaFor(this.store), 61_000);
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((worker) => worker.kill('SIGKILL')));
    await this.#closeSimulator();
    await this.database?.dispose();
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** A `simdock worker` child process. */
export class WorkerProcess {
  readonly started: Promise<void>;
  readonly exited: Promise<number | null>;
  output = '';

  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.started = new Promise((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        this.output += chunk.toString();
        if (this.output.includes('"event": "started"') || this.output.includes('"started"'))
          resolve();
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        this.output += chunk.toString();
      });
      this.exited.then((code) => reject(new Error(`worker exited (${code}): ${this.output}`)));
    });
    this.started.catch(() => {});
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Sends a signal and waits for the process to end. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}

/** The calls the simulator answered, as `path date ids`, to spot a batch fetched twice. */
export function fetchedBatches(
  simulator: ReturnType<typeof createOnelinkV2Simulator>,
): { path: string; date: string; ids: string }[] {
  return simulator.callLog.entries.map((entry) => ({
    path: entry.path,
    date: entry.params.query_date ?? '',
    ids: entry.params.iccids ?? entry.params.msisdns ?? entry.params.imsis ?? '',
  }));
}
