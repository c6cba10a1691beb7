import { sql } from 'kysely';
import { createJobQueue } from '../src/jobs/create-job-queue.js';
import { SyncCheckpoints } from '../src/store/repositories/sync-checkpoints.js';
import { EngineBench, fetchedBatches, type WorkerProcess } from '../test/engine/engine-harness.js';

export interface CrashRecoveryOptions {
  /** SIGKILLs in a row (issue 9.3: 20). */
  kills: number;
  /** Cards of the account synced. */
  cards: number;
  /** Days of daily usage per run. */
  days: number;
  /** Latency of each simulator answer, ms. */
  latencyMs: number;
  /** Seed of the random kill points. */
  seed: number;
  log?: (line: string) => void;
}

export interface CrashRecoveryFigures {
  kills: number;
  killsMidSync: number;
  runs: number;
  runsSucceeded: number;
  calls: number;
  minimumCalls: number;
  /**
   * Calls made twice: batches in flight, or answered and not yet stored, when a worker died
   * (never a finished one).
   */
  repeatedCalls: number;
  finishedBatchesRepeated: number;
  usageRows: number;
  duplicateUsageRows: number;
  /** Jobs still pending or running once every run closed. */
  jobsUnfinished: number;
  /** Slice jobs whose attempts the kills used up, resumed by a later `sync` job. */
  jobsFailedThenResumed: number;
  seconds: number;
}

/** A small deterministic generator, so a failing sequence of kill points can be replayed. */
export function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/**
 * Issue 9.3: SIGKILLs a `simdock worker` process at random points of a sync, `kills` times in
 * a row, restarting it each time, against a simulator served over HTTP and PostgreSQL. A run
 * that ends is followed by a new one, so every kill lands mid-sync. Afterwards: every run
 * closed, no finished batch fetched again, no usage row twice, no job left unfinished.
 */
export async function runCrashRecovery(
  options: CrashRecoveryOptions,
): Promise<CrashRecoveryFigures> {
  const log = options.log ?? (() => {});
  const next = random(options.seed);
  const started = performance.now();
  const bench = new EngineBench();
  await bench.open({ size: options.cards, latencyMs: options.latencyMs, accounts: ['cmcc'] });
  const queue = await createJobQueue(bench.store, { databaseUrl: bench.database.url });
  const checkpoints = new SyncCheckpoints(bench.store);
  try {
    await bench.importRange('cmcc', 0, options.cards);
    const runs: number[] = [];
    /** The simulator's call count when each run was planned: calls after it are that run's. */
    const runStarts: number[] = [];
    /** At each kill: the simulator's call count and the batches finished so far. */
    const kills: { run: number; calls: number; finished: Set<string> }[] = [];
    const enqueueRun = async () => {
      runStarts.push(bench.simulator.callLog.total);
      await queue.enqueue({
        name: 'sync',
        payload: { account: 'cmcc', days: options.days, sliceSize: 1000 },
        createdBy: 'crash-recovery',
      });
      const runId = await waitForNewRun(bench, runs.at(-1) ?? 0);
      runs.push(runId);
      return runId;
    };
    let worker: WorkerProcess = await bench.startWorker();
    let runId = await enqueueRun();
    let killsMidSync = 0;
    for (let kill = 1; kill <= options.kills; kill += 1) {
      if ((await checkpoints.plan(runId))?.finishedAt) runId = await enqueueRun();
      // A random point: after 0–100 % more of the run's batches, at most 2 s on.
      const waitMs = Math.round(200 + next() * 1800);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      await worker.kill('SIGKILL');
      const finished = await checkpoints.finishedBatches(runId);
      const midSync = !(await checkpoints.plan(runId))?.finishedAt;
      if (midSync) killsMidSync += 1;
      kills.push({ run: runs.length - 1, calls: bench.simulator.callLog.total, finished });
      log(
        `kill ${kill}/${options.kills} after ${waitMs} ms: run ${runId} ${midSync ? `mid-sync, ${finished.size} batches finished` : 'already closed'}`,
      );
      await bench.expireLeases();
      worker = await bench.startWorker();
    }
    // A slice killed more often than its attempts allow fails; the account's next `sync` job
    // takes the unfinished run up again and enqueues what is left (that is what resumable means).
    // Asked only once the queue holds nothing more of the run: a `sync` job enqueued while the
    // run may still finish would plan a run of its own, which these figures do not count.
    const busy = async () =>
      (await queue.list({ limit: 10_000 })).some(
        (job) => job.state === 'pending' || job.state === 'running',
      );
    const settleBy = Date.now() + 360_000;
    while (!(await checkpoints.plan(runId))?.finishedAt && (await busy())) {
      if (Date.now() > settleBy) throw new Error(`run ${runId} neither finished nor settled`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const failedBeforeResume = (await queue.list({ state: 'failed', limit: 10_000 })).length;
    if (!(await checkpoints.plan(runId))?.finishedAt) {
      await queue.enqueue({
        name: 'sync',
        payload: { account: 'cmcc', days: options.days },
        createdBy: 'crash-recovery',
      });
    }
    for (const id of runs) await bench.waitForRun(id, 360_000);
    await worker.kill('SIGTERM');

    const batches = fetchedBatches(bench.simulator);
    const runOf = (index: number) => runStarts.findLastIndex((start) => start <= index);
    // Each run fetches every batch once; a call made twice within one run is a repeat.
    const seen = new Map<string, number>();
    for (const [index, batch] of batches.entries()) {
      const key = `${runOf(index)} ${batch.path} ${batch.date} ${batch.ids}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const repeated = [...seen.entries()].filter(([, count]) => count > 1);
    const ids = new Map<string, number>();
    const { rows: cards } = await sql<{ id: number; iccid: string }>`
      select id, iccid from cards`.execute(bench.store.db);
    for (const row of cards) ids.set(row.iccid, Number(row.id));
    // A call of a run, after a kill of that run, for a batch finished at that kill is a
    // finished batch fetched again (checkpoints name batches by phase, period and card range).
    let finishedBatchesRepeated = 0;
    for (const [index, batch] of batches.entries()) {
      const iccids = batch.ids.split('_');
      const phase = batch.path.endsWith('batchquerycardinfo') ? 'identities' : 'usage.daily';
      const { date } = batch;
      const period =
        phase === 'identities' ? '-' : `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}`;
      const batchKey = `${phase}:${period}:iccid:${ids.get(iccids[0]!)}-${ids.get(iccids.at(-1)!)}:${iccids.length}`;
      const run = runOf(index);
      if (
        kills.some((kill) => kill.run === run && index >= kill.calls && kill.finished.has(batchKey))
      )
        finishedBatchesRepeated += 1;
    }
    const usage = await sql<{ rows: number; distinct: number }>`
      select count(*)::int as rows, count(distinct (card_id, date))::int as distinct
      from usage_daily`.execute(bench.store.db);
    const statuses = await Promise.all(runs.map((id) => bench.store.syncRuns.get(id)));
    const jobs = await queue.list({ limit: 10_000 });
    for (const job of jobs.filter((job) => job.state === 'pending' || job.state === 'running'))
      log(`left unfinished: ${job.name} ${job.key ?? ''} ${job.state}, attempt ${job.attempts}`);
    const perRunMinimum = (options.cards / 100) * options.days + options.cards / 100;
    return {
      kills: options.kills,
      killsMidSync,
      runs: runs.length,
      runsSucceeded: statuses.filter((run) => run?.status === 'succeeded').length,
      calls: bench.simulator.callLog.total,
      // Identities are resolved once (the first run), which also pulls its days of usage; a
      // later run the same day asks yesterday again and only fills the older days (incremental
      // usage: they were read in full, every card has them).
      minimumCalls: perRunMinimum + (runs.length - 1) * (options.cards / 100),
      repeatedCalls: repeated.reduce((sum, [, count]) => sum + count - 1, 0),
      finishedBatchesRepeated,
      usageRows: usage.rows[0]!.rows,
      duplicateUsageRows: usage.rows[0]!.rows - usage.rows[0]!.distinct,
      jobsUnfinished: jobs.filter((job) => job.state === 'pending' || job.state === 'running')
        .length,
      jobsFailedThenResumed: failedBeforeResume,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    };
  } finally {
    await queue.close();
    await bench.close();
  }
}

async function waitForNewRun(bench: EngineBench, after: number): Promise<number> {
  for (;;) {
    const { rows } = await sql<{ run_id: number }>`
      select run_id from sync_plans where run_id > ${after} order by run_id desc limit 1
    `.execute(bench.store.db);
    if (rows[0]) return Number(rows[0].run_id);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
