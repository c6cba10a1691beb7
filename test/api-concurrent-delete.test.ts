import { afterEach, beforeEach, expect, it } from 'vitest';
import { ApiHarness } from './api-harness.js';

let api: ApiHarness;
beforeEach(async () => {
  api = await ApiHarness.open();
});
afterEach(() => api.close());

it('deletes a plan once when six requests delete it at the same time: one 200, one audit', async () => {
  const plan = await api.json('POST', '/api/v1/plans', {
    body: { name: 'shared', quotaBytes: 1000, cycleStartDay: 1 },
  });
  expect(plan.status).toBe(201);
  const answers = await Promise.all(
    Array.from({ length: 6 }, () => api.json('DELETE', `/api/v1/plans/${plan.body.id}`)),
  );
  expect(answers.map((answer) => answer.status).sort()).toEqual([200, 404, 404, 404, 404, 404]);
  const audit = await api.store.audit.list({ targetId: String(plan.body.id) });
  expect(
    audit.filter((entry) => entry.action === 'plans.delete' && entry.targetType === 'plan'),
  ).toHaveLength(1);
});
