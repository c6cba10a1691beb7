import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createJobQueue } from '../src/jobs/create-job-queue.js';
import { createBulkJob, startBulkJob } from '../src/services/bulk/bulk-jobs.js';
import { createServiceContext } from '../src/services/context.js';
import type { JobQueue } from '../src/services/job-queue.js';
import { type BulkJob, BulkJobsRepository } from '../src/store/repositories/bulk-repository.js';
import { openTestStore } from '../src/store/store.test-support.js';
import { agentCardStatus, createAgentSimulator } from '../src/suppliers/agent/index.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { serveOnLoopback } from '../test/cli-harness.js';
import { EngineBench, type WorkerProcess } from '../test/engine/engine-harness.js';
import { random } from './crash-recovery-run.js';

export interface BulkCrashOptions {
  /** SIGKILLs in a row (issue 9.3: 20). */
  kills: number;
  /** Agent cards imported; they are paused by jobs of `jobSize` cards, one after another. */
  cards: number;
  jobSize: number;
  /** Latency of each simulator answer, ms. */
  latencyMs: number;
  /** How long a stop takes to settle at the simulator, ms. */
  settleDelayMs: number;
  /** Seed of the random kill points. */
  seed: number;
  log?: (line: string) => void;
}

export interface BulkCrashFigures {
  kills: number;
  /** Kills that landed while a bulk job was running (not between jobs). */
  killsMidJob: number;
  jobs: number;
  /** Bulk jobs finished (succeeded or partial) once the kills were over. */
  jobsFinished: number;
  /** Times a job was run (first runs, resumes after a kill, the closing re-run). */
  jobRuns: number;
  cards: number;
  /** Stop calls the simulator answered, and the card places in them. */
  stopCalls: number;
  cardsSent: number;
  /** Cards named in more than one stop call, and stops the simulator recorded beyond one a card. */
  cardsActedOnTwice: number;
  extraStopRecords: number;
  /** Cards of the jobs paused at the simulator at the end / skipped as not pausable. */
  cardsStopped: number;
  itemsDone: number;
  itemsSkipped: number;
  /** Cards left `sending` by a kill and settled by a status read on resume (not sent again). */
  itemsConfirmedByStatusRead: number;
  /** Items failed `unconfirmed` after the kills, before the closing re-run. */
  itemsUnconfirmedBeforeRerun: number;
  itemsFailed: number;
  /** The failures and skips, grouped by reason over every job. */
  reasons: { state: string; code: string | null; message: string | null; count: number }[];
  /** Queue jobs still pending or running at the end. */
  queueJobsUnfinished: number;
  seconds: number;
}

const FINISHED = new Set(['succeeded', 'partial', 'failed', 'cancelled']);
const STOP_PATH = '/openapi/iot/batchStopCard';

/**
 * Issue 9.3 for bulk jobs: SIGKILLs a `simdock worker` running bulk pause jobs of agent cards,
 * served by the agent simulator over HTTP, `kills` times in a row. Each kill leaves its queue job
 * to the lease sweep (bulk queue jobs get one attempt) and the bulk job is started again, as an
 * operator would: the run reads back the cards left `sending` instead of sending them again.
 * Afterwards every job is run once more (retrying only failures) and the simulator's stop calls
 * are counted per card: none may be named twice.
 */
export async function runBulkCrashRecovery(options: BulkCrashOptions): Promise<BulkCrashFigures> {
  const log = options.log ?? (() => {});
  const next = random(options.seed);
  const started = performance.now();
  const simulator = createAgentSimulator({
    appId: 'crash-agent',
    secret: 'crash-agent-secret',
    size: options.cards,
    devices: 0,
    settleDelayMs: options.settleDelayMs,
  });
  simulator.faults.set({ latencyMs: options.latencyMs });
  const served = await serveOnLoopback(simulator.app);
  const bench = new EngineBench();
  bench.database = await openTestStore('postgres');
  bench.configPath = join(bench.directory, 'simdock.yaml');
  writeFileSync(
    bench.configPath,
    `database: "${bench.database.url}"
accounts:
  - id: reseller
    type: agent
    baseUrl: ${served.origin}
    appId: crash-agent
    secret: crash-agent-secret
    pollIntervalMs: 100
    rateLimit: 0
`,
  );
  let queue: JobQueue | undefined;
  try {
    const { openRuntime } = await import('../src/cli/runtime.js');
    await (await openRuntime({ config: bench.configPath }, bench.io())).close();
    const context = createServiceContext({ store: bench.store, catalog: createSupplierCatalog() });
    queue = await createJobQueue(bench.store, { databaseUrl: bench.database.url });
    const repository = new BulkJobsRepository(bench.store);
    // The cards with the status the simulator holds, as a sync would have stored them.
    const fleet = Array.from({ length: options.cards }, (_, index) => {
      const card = simulator.fleet.cards.card(index);
      const status = agentCardStatus(simulator.fleet.card({ iccid: card.iccid })!.simStatus);
      return { ...card, status };
    });
    await bench.store.cards.importCards('reseller', 'agent', fleet);
    const stored = await bench.store.cards.listForSync('reseller', { limit: options.cards });
    const statusOf = new Map(fleet.map((card) => [card.iccid.toUpperCase(), card.status]));
    await bench.store.cards.updateStatuses(
      stored.map((card) => {
        const status = statusOf.get(card.iccid!)!;
        return { id: card.id, status: status.status, statusRaw: status.raw };
      }),
      'sync',
    );

    const jobs: BulkJob[] = [];
    let queueJobId = '';
    const startJob = async (jobId: number) => {
      const { queued } = (await startBulkJob(context, jobId, { queue, actor: 'crash' })) as {
        queued: { id: string };
      };
      queueJobId = queued.id;
    };
    const createNextJob = async (): Promise<boolean> => {
      const from = jobs.length * options.jobSize;
      if (from >= options.cards) return false;
      const identifiers = fleet.slice(from, from + options.jobSize).map((card) => card.iccid);
      const { job } = await createBulkJob(context, {
        action: 'pause',
        cards: { identifiers },
        actor: 'crash',
      });
      jobs.push(job);
      await startJob(job.id);
      return true;
    };
    const current = async () => repository.require(jobs.at(-1)!.id);

    let worker: WorkerProcess = await bench.startWorker();
    await createNextJob();
    let killsMidJob = 0;
    for (let kill = 1; kill <= options.kills; kill += 1) {
      if (FINISHED.has((await current()).state)) await createNextJob();
      const waitMs = Math.round(200 + next() * 1800);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      await worker.kill('SIGKILL');
      const job = await current();
      const held = (await queue.get(queueJobId))?.state === 'running';
      const midJob = held && !FINISHED.has(job.state);
      if (midJob) killsMidJob += 1;
      log(
        `bulk kill ${kill}/${options.kills} after ${waitMs} ms: job ${job.id} ${midJob ? `mid-job, ${job.done + job.skipped + job.failed}/${job.total} settled` : `not running (${job.state})`}`,
      );
      await bench.expireLeases();
      worker = await bench.startWorker();
      if (held) {
        // The new worker's lease sweep fails the dead worker's queue job (one attempt); the
        // bulk job, left running with cards `sending`, is then started again.
        await waitForQueueJob(queue, queueJobId, ['failed', 'succeeded']);
        if (!FINISHED.has((await current()).state)) await startJob(job.id);
      }
    }
    await waitForQueueJob(queue, queueJobId, ['failed', 'succeeded', 'cancelled'], 300_000);
    const unconfirmedBefore = await countItems(repository, jobs, 'unconfirmed');
    // Stops accepted by a killed run settle after `settleDelayMs`; let them, then re-run every
    // job once: a finished job retries its failed cards only, reading their status first.
    await new Promise((resolve) => setTimeout(resolve, options.settleDelayMs + 500));
    for (const job of jobs) {
      await startJob(job.id);
      await waitForQueueJob(queue, queueJobId, ['failed', 'succeeded', 'cancelled'], 300_000);
    }
    await worker.kill('SIGTERM');

    const named = new Map<string, number>();
    let stopCalls = 0;
    for (const entry of simulator.calls.entries) {
      if (entry.path !== STOP_PATH) continue;
      stopCalls += 1;
      for (const iccid of (entry.params.iccids ?? '').split(',')) {
        named.set(iccid, (named.get(iccid) ?? 0) + 1);
      }
    }
    const stopsPerCard = new Map<string, number>();
    for (const record of simulator.fleet.records) {
      if (record.operateType === 'stop')
        stopsPerCard.set(record.iccid, (stopsPerCard.get(record.iccid) ?? 0) + 1);
    }
    const finalJobs = await Promise.all(jobs.map((job) => repository.require(job.id)));
    const jobCards = fleet.slice(0, jobs.length * options.jobSize);
    const queueJobs = await queue.list({ limit: 10_000 });
    return {
      kills: options.kills,
      killsMidJob,
      jobs: jobs.length,
      jobsFinished: finalJobs.filter((job) => job.state === 'succeeded' || job.state === 'partial')
        .length,
      jobRuns: finalJobs.reduce((sum, job) => sum + job.runs, 0),
      cards: jobCards.length,
      stopCalls,
      cardsSent: [...named.values()].reduce((sum, count) => sum + count, 0),
      cardsActedOnTwice: [...named.values()].filter((count) => count > 1).length,
      extraStopRecords: [...stopsPerCard.values()].reduce((sum, count) => sum + count - 1, 0),
      cardsStopped: jobCards.filter(
        (card) => simulator.fleet.card({ iccid: card.iccid })?.simStatus === 5,
      ).length,
      itemsDone: finalJobs.reduce((sum, job) => sum + job.done, 0),
      itemsSkipped: finalJobs.reduce((sum, job) => sum + job.skipped, 0),
      itemsConfirmedByStatusRead: await countItems(repository, jobs, 'confirmed'),
      itemsUnconfirmedBeforeRerun: unconfirmedBefore,
      itemsFailed: finalJobs.reduce((sum, job) => sum + job.failed, 0),
      reasons: await reasonsOf(repository, jobs),
      queueJobsUnfinished: queueJobs.filter(
        (job) => job.state === 'pending' || job.state === 'running',
      ).length,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    };
  } finally {
    await queue?.close();
    await bench.close();
    await served.close();
  }
}

async function reasonsOf(repository: BulkJobsRepository, jobs: BulkJob[]) {
  const reasons = new Map<string, BulkCrashFigures['reasons'][number]>();
  for (const job of jobs) {
    for (const reason of await repository.failureReasons(job.id)) {
      const key = `${reason.state} ${reason.code} ${reason.message}`;
      const entry = reasons.get(key) ?? { ...reason, count: 0 };
      entry.count += reason.count;
      reasons.set(key, entry);
    }
  }
  return [...reasons.values()].sort((a, b) => b.count - a.count);
}

/** Items of the jobs whose outcome says `unconfirmed` (a code) or `confirmed` (a message). */
async function countItems(
  repository: BulkJobsRepository,
  jobs: BulkJob[],
  kind: 'unconfirmed' | 'confirmed',
): Promise<number> {
  let count = 0;
  for (const job of jobs) {
    for (const item of await repository.items(job.id)) {
      if (
        kind === 'unconfirmed'
          ? item.code === 'unconfirmed'
          : item.message?.startsWith('confirmed by a status read')
      )
        count += 1;
    }
  }
  return count;
}

async function waitForQueueJob(
  queue: JobQueue,
  id: string,
  states: string[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = await queue.get(id);
    if (job && states.includes(job.state)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`queue job ${id} did not reach ${states.join(' or ')} in ${timeoutMs} ms`);
}
