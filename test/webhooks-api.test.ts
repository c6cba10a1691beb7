import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverWebhooks } from '../src/services/webhooks/webhooks-delivery.js';
import { EventOutbox } from '../src/store/repositories/event-outbox.js';
import { SecretBox } from '../src/store/secret-box.js';
import { setStoreSecretSealer } from '../src/store/secret-sealer.js';
import { ApiHarness } from './api-harness.js';

const sealer = new SecretBox(async () => ({ key: Buffer.alloc(32, 7), origin: 'test' }));

async function harness(allowPrivateWebhookTargets: boolean): Promise<ApiHarness> {
  const opened = await ApiHarness.open({
    api: { allowPrivateWebhookTargets, rateLimit: false },
  });
  setStoreSecretSealer(opened.store, sealer);
  return opened;
}

let server: Server | undefined;
let api: ApiHarness | undefined;
afterEach(async () => {
  server?.close();
  server = undefined;
  await api?.close();
  api = undefined;
});

describe('webhooks API', () => {
  it('creates endpoints per tenant, refuses private targets, and hides other tenants’ ones', async () => {
    api = await harness(false);
    const refused = await api.json('POST', '/api/v1/webhooks', {
      key: 'acmeAdmin',
      body: { url: 'http://127.0.0.1:9000/hooks' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_argument' });
    const metadata = await api.json('POST', '/api/v1/webhooks', {
      key: 'acmeAdmin',
      body: { url: 'http://169.254.169.254/latest/meta-data' },
    });
    expect(metadata.status).toBe(400);

    const created = await api.json('POST', '/api/v1/webhooks', {
      key: 'acmeAdmin',
      body: { url: 'https://93.184.216.34/hooks', eventTypes: ['card.status_changed'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.body.endpoint).toMatchObject({
      tenant: 'acme',
      enabled: true,
      eventTypes: ['card.status_changed'],
    });
    const id = created.body.endpoint.id as number;

    const listed = await api.json('GET', '/api/v1/webhooks', { key: 'acmeAdmin' });
    expect(listed.body.endpoints).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    expect(
      (await api.json('GET', '/api/v1/webhooks', { key: 'globexAdmin' })).body.endpoints,
    ).toEqual([]);
    expect((await api.json('GET', `/api/v1/webhooks/${id}`, { key: 'globexAdmin' })).status).toBe(
      404,
    );
    expect((await api.json('GET', `/api/v1/webhooks/${id}`, { key: 'owner' })).status).toBe(200);
    expect((await api.json('GET', '/api/v1/webhooks', { key: 'acmeViewer' })).status).toBe(403);
    const unknownType = await api.json('POST', '/api/v1/webhooks', {
      key: 'acmeAdmin',
      body: { url: 'https://93.184.216.34/x', eventTypes: ['card.exploded'] },
    });
    expect(unknownType.status).toBe(400);

    const patched = await api.json('PATCH', `/api/v1/webhooks/${id}`, {
      key: 'acmeAdmin',
      body: { enabled: false },
    });
    expect(patched.body).toMatchObject({ id, enabled: false });
    expect(
      (
        await api.json('PATCH', `/api/v1/webhooks/${id}`, {
          key: 'globexAdmin',
          body: { enabled: true },
        })
      ).status,
    ).toBe(404);
    expect(
      (await api.json('DELETE', `/api/v1/webhooks/${id}`, { key: 'globexAdmin' })).status,
    ).toBe(404);
    expect((await api.json('DELETE', `/api/v1/webhooks/${id}`, { key: 'acmeAdmin' })).body).toEqual(
      {
        deleted: true,
      },
    );
    expect((await api.json('GET', `/api/v1/webhooks/${id}`, { key: 'acmeAdmin' })).status).toBe(
      404,
    );
  });

  it('lists deliveries with their attempts and redelivers by hand', async () => {
    api = await harness(true);
    const received: string[] = [];
    server = createServer((request, response) => {
      received.push(String(request.headers['webhook-id']));
      response.writeHead(received.length === 1 ? 500 : 200).end('thanks');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const created = await api.json('POST', '/api/v1/webhooks', {
      key: 'acmeAdmin',
      body: { url: `http://127.0.0.1:${port}/hooks` },
    });
    expect(created.status).toBe(201);
    await new EventOutbox(api.store, () => api!.clock.now()).emit([
      { type: 'card.status_changed', cardId: api.cards.acme[0]!, data: { status: 'suspended' } },
      { type: 'card.status_changed', cardId: api.cards.globex[0]!, data: { status: 'suspended' } },
    ]);
    const summary = await deliverWebhooks(api.context, { sealer, allowPrivateTargets: true });
    expect(summary).toMatchObject({ queued: 1, retrying: 1 });

    const listed = await api.json('GET', '/api/v1/webhooks/deliveries?state=pending', {
      key: 'acmeAdmin',
    });
    expect(listed.status).toBe(200);
    expect(listed.body.deliveries).toHaveLength(1);
    const delivery = listed.body.deliveries[0];
    expect(delivery).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 500 });
    expect(
      (await api.json('GET', '/api/v1/webhooks/deliveries', { key: 'globexAdmin' })).body
        .deliveries,
    ).toEqual([]);
    expect(
      (
        await api.json('POST', `/api/v1/webhooks/deliveries/${delivery.id}/redeliver`, {
          key: 'globexAdmin',
        })
      ).status,
    ).toBe(404);

    const again = await api.json('POST', `/api/v1/webhooks/deliveries/${delivery.id}/redeliver`, {
      key: 'acmeAdmin',
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      delivery: { state: 'succeeded', attempts: 2, lastStatus: 200 },
      attempt: { manual: true, statusCode: 200, responseExcerpt: 'thanks' },
    });
    const detail = await api.json('GET', `/api/v1/webhooks/deliveries/${delivery.id}`, {
      key: 'acmeAdmin',
    });
    expect(
      detail.body.attempts.map((attempt: { statusCode: number }) => attempt.statusCode),
    ).toEqual([500, 200]);
    expect(received).toEqual([delivery.eventId, delivery.eventId]);
    const badQuery = await api.json('GET', '/api/v1/webhooks/deliveries?state=lost', {
      key: 'acmeAdmin',
    });
    expect(badQuery.status).toBe(400);
  });

  it('serves the agent open API beside the REST API, refusing unsigned calls in its envelope', async () => {
    api = await harness(false);
    const response = await api.request('POST', '/openapi/iot/batchQueryCardInfo', {
      key: null,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ code: 1001, data: null });
  });
});
