import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeRobot,
  startFakeRobot,
} from '../src/services/notifications/notifications-robots.test-support.js';
import { SecretBox } from '../src/store/secret-box.js';
import { setStoreSecretSealer } from '../src/store/secret-sealer.js';
import { ApiHarness } from './api-harness.js';

const sealer = new SecretBox(async () => ({ key: Buffer.alloc(32, 9), origin: 'test' }));
let api: ApiHarness | undefined;
let robot: FakeRobot | undefined;

afterEach(async () => {
  await robot?.close();
  robot = undefined;
  await api?.close();
  api = undefined;
});

describe('notifications API', () => {
  it('creates a signed robot channel with secrets masked, sends a test, shows the delivery log', async () => {
    api = await ApiHarness.open({ api: { allowPrivateWebhookTargets: true, rateLimit: false } });
    setStoreSecretSealer(api.store, sealer);
    const harness = api;
    robot = await startFakeRobot({
      type: 'dingtalk',
      token: 'acme-dingtalk-token-5f3a9c',
      secret: 'SECacme-signing-7d1e',
      now: () => harness.clock.now(),
    });
    const created = await api.json('POST', '/api/v1/notifications/channels', {
      key: 'acmeAdmin',
      body: {
        name: 'Acme ops',
        type: 'dingtalk',
        locale: 'en',
        secrets: { webhookUrl: robot.url, secret: 'SECacme-signing-7d1e' },
        minSeverity: 'warning',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ tenant: 'acme', type: 'dingtalk', perMinute: 20 });
    const text = JSON.stringify(created.body);
    expect(text).not.toContain('acme-dingtalk-token-5f3a9c');
    expect(text).not.toContain('SECacme-signing-7d1e');
    expect(created.body.secrets).toEqual({
      webhookUrl: expect.stringContaining('••••3a9c'),
      secret: '••••',
    });
    const id = created.body.id as number;

    expect(
      (await api.json('GET', `/api/v1/notifications/channels/${id}`, { key: 'globexAdmin' }))
        .status,
    ).toBe(404);
    expect(
      (await api.json('GET', '/api/v1/notifications/channels', { key: 'acmeViewer' })).status,
    ).toBe(403);
    const listed = await api.json('GET', '/api/v1/notifications/channels', { key: 'owner' });
    expect(listed.body.channels).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain('SECacme-signing-7d1e');

    const tested = await api.json('POST', `/api/v1/notifications/channels/${id}/test`, {
      key: 'acmeAdmin',
    });
    expect(tested.status).toBe(200);
    expect(tested.body.message).toMatchObject({ state: 'succeeded', kind: 'test', lastCode: '0' });
    expect(robot.received).toHaveLength(1);

    // A new secret (wrong on purpose): the robot's refusal is in the log.
    const patched = await api.json('PATCH', `/api/v1/notifications/channels/${id}`, {
      key: 'acmeAdmin',
      body: { secrets: { secret: 'SECother' } },
    });
    expect(patched.status).toBe(200);
    const refused = await api.json('POST', `/api/v1/notifications/channels/${id}/test`, {
      key: 'acmeAdmin',
    });
    expect(refused.body.message).toMatchObject({ state: 'pending', lastCode: '310000' });
    const log = await api.json('GET', `/api/v1/notifications/messages?channel=${id}`, {
      key: 'acmeAdmin',
    });
    expect(log.body.messages.map((message: { lastCode: string }) => message.lastCode)).toEqual([
      '310000',
      '0',
    ]);
    const one = await api.json('GET', `/api/v1/notifications/messages/${refused.body.message.id}`, {
      key: 'acmeAdmin',
    });
    expect(one.body.attempts[0]).toMatchObject({
      statusCode: 200,
      answerCode: '310000',
      answer: 'sign not match',
    });
    expect(
      (await api.json('GET', '/api/v1/notifications/messages', { key: 'globexAdmin' })).body
        .messages,
    ).toEqual([]);

    const bad = await api.json('POST', '/api/v1/notifications/channels', {
      key: 'acmeAdmin',
      body: { name: 'x', type: 'pager', secrets: {} },
    });
    expect(bad.status).toBe(400);
    const deleted = await api.json('DELETE', `/api/v1/notifications/channels/${id}`, {
      key: 'acmeAdmin',
    });
    expect(deleted.body).toEqual({ deleted: true });
  });
});
