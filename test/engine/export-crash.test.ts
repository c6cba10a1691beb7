import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createJobQueue } from '../../src/jobs/create-job-queue.js';
import type { Principal } from '../../src/services/access/access-roles.js';
import {
  CARD_EXPORT_JOB_NAME,
  createCardExport,
  enqueueCardExport,
  recoverAbandonedExports,
} from '../../src/services/inventory/card-export-jobs.js';
import type { JobQueue } from '../../src/services/job-queue.js';
import {
  type CardExport,
  CardExportsRepository,
} from '../../src/store/repositories/card-exports-repository.js';
import { POSTGRES_TEST_URL } from '../../src/store/store.test-support.js';
import { EngineBench } from './engine-harness.js';

const OPERATOR: Principal = {
  kind: 'user',
  id: 1,
  name: 'owner@example.test',
  role: 'owner',
  tenantId: 'root',
  tenantPath: '/root/',
  isRoot: true,
  actor: 'user:owner@example.test',
};

const CARDS = 40_000;

/**
 * A `simdock worker` SIGKILLed while it writes a card export: the export must not stay
 * "running". With attempts left, the queue takes the job back once its lease runs out and the
 * export is written again from the start (the partial file removed); killed on its last
 * attempt, the export is failed with the reason and its partial file removed.
 */
describe.skipIf(!POSTGRES_TEST_URL)('card export: worker SIGKILLed mid-export', () => {
  const bench = new EngineBench();
  let queue: JobQueue | undefined;
  const previousDirectory = process.env.SIMDOCK_EXPORT_DIR;
  afterAll(async () => {
    await queue?.close();
    await bench.close();
    if (previousDirectory === undefined) delete process.env.SIMDOCK_EXPORT_DIR;
    else process.env.SIMDOCK_EXPORT_DIR = previousDirectory;
  });

  const exportsOf = () => new CardExportsRepository(bench.store);

  async function waitFor(
    id: number,
    done: (item: CardExport) => boolean,
    timeoutMs = 120_000,
  ): Promise<CardExport> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const item = await exportsOf().require(id);
      if (done(item)) return item;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`export ${id} did not get there within ${timeoutMs} ms`);
  }

  /** Starts an export on a fresh worker and SIGKILLs the worker once rows are written. */
  async function exportKilledMidway(): Promise<CardExport> {
    const created = await createCardExport(bench.context, {
      caller: OPERATOR,
      format: 'csv',
      query: { account: 'east' },
    });
    await enqueueCardExport(bench.context, queue!, created.id, OPERATOR.actor);
    const worker = await bench.startWorker(1);
    await waitFor(created.id, (item) => item.state === 'running' && item.rowsWritten > 0);
    await worker.kill('SIGKILL');
    const left = await exportsOf().require(created.id);
    // What the dead process left: a running export and its partial file.
    expect(left.state).toBe('running');
    expect(left.rowsWritten).toBeLessThan(CARDS);
    expect(existsSync(left.filePath!)).toBe(true);
    return left;
  }

  it('is written again after the lease runs out, or failed with the reason on its last attempt', async () => {
    await bench.open({ size: 10, latencyMs: 0, accounts: ['east'] });
    process.env.SIMDOCK_EXPORT_DIR = join(bench.directory, 'exports');
    await bench.store.cards.importCards(
      'east',
      'onelink-v2',
      Array.from({ length: CARDS }, (_, index) => ({
        iccid: `8986990${String(index).padStart(13, '0')}`,
      })),
    );
    queue = await createJobQueue(bench.store, { databaseUrl: bench.database.url });

    // Attempts left: a new worker takes the job back once its lease ran out and finishes it.
    const first = await exportKilledMidway();
    expect(await recoverAbandonedExports(bench.context)).toBe(0);
    await bench.expireLeases();
    await sql`update card_exports set lease_until = 0 where id = ${first.id}`.execute(
      bench.store.db,
    );
    // The queue still holds the job: the export is left to it, not failed.
    expect(await recoverAbandonedExports(bench.context)).toBe(0);
    const worker = await bench.startWorker(1);
    const done = await waitFor(first.id, (item) => item.state !== 'running');
    expect(done).toMatchObject({ state: 'succeeded', rowsWritten: CARDS, error: null });
    expect(readFileSync(done.filePath!, 'utf8').trimEnd().split('\r\n')).toHaveLength(CARDS + 1);
    // The killed attempt's partial file is gone: only the finished file is left.
    expect(readdirSync(process.env.SIMDOCK_EXPORT_DIR)).toEqual([done.filePath!.split('/').pop()]);
    const [job] = await queue.list({ name: CARD_EXPORT_JOB_NAME });
    expect(job).toMatchObject({ state: 'succeeded', attempts: 2 });
    await worker.kill('SIGTERM');

    // Killed on its last attempt: the queue gives the job up, and the export is failed with
    // the reason, its partial file removed — not left "running".
    const second = await exportKilledMidway();
    await sql`update jobs set attempts = max_attempts where state = 'running'`.execute(
      bench.store.db,
    );
    await bench.expireLeases();
    await sql`update card_exports set lease_until = 0 where id = ${second.id}`.execute(
      bench.store.db,
    );
    const reclaim = await bench.startWorker(1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await reclaim.kill('SIGTERM');
    const jobs = await queue.list({ name: CARD_EXPORT_JOB_NAME });
    expect(jobs.map((item) => item.state).sort()).toEqual(['failed', 'succeeded']);
    expect(await recoverAbandonedExports(bench.context)).toBe(1);
    const failed = await exportsOf().require(second.id);
    expect(failed).toMatchObject({ state: 'failed', filePath: null });
    expect(failed.error).toMatch(/worker writing this export stopped .*renewing its lease/);
    expect(existsSync(second.filePath!)).toBe(false);
    expect(readdirSync(process.env.SIMDOCK_EXPORT_DIR)).toHaveLength(1);
    // Nothing is left pending or running.
    expect(await recoverAbandonedExports(bench.context)).toBe(0);
    const { rows } = await sql<{ count: string }>`
      select count(*) as count from card_exports where state in ('pending', 'running')
    `.execute(bench.store.db);
    expect(Number(rows[0]!.count)).toBe(0);
  }, 300_000);
});
