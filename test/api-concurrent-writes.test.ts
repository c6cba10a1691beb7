import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BulkJobsRepository } from '../src/store/repositories/bulk-repository.js';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

const DIALECTS = process.env.SIMDOCK_TEST_DATABASE_URL
  ? (['sqlite', 'postgres'] as const)
  : (['sqlite'] as const);

/** The same request sent `times` times at once. */
function atOnce<T>(times: number, send: () => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: times }, send));
}

const statuses = (answers: { status: number }[]) =>
  answers.map((answer) => answer.status).sort((a, b) => a - b);

/**
 * The write routes added last, under the same request sent several times at once (a double
 * click, a retrying client): every answer is a documented one (no 500), no record is made twice,
 * and the audit log holds one entry per change actually made.
 */
describe.each(DIALECTS)('API: the same write several times at once on %s', (dialect) => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false }, dialect });
  });
  afterEach(() => api.close());

  async function audits(action: string) {
    return (await api.store.audit.list({ limit: 500 })).filter((entry) => entry.action === action);
  }

  it('creates a plan once when six requests create the same name: one 201, five 409', async () => {
    const answers = await atOnce(6, () =>
      api.json('POST', '/api/v1/plans', {
        body: { name: 'IoT 1 GB', quotaBytes: 1_000_000_000, cycleStartDay: 1 },
      }),
    );
    expect(statuses(answers)).toEqual([201, 409, 409, 409, 409, 409]);
    for (const answer of answers.filter((item) => item.status === 409)) {
      expect(answer.body.error.code).toBe('already_exists');
    }
    const plans = await api.json('GET', '/api/v1/plans');
    expect(
      plans.body.plans.filter((plan: { name: string }) => plan.name === 'IoT 1 GB'),
    ).toHaveLength(1);
    expect(await audits('plans.create')).toHaveLength(1);
  });

  it('creates a pool once when six requests create the same name: one 201, five 409', async () => {
    const answers = await atOnce(6, () =>
      api.json('POST', '/api/v1/pools', {
        body: { name: 'shared 10 GB', quotaBytes: 10_000_000_000, cards: api.cards.root },
      }),
    );
    expect(statuses(answers)).toEqual([201, 409, 409, 409, 409, 409]);
    for (const answer of answers.filter((item) => item.status === 409)) {
      expect(answer.body.error.code).toBe('already_exists');
    }
    const pools = await api.json('GET', '/api/v1/pools');
    expect(pools.body.pools).toHaveLength(1);
    expect(pools.body.pools[0]).toMatchObject({ members: api.cards.root.length });
    expect(await audits('pools.create')).toHaveLength(1);
  });

  it('adds the same cards to a pool four times at once: each card once, one audit of the change', async () => {
    const pool = await api.json('POST', '/api/v1/pools', {
      body: { name: 'east', quotaBytes: null },
    });
    const cards = api.cards.root;
    const answers = await atOnce(4, () =>
      api.json('POST', `/api/v1/pools/${pool.body.id}/cards`, { body: { cards } }),
    );
    expect(statuses(answers)).toEqual([200, 200, 200, 200]);
    // Between them the requests added each card once.
    expect(answers.reduce((sum, answer) => sum + answer.body.added, 0)).toBe(cards.length);
    const read = await api.json('GET', `/api/v1/pools/${pool.body.id}`);
    expect(read.body.cardIds).toEqual([...cards].sort((a, b) => a - b));
    const changes = (await audits('pools.cards.add')).map((entry) => Number(entry.details?.added));
    expect(changes.reduce((sum, added) => sum + added, 0)).toBe(cards.length);
    expect(changes.every((added) => added > 0)).toBe(true);

    // Taken out four times at once: each card once, no audit of a change not made.
    const removed = await atOnce(4, () =>
      api.json('POST', `/api/v1/pools/${pool.body.id}/cards/remove`, {
        body: { filter: `account=${ONELINK_ACCOUNT}` },
      }),
    );
    expect(statuses(removed)).toEqual([200, 200, 200, 200]);
    expect(removed.reduce((sum, answer) => sum + answer.body.removed, 0)).toBe(cards.length);
    expect((await api.json('GET', `/api/v1/pools/${pool.body.id}`)).body.cardIds).toEqual([]);
    const removals = (await audits('pools.cards.remove')).map((entry) =>
      Number(entry.details?.removed),
    );
    expect(removals.reduce((sum, count) => sum + count, 0)).toBe(cards.length);
    expect(removals.every((count) => count > 0)).toBe(true);
  });

  it('adds cards to a pool while it is deleted: each answer 200 or 404, never 500', async () => {
    for (let round = 0; round < 3; round += 1) {
      const pool = await api.json('POST', '/api/v1/pools', {
        body: { name: `brief ${round}`, quotaBytes: null },
      });
      const answers = await Promise.all([
        api.json('POST', `/api/v1/pools/${pool.body.id}/cards`, {
          body: { cards: api.cards.root },
        }),
        api.json('DELETE', `/api/v1/pools/${pool.body.id}`),
        api.json('POST', `/api/v1/pools/${pool.body.id}/cards`, {
          body: { filter: `account=${ONELINK_ACCOUNT}` },
        }),
        api.json('POST', `/api/v1/pools/${pool.body.id}/cards/remove`, {
          body: { cards: api.cards.root },
        }),
      ]);
      for (const answer of answers)
        expect([200, 404], JSON.stringify(answer.body)).toContain(answer.status);
      expect((await api.json('GET', `/api/v1/pools/${pool.body.id}`)).status).toBe(404);
    }
  });

  it('puts cards on a plan while it is deleted: each answer 200 or 404, never 500', async () => {
    for (let round = 0; round < 3; round += 1) {
      const plan = await api.json('POST', '/api/v1/plans', {
        body: { name: `brief ${round}`, quotaBytes: 1000, cycleStartDay: 1 },
      });
      const answers = await Promise.all([
        api.json('POST', `/api/v1/plans/${plan.body.id}/assign`, {
          body: { cards: api.cards.root },
        }),
        api.json('DELETE', `/api/v1/plans/${plan.body.id}`),
        api.json('POST', `/api/v1/plans/${plan.body.id}/assign`, {
          body: { filter: `account=${ONELINK_ACCOUNT}` },
        }),
      ]);
      for (const answer of answers)
        expect([200, 404], JSON.stringify(answer.body)).toContain(answer.status);
      const column = await api.json('GET', `/api/v1/plans/cards?ids=${api.cards.root.join(',')}`);
      // No card is left on the deleted plan.
      for (const card of column.body.cards) expect(card.plan).toBeNull();
    }
  });

  it('assigns cards by filter to a tenant four times at once: all 200, the cards there once', async () => {
    const answers = await atOnce(4, () =>
      api.json('POST', '/api/v1/cards/assign', {
        body: { filter: `account=${ONELINK_ACCOUNT}`, tenant: 'acme' },
      }),
    );
    expect(statuses(answers)).toEqual([200, 200, 200, 200]);
    const total = api.cards.root.length + api.cards.acme.length + api.cards.globex.length;
    for (const answer of answers) expect(answer.body.assigned).toBe(total);
    // Between them the requests moved each card not acme's already once.
    const moved = total - api.cards.acme.length;
    expect(answers.reduce((sum, answer) => sum + answer.body.changed, 0)).toBe(moved);
    const acme = await api.json('GET', '/api/v1/cards/count', { key: 'acmeViewer' });
    expect(acme.body.total).toBe(total);
    // One audit per request that moved cards, counting the cards it moved: none doubled.
    const entries = await audits('cards.assign');
    expect(entries.reduce((sum, entry) => sum + Number(entry.details?.cards), 0)).toBe(moved);
    expect(entries.length).toBe(answers.filter((answer) => answer.body.changed > 0).length);

    // Taken back four times at once: the same.
    const back = await atOnce(4, () =>
      api.json('POST', '/api/v1/cards/unassign', {
        body: { filter: `account=${ONELINK_ACCOUNT}` },
      }),
    );
    expect(statuses(back)).toEqual([200, 200, 200, 200]);
    expect(back.reduce((sum, answer) => sum + answer.body.changed, 0)).toBe(total);
    const undone = await audits('cards.unassign');
    expect(undone.reduce((sum, entry) => sum + Number(entry.details?.cards), 0)).toBe(total);
    expect((await api.json('GET', '/api/v1/cards/count', { key: 'acmeViewer' })).body.total).toBe(
      0,
    );
  });

  it('puts cards on a plan by filter four times at once: each card on it once', async () => {
    const plan = await api.json('POST', '/api/v1/plans', {
      body: { name: 'IoT 500 MB', quotaBytes: 500_000_000, cycleStartDay: 1 },
    });
    const answers = await atOnce(4, () =>
      api.json('POST', `/api/v1/plans/${plan.body.id}/assign`, {
        body: { filter: `account=${ONELINK_ACCOUNT}`, expiresOn: '2025-12-31' },
      }),
    );
    expect(statuses(answers)).toEqual([200, 200, 200, 200]);
    const read = await api.json('GET', `/api/v1/plans/${plan.body.id}`);
    const total = api.cards.root.length + api.cards.acme.length + api.cards.globex.length;
    expect(read.body.cards).toBe(total);
    for (const answer of answers) expect(answer.body.assigned).toBe(total);
    // Between them the requests put each card on the plan once; one audit per request that did.
    expect(answers.reduce((sum, answer) => sum + answer.body.changed, 0)).toBe(total);
    const entries = await audits('plans.assign');
    expect(entries.reduce((sum, entry) => sum + Number(entry.details?.cards), 0)).toBe(total);
    expect(entries.length).toBe(answers.filter((answer) => answer.body.changed > 0).length);

    // A new expiry date for the same cards changes them again; the same one again changes none.
    const later = await api.json('POST', `/api/v1/plans/${plan.body.id}/assign`, {
      body: { filter: `account=${ONELINK_ACCOUNT}`, expiresOn: '2026-06-30' },
    });
    expect(later.body).toEqual({ assigned: total, changed: total });
    const same = await api.json('POST', `/api/v1/plans/${plan.body.id}/assign`, {
      body: { filter: `account=${ONELINK_ACCOUNT}`, expiresOn: '2026-06-30' },
    });
    expect(same.body).toEqual({ assigned: total, changed: 0 });
    expect(await audits('plans.assign')).toHaveLength(entries.length + 1);
  });

  it('starts two exports at once: two exports, both written, one audit each', async () => {
    const answers = await atOnce(2, () =>
      api.json('POST', '/api/v1/cards/exports', { body: { format: 'csv' } }),
    );
    expect(statuses(answers)).toEqual([202, 202]);
    const ids = answers.map((answer) => answer.body.id);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) {
      let state = 'pending';
      for (let turn = 0; turn < 200 && ['pending', 'running'].includes(state); turn += 1) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        state = (await api.json('GET', `/api/v1/cards/exports/${id}`)).body.state;
      }
      expect(state).toBe('succeeded');
    }
    const listed = await api.json('GET', '/api/v1/cards/exports');
    expect(listed.body.exports).toHaveLength(2);
    expect((await audits('cards.export')).map((entry) => entry.targetId).sort()).toEqual(
      ids.map(String).sort(),
    );
  });

  it('retries a job once when two retries are asked at once: one 202, one 409 naming the retry', async () => {
    const repository = new BulkJobsRepository(api.store, () => api.clock.now());
    const job = await repository.create({
      action: 'pause',
      params: {},
      selection: { cardIds: api.cards.acme.length },
      createdBy: 'test',
      cards: api.cards.acme.map((cardId) => ({ cardId, account: ONELINK_ACCOUNT })),
    });
    const items = await repository.items(job.id);
    await repository.settle(
      items.map((item) => ({ id: item.id, state: 'failed' as const, code: 'unavailable' })),
    );
    await repository.refreshCounts(job.id);
    await repository.update(job.id, { state: 'failed', finishedAt: api.clock.now() });

    const answers = await atOnce(2, () =>
      api.json('POST', `/api/v1/jobs/${job.id}/retry`, { key: 'acmeOperator' }),
    );
    expect(statuses(answers)).toEqual([202, 409]);
    const made = answers.find((answer) => answer.status === 202)!.body.job.id;
    const refused = answers.find((answer) => answer.status === 409)!.body.error;
    expect(refused).toMatchObject({ code: 'conflict', details: { job: job.id, retry: made } });
    const jobs = await api.json('GET', '/api/v1/jobs?limit=50');
    const retries = jobs.body.jobs.filter(
      (item: { selection: { retryOf?: number } }) => item.selection.retryOf === job.id,
    );
    expect(retries).toHaveLength(1);
    expect(await audits('jobs.retry')).toHaveLength(1);
    // Asked again later, it names the retry made: retry that one instead.
    const again = await api.json('POST', `/api/v1/jobs/${job.id}/retry`, { key: 'acmeOperator' });
    expect(again.status).toBe(409);
    expect(again.body.error.details).toMatchObject({ retry: made });
  });
});
