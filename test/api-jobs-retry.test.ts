import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BulkJobsRepository } from '../src/store/repositories/bulk-repository.js';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

const DIALECTS = process.env.SIMDOCK_TEST_DATABASE_URL
  ? (['sqlite', 'postgres'] as const)
  : (['sqlite'] as const);

/** POST /api/v1/jobs/{id}/retry: a new job over an ended job's failed and never-run cards. */
describe.each(DIALECTS)('API: retrying a bulk job on %s', (dialect) => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false }, dialect });
  });
  afterEach(() => api.close());

  /** A job over `cards` as a run would leave it: the given outcomes, then ended as `state`. */
  async function endedJob(
    cards: number[],
    outcomes: ('done' | 'skipped' | 'failed' | 'pending')[],
    state: 'partial' | 'cancelled' | 'succeeded' | 'running',
  ): Promise<number> {
    const repository = new BulkJobsRepository(api.store, () => api.clock.now());
    const job = await repository.create({
      action: 'pause',
      params: {},
      selection: { cardIds: cards.length },
      createdBy: 'test',
      cards: cards.map((cardId) => ({ cardId, account: ONELINK_ACCOUNT })),
    });
    const items = await repository.items(job.id);
    await repository.settle(
      items.map((item, index) => ({
        id: item.id,
        state: outcomes[index]!,
        ...(outcomes[index] === 'failed'
          ? { code: 'unavailable', message: 'the supplier did not answer' }
          : {}),
      })),
    );
    await repository.refreshCounts(job.id);
    await repository.update(job.id, { state, finishedAt: api.clock.now() });
    return job.id;
  }

  async function settled(id: number) {
    let job = await api.json('GET', `/api/v1/jobs/${id}`, { key: 'acmeViewer' });
    for (let turn = 0; turn < 50 && ['pending', 'running'].includes(job.body.state); turn += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      job = await api.json('GET', `/api/v1/jobs/${id}`, { key: 'acmeViewer' });
    }
    return job.body;
  }

  it('takes the failed and unrun cards only, into a new job linked to the original', async () => {
    const cards = api.cards.acme;
    const id = await endedJob(cards, ['done', 'failed', 'skipped', 'pending'], 'partial');
    const retried = await api.json('POST', `/api/v1/jobs/${id}/retry`, { key: 'acmeOperator' });
    expect(retried.status).toBe(202);
    expect(retried.body.job).toMatchObject({
      action: 'pause',
      params: {},
      selection: { retryOf: id, failed: 1, notRun: 1 },
      total: 2,
      queued: false,
    });
    const retryId = retried.body.job.id;
    expect(retryId).not.toBe(id);
    const items = await api.json('GET', `/api/v1/jobs/${retryId}/items`, { key: 'acmeViewer' });
    expect(items.body.items.map((item: { cardId: number }) => item.cardId)).toEqual([
      cards[1],
      cards[3],
    ]);
    // It runs: OneLink v2 changes no status here, so each card ends skipped.
    expect(await settled(retryId)).toMatchObject({ state: 'succeeded', total: 2, skipped: 2 });
    // The original is left as it was.
    expect(await settled(id)).toMatchObject({ state: 'partial', done: 1, failed: 1, skipped: 1 });
    const audit = await api.json('GET', '/api/v1/audit?limit=5');
    expect(audit.body.entries.map((entry: { action: string }) => entry.action)).toContain(
      'jobs.retry',
    );
  });

  it('retries a cancelled job’s rest, keeping its parameters', async () => {
    const id = await endedJob(
      api.cards.root.slice(0, 3),
      ['done', 'pending', 'pending'],
      'cancelled',
    );
    await api.store.db
      .updateTable('bulk_jobs')
      .set({ action: 'sms', params: JSON.stringify({ text: 'hello' }) })
      .where('id', '=', id)
      .execute();
    const retried = await api.json('POST', `/api/v1/jobs/${id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body.job).toMatchObject({
      action: 'sms',
      params: { text: 'hello' },
      selection: { retryOf: id, failed: 0, notRun: 2 },
      total: 2,
    });
  });

  it('refuses a job still running, one with nothing to retry, a viewer and other tenants', async () => {
    const running = await endedJob(api.cards.acme.slice(0, 2), ['failed', 'pending'], 'running');
    const busy = await api.json('POST', `/api/v1/jobs/${running}/retry`, { key: 'acmeOperator' });
    expect(busy.status).toBe(409);
    expect(busy.body.error).toMatchObject({ code: 'conflict', details: { state: 'running' } });

    const clean = await endedJob(api.cards.acme.slice(0, 2), ['done', 'skipped'], 'succeeded');
    const nothing = await api.json('POST', `/api/v1/jobs/${clean}/retry`, { key: 'acmeOperator' });
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.message).toMatch(/no failed or unrun card/);

    const failed = await endedJob(api.cards.acme.slice(0, 2), ['failed', 'failed'], 'partial');
    const viewer = await api.json('POST', `/api/v1/jobs/${failed}/retry`, { key: 'acmeViewer' });
    expect(viewer.status).toBe(403);
    const other = await api.json('POST', `/api/v1/jobs/${failed}/retry`, { key: 'globexAdmin' });
    expect(other.status).toBe(404);
    expect((await api.json('POST', '/api/v1/jobs/999999/retry')).status).toBe(404);
    expect((await api.json('POST', '/api/v1/jobs/abc/retry')).status).toBe(400);
    expect((await api.json('POST', `/api/v1/jobs/${failed}/retry`, { key: null })).status).toBe(
      401,
    );
  });
});
