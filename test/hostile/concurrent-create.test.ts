import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDialect } from '../../src/store/store.test-support.js';
import { ApiHarness } from '../api-harness.js';

/**
 * Issue 17, bug 2: creating one thing from many requests at once is a race between the
 * existence check and the insert; the loser must hear 409 `already_exists`, never 500.
 */
describeEachDialect('concurrent creates on $dialect', ({ dialect }) => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open({ dialect, api: { rateLimit: false } });
  });
  afterEach(() => api.close());

  async function sixteen(path: string, body: unknown) {
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => api.json('POST', path, { body })),
    );
    return answers;
  }

  it('16 parallel POST /api/v1/users with one email: one 201, fifteen 409 already_exists', async () => {
    const answers = await sixteen('/api/v1/users', {
      email: 'race@acme.test',
      password: 'long enough password',
      role: 'viewer',
      tenant: 'acme',
    });
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, ...Array(15).fill(409)]);
    for (const answer of answers.filter((one) => one.status === 409)) {
      expect(answer.body.error.code).toBe('already_exists');
    }
    const users = await api.json('GET', '/api/v1/users');
    expect(
      users.body.users.filter((user: { email: string }) => user.email === 'race@acme.test'),
    ).toHaveLength(1);
  });

  it('16 parallel POST /api/v1/plans with one name: one 201, fifteen 409 already_exists', async () => {
    const answers = await sixteen('/api/v1/plans', {
      name: 'raced',
      quotaBytes: 1000,
      cycleStartDay: 1,
    });
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, ...Array(15).fill(409)]);
    for (const answer of answers.filter((one) => one.status === 409)) {
      expect(answer.body.error.code).toBe('already_exists');
    }
  });

  it('16 parallel POST /api/v1/tenants with one id: one 201, fifteen 409', async () => {
    const answers = await sixteen('/api/v1/tenants', {
      id: 'initech',
      name: 'Initech',
      kind: 'customer',
    });
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, ...Array(15).fill(409)]);
  });

  it('the store answers a unique violation itself with already_exists', async () => {
    const now = api.clock.now();
    const insert = () =>
      api.store.db
        .insertInto('plans')
        .values({ name: 'direct', quota_bytes: null, cycle_start_day: 1, created_at: now })
        .execute();
    await insert();
    await expect(insert()).rejects.toMatchObject({ code: 'already_exists' });
  });
});
