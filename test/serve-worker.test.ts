import { afterEach, describe, expect, it } from 'vitest';
import { startBackgroundWork } from '../src/jobs/background-work.js';
import type { JobQueue } from '../src/services/job-queue.js';
import { ApiHarness } from './api-harness.js';

/** A queue that forwards to one made after the harness (which needs the queue up front). */
function lateQueue(): { queue: JobQueue; set(real: JobQueue): void } {
  let real: JobQueue | undefined;
  const queue = new Proxy({} as JobQueue, {
    get:
      (_target, name) =>
      (...args: unknown[]) =>
        // biome-ignore lint/suspicious/noExplicitAny: forwarding any method of the interface.
        (real as any)[name](...args),
  });
  return { queue, set: (value) => (real = value) };
}

describe('the API with workers (serve --worker)', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('hands bulk jobs to the queue, where a worker runs them', async () => {
    const late = lateQueue();
    const api = await ApiHarness.open({ queue: late.queue, api: { rateLimit: false } });
    const work = await startBackgroundWork({
      context: api.context,
      databaseUrl: 'sqlite::memory:',
      schedule: false,
      pollIntervalMs: 20,
    });
    late.set(work.queue);
    close = async () => {
      await work.stop();
      await api.close();
    };
    const created = await api.json('POST', '/api/v1/jobs', {
      body: { action: 'pause', selection: { cardIds: api.cards.root.slice(0, 2) } },
    });
    expect(created.status).toBe(202);
    expect(created.body.job).toMatchObject({ queued: true });
    let job = created.body.job;
    for (let turn = 0; turn < 200 && ['pending', 'running'].includes(job.state); turn += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      job = (await api.json('GET', `/api/v1/jobs/${job.id}`)).body;
    }
    // OneLink v2 cannot pause: the worker ran the job and skipped each card with the reason.
    expect(job).toMatchObject({ state: 'succeeded', total: 2, skipped: 2, failed: 0 });
    const queued = await work.queue.list({ name: 'bulk' });
    expect(queued.map((entry) => entry.state)).toEqual(['succeeded']);
  });
});
