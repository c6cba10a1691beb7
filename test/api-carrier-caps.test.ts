import { afterEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../src/api/app.js';
import { ApiKeysRepository } from '../src/services/access/access-keys.js';
import { carrierFixture } from '../src/services/carrier/carrier.test-support.js';
import { TenantsRepository } from '../src/store/repositories/tenants-repository.js';

const MB = 1024 * 1024;

async function api() {
  const fixture = await carrierFixture();
  const now = () => fixture.clock.now();
  await new TenantsRepository(fixture.store, now).root();
  const keys: Record<string, string> = {};
  for (const role of ['owner', 'viewer'] as const) {
    keys[role] = (
      await new ApiKeysRepository(fixture.store, now).create({ name: role, role, tenantId: 'root' })
    ).key;
  }
  const app = createApiApp({ context: fixture.context, options: { rateLimit: false } });
  const request = async (method: string, path: string, body?: unknown, role = 'owner') => {
    const response = await app.request(`/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${keys[role]}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked by the expectations
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  return { ...fixture, request };
}

describe('carrier caps, sessions, history and diagnosis over the API', () => {
  let fixture: Awaited<ReturnType<typeof api>> | undefined;
  afterEach(async () => fixture?.close());

  it('sets, reads and cancels a card’s carrier cap; the card says what its supplier offers', async () => {
    fixture = await api();
    const id = fixture.carrierCards[0]!.id;
    const card = await fixture.request('GET', `/cards/${id}`);
    expect(card.status).toBe(200);
    expect(card.body).toMatchObject({
      extras: ['carrierCap', 'session', 'history', 'diagnosis'],
      usageCycle: { start: '2026-12-27', end: '2027-01-26', startDay: 27, source: 'supplier' },
    });

    const stats = await fixture.request('GET', '/cards/stats');
    expect(stats.body.cycles).toEqual([
      {
        account: 'carrier',
        start: '2026-12-27',
        end: '2027-01-26',
        month: '2027-01',
        startDay: 27,
        calendarMonth: false,
        source: 'supplier',
      },
    ]);

    const set = await fixture.request('PUT', `/cards/${id}/carrier-cap`, { capBytes: 500 * MB });
    expect(set).toMatchObject({
      status: 200,
      body: { state: 'done', cap: { capBytes: 500 * MB, reached: false }, readError: null },
    });
    const read = await fixture.request('GET', `/cards/${id}/carrier-cap`);
    expect(read.body).toMatchObject({ capBytes: 500 * MB });
    const job = await fixture.request('GET', `/jobs/${set.body.jobId}`);
    expect(job.body).toMatchObject({ action: 'data-cap-set', done: 1 });

    const cancelled = await fixture.request('DELETE', `/cards/${id}/carrier-cap`);
    expect(cancelled.body).toMatchObject({ state: 'done', cap: { capBytes: null } });

    // Viewers read, operators change.
    expect(
      (await fixture.request('GET', `/cards/${id}/carrier-cap`, undefined, 'viewer')).status,
    ).toBe(200);
    const denied = await fixture.request(
      'PUT',
      `/cards/${id}/carrier-cap`,
      { capBytes: MB },
      'viewer',
    );
    expect(denied.status).toBe(403);
    const bad = await fixture.request('PUT', `/cards/${id}/carrier-cap`, { capBytes: 0 });
    expect(bad.status).toBe(400);
  });

  it('caps many cards through a bulk job', async () => {
    fixture = await api();
    const created = await fixture.request('POST', '/jobs', {
      action: 'data-cap-set',
      params: { capBytes: 10 * MB },
      selection: { cardIds: fixture.carrierCards.map((card) => card.id) },
    });
    expect(created.status).toBe(202);
    let job = created.body.job;
    for (let tries = 0; tries < 50 && job.state !== 'succeeded'; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      job = (await fixture.request('GET', `/jobs/${job.id}`)).body;
    }
    expect(job).toMatchObject({ state: 'succeeded', done: 3 });
    expect([...(await fixture.carrier()).caps.values()]).toEqual([10 * MB, 10 * MB, 10 * MB]);
  });

  it('reads session, history and diagnosis, and answers `unsupported` where the supplier has none', async () => {
    fixture = await api();
    const id = fixture.carrierCards[0]!.id;
    expect((await fixture.request('GET', `/cards/${id}/session`)).body).toEqual({
      online: true,
      ip: '10.1.2.3',
      apn: 'cmiot',
      rat: 'LTE',
      startedAt: '2026-12-01T00:00:00.000Z',
    });
    expect((await fixture.request('GET', `/cards/${id}/history`)).body).toEqual({
      events: [
        {
          at: '2026-12-02T00:00:00.000Z',
          kind: 'status',
          status: 'active',
          statusRaw: '2',
          description: 'activated',
        },
      ],
    });
    expect((await fixture.request('GET', `/cards/${id}/diagnosis`)).body.checks).toHaveLength(2);

    const plain = fixture.plainCards[0]!.id;
    expect((await fixture.request('GET', `/cards/${plain}`)).body.extras).toEqual([]);
    for (const [method, path] of [
      ['GET', 'carrier-cap'],
      ['DELETE', 'carrier-cap'],
      ['GET', 'session'],
      ['GET', 'history'],
      ['GET', 'diagnosis'],
    ] as const) {
      const answer = await fixture.request(method, `/cards/${plain}/${path}`);
      expect(answer.status, `${method} ${path}`).toBe(422);
      expect(answer.body.error).toMatchObject({
        code: 'unsupported',
        details: { account: 'plain', supplier: 'test-plain' },
      });
    }
    expect((await fixture.request('GET', '/cards/999999/session')).status).toBe(404);
  });
});
