import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiHarness, ONELINK_ACCOUNT } from './api-harness.js';

describe('POST /api/v1/cards/import', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open();
  });
  afterEach(() => api.close());

  it('imports the good lines, reports the bad ones by line, and adds nothing the second time', async () => {
    const fresh = [20, 21].map((index) => api.simulator.fleet.card(index).iccid);
    const text = [
      'iccid,note',
      `${fresh[0]},first`,
      'not-an-iccid,bad',
      `${fresh[1]},second`,
      `${fresh[0]},again`,
    ].join('\n');
    const first = await api.json('POST', '/api/v1/cards/import', {
      body: { account: ONELINK_ACCOUNT, text },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ account: ONELINK_ACCOUNT, inserted: 2, existing: 0 });
    expect(first.body.problems.map((problem: { line: number }) => problem.line)).toEqual([3, 5]);
    expect(first.body.problems[0]).toMatchObject({ value: 'not-an-iccid' });
    expect(first.body.problems[1].reason).toContain('duplicate of line 2');

    const again = await api.json('POST', '/api/v1/cards/import', {
      body: { account: ONELINK_ACCOUNT, text },
    });
    expect(again.body).toMatchObject({ inserted: 0, existing: 2 });
    const listed = await api.json('GET', `/api/v1/cards?q=${fresh[1]}`);
    expect(listed.body.cards).toHaveLength(1);
    const audit = await api.json('GET', '/api/v1/audit?targetType=account');
    expect(audit.body.entries[0]).toMatchObject({ action: 'cards.import' });
  });

  it('is for admins of the root tenant, and names an existing account', async () => {
    const body = { account: ONELINK_ACCOUNT, text: '' };
    expect(
      (await api.json('POST', '/api/v1/cards/import', { key: 'rootViewer', body })).status,
    ).toBe(403);
    expect(
      (await api.json('POST', '/api/v1/cards/import', { key: 'acmeAdmin', body })).status,
    ).toBe(403);
    const unknown = await api.json('POST', '/api/v1/cards/import', {
      body: { account: 'nope', text: '89860000000000000000' },
    });
    expect(unknown.status).toBe(404);
    expect((await api.json('POST', '/api/v1/cards/import', { body: { text: 'x' } })).status).toBe(
      400,
    );
  });
});
