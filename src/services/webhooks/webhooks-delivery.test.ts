import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { EventOutbox } from '../../store/repositories/event-outbox.js';
import { WebhooksRepository } from '../../store/repositories/webhooks-repository.js';
import { describeEachDialect, useTestStore } from '../../store/store.test-support.js';
import { webhookFixture } from './webhooks.test-support.js';
import {
  deliverWebhooks,
  redeliverWebhook,
  WEBHOOK_RETRY_WINDOW_MS,
  webhookRetryDelay,
} from './webhooks-delivery.js';
import { createWebhookEndpoint } from './webhooks-endpoints.js';
import type { WebhookRequest, WebhookSender } from './webhooks-http.js';

/**
 * An independent Standard Webhooks verifier (WebCrypto, not the signer's node:crypto code):
 * the key is the base64 after `whsec_`, the content `id.timestamp.body`, the header a
 * space-separated list of `v1,<base64>`.
 */
async function verifyStandardWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  body: string,
): Promise<boolean> {
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, '')), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey(
    'raw',
    keyBytes,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const content = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(content)),
  );
  const expected = btoa(String.fromCharCode(...mac));
  return (headers['webhook-signature'] ?? '')
    .split(' ')
    .some((signature) => signature === `v1,${expected}`);
}

function recordingSender(statuses: number[]): WebhookSender & { requests: WebhookRequest[] } {
  const requests: WebhookRequest[] = [];
  const sender = async (request: WebhookRequest) => {
    requests.push(request);
    const status = statuses.shift() ?? 200;
    return { ok: true as const, status, excerpt: status >= 300 ? 'receiver is down' : 'ok' };
  };
  return Object.assign(sender, { requests });
}

let server: Server | undefined;
afterEach(async () => {
  server?.close();
  server = undefined;
});

describeEachDialect('webhooks out ($dialect)', (target) => {
  const test = useTestStore(target);

  it('posts a CloudEvent signed the Standard Webhooks way, verifiable independently', async () => {
    const { context, cards, sealer } = await webhookFixture(test.current);
    const received: { headers: IncomingMessage['headers']; body: string }[] = [];
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const { secret, endpoint } = await createWebhookEndpoint(
      context,
      {
        tenantId: 'root',
        url: `http://127.0.0.1:${port}/hooks`,
        eventTypes: ['card.status_changed'],
      },
      { sealer, allowPrivateTargets: true },
    );
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(JSON.stringify(endpoint)).not.toContain(secret);
    await new EventOutbox(test.current.store, () => context.clock.now()).emit([
      {
        type: 'card.status_changed',
        subject: '898602B2221340000001',
        account: 'east',
        cardId: cards.acme,
        data: { status: 'suspended', previous: 'active' },
        eventId: 'evt-1',
      },
      { type: 'sms.received', data: { text: 'not subscribed' } },
    ]);

    const summary = await deliverWebhooks(context, { sealer, allowPrivateTargets: true });
    expect(summary).toMatchObject({ queued: 1, attempted: 1, succeeded: 1 });
    expect(received).toHaveLength(1);
    const [delivery] = received;
    const headers = delivery!.headers as Record<string, string>;
    expect(headers['webhook-id']).toBe('evt-1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(context.clock.now() / 1000)));
    expect(headers['content-type']).toContain('application/cloudevents+json');
    expect(await verifyStandardWebhook(secret, headers, delivery!.body)).toBe(true);
    expect(await verifyStandardWebhook(secret, headers, `${delivery!.body} `)).toBe(false);
    expect(JSON.parse(delivery!.body)).toEqual({
      specversion: '1.0',
      id: 'evt-1',
      type: 'simdock.card.status_changed',
      source: '/simdock/accounts/east',
      subject: '898602B2221340000001',
      time: new Date(context.clock.now()).toISOString(),
      datacontenttype: 'application/json',
      data: { status: 'suspended', previous: 'active' },
    });
    // A second pass finds nothing new to send.
    expect(await deliverWebhooks(context, { sealer, allowPrivateTargets: true })).toMatchObject({
      queued: 0,
      attempted: 0,
    });
  });

  it('retries with exponential backoff for 24 hours, logging every attempt', async () => {
    const { context, sealer } = await webhookFixture(test.current);
    const clock = test.current.clock;
    await createWebhookEndpoint(
      context,
      { tenantId: 'root', url: 'https://hooks.example.com/in' },
      { sealer, resolve: async () => ['93.184.216.34'] },
    );
    await new EventOutbox(test.current.store, () => clock.now()).emit([
      { type: 'job.completed', subject: 'job-7', data: { id: 'job-7' } },
    ]);
    const sender = recordingSender([500, 503]);
    const start = clock.now();
    expect(await deliverWebhooks(context, { sealer, sender })).toMatchObject({ retrying: 1 });
    // Not due yet: nothing is sent before the backoff passes.
    clock.advance(webhookRetryDelay(1) - 1);
    expect(await deliverWebhooks(context, { sealer, sender })).toMatchObject({ attempted: 0 });
    clock.advance(1);
    expect(await deliverWebhooks(context, { sealer, sender })).toMatchObject({ retrying: 1 });
    clock.advance(webhookRetryDelay(2));
    expect(await deliverWebhooks(context, { sealer, sender })).toMatchObject({ succeeded: 1 });
    expect(sender.requests.map((request) => request.headers['webhook-id'])).toEqual(
      Array(3).fill(sender.requests[0]!.headers['webhook-id']),
    );
    // Each attempt carries its own timestamp and a signature over it.
    expect(
      new Set(sender.requests.map((request) => request.headers['webhook-timestamp'])).size,
    ).toBe(3);

    const repository = new WebhooksRepository(test.current.store, sealer);
    const [delivery] = await repository.listDeliveries(null);
    expect(delivery).toMatchObject({ state: 'succeeded', attempts: 3, lastStatus: 200 });
    const attempts = await repository.attempts(delivery!.id);
    expect(
      attempts.map((attempt) => [attempt.at - start, attempt.statusCode, attempt.error]),
    ).toEqual([
      [0, 500, 'HTTP 500'],
      [30_000, 503, 'HTTP 503'],
      [90_000, 200, null],
    ]);
    expect(attempts[0]!.responseExcerpt).toBe('receiver is down');
  });

  it('gives a delivery up after 24 hours of failures, with a last attempt at the end', async () => {
    const { context, sealer } = await webhookFixture(test.current);
    const clock = test.current.clock;
    await createWebhookEndpoint(
      context,
      { tenantId: 'root', url: 'https://hooks.example.com/in' },
      { sealer, resolve: async () => ['93.184.216.34'] },
    );
    await new EventOutbox(test.current.store, () => clock.now()).emit([
      { type: 'sync.failed', data: { account: 'east' } },
    ]);
    const start = clock.now();
    const sender: WebhookSender = async () => ({ ok: false, status: null, error: 'ECONNREFUSED' });
    const repository = new WebhooksRepository(test.current.store, sealer);
    for (let pass = 0; pass < 40; pass += 1) {
      await deliverWebhooks(context, { sealer, sender });
      const [delivery] = await repository.listDeliveries(null);
      if (delivery!.state !== 'pending') break;
      clock.set(delivery!.nextAttemptAt!);
    }
    const [delivery] = await repository.listDeliveries(null);
    expect(delivery).toMatchObject({
      state: 'failed',
      lastError: 'ECONNREFUSED',
      nextAttemptAt: null,
    });
    const attempts = await repository.attempts(delivery!.id);
    const gaps = attempts.slice(1).map((attempt, index) => attempt.at - attempts[index]!.at);
    expect(gaps.slice(0, 4)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(attempts.at(-1)!.at - start).toBe(WEBHOOK_RETRY_WINDOW_MS);
    expect(attempts.length).toBeGreaterThan(10);
  });

  it('redelivers by hand, within the caller tenant only', async () => {
    const { context, cards, sealer } = await webhookFixture(test.current);
    const clock = test.current.clock;
    const { endpoint } = await createWebhookEndpoint(
      context,
      { tenantId: 'acme', url: 'https://hooks.acme.example/in' },
      { sealer, resolve: async () => ['93.184.216.34'] },
    );
    await new EventOutbox(test.current.store, () => clock.now()).emit([
      { type: 'card.status_changed', cardId: cards.acme, data: { status: 'active' } },
      { type: 'card.status_changed', cardId: cards.globex, data: { status: 'active' } },
      { type: 'card.status_changed', cardId: cards.unassigned, data: { status: 'active' } },
      { type: 'sync.failed', data: { account: 'east' } },
    ]);
    const sender = recordingSender([200, 200]);
    // Acme sees its own card's event only.
    expect(await deliverWebhooks(context, { sealer, sender })).toMatchObject({
      queued: 1,
      succeeded: 1,
    });
    const repository = new WebhooksRepository(test.current.store, sealer);
    const [delivery] = await repository.listDeliveries(['acme']);
    expect(delivery).toMatchObject({ endpointId: endpoint.id, state: 'succeeded' });
    expect(await repository.listDeliveries(['globex'])).toEqual([]);

    await expect(
      redeliverWebhook(context, delivery!.id, ['globex'], { sealer, sender }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    clock.advance(5_000);
    const again = await redeliverWebhook(context, delivery!.id, ['acme'], { sealer, sender });
    expect(again.attempt).toMatchObject({ manual: true, statusCode: 200 });
    expect(again.delivery).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(sender.requests).toHaveLength(2);
    expect(sender.requests[1]!.headers['webhook-id']).toBe(
      sender.requests[0]!.headers['webhook-id'],
    );
  });
});
