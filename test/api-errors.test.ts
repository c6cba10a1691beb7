import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/domain/index.js';
import { ApiHarness } from './api-harness.js';

function expectErrorShape(body: unknown, code: string) {
  const error = (body as { error: { code: string; message: string; details: unknown } }).error;
  expect(ERROR_CODES).toContain(error.code);
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe('string');
  expect(typeof error.details).toBe('object');
}

describe('API bad input', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open({ api: { bodyLimitBytes: 4096 } });
  });
  afterEach(() => api.close());

  it('answers an unknown route with not_found', async () => {
    const result = await api.json('GET', '/api/v1/nothing-here');
    expect(result.status).toBe(404);
    expectErrorShape(result.body, 'not_found');
    // Paths the console does not answer keep the API's 404 too (the console answers page paths).
    // A malformed escape in a console path is a 404 too, never a 500.
    for (const path of [
      '/docs/nothing.js',
      '/healthz/nothing',
      '/api/v2/cards',
      '/%FF',
      '/cards/%FF',
      '/assets/%FF.js',
    ]) {
      const outside = await api.json('GET', path);
      expect(outside.status, path).toBe(404);
      expectErrorShape(outside.body, 'not_found');
    }
  });

  it('answers wrong query types with field-level invalid_argument', async () => {
    const result = await api.json('GET', '/api/v1/cards?limit=abc&status=flying');
    expect(result.status).toBe(400);
    expectErrorShape(result.body, 'invalid_argument');
    const paths = result.body.error.details.fields.map((field: { path: string }) => field.path);
    expect(paths).toEqual(expect.arrayContaining(['limit', 'status']));
  });

  it('refuses unknown query parameters and unknown body fields', async () => {
    const query = await api.json('GET', '/api/v1/cards?colour=red');
    expect(query.status).toBe(400);
    expectErrorShape(query.body, 'invalid_argument');
    const body = await api.json('POST', `/api/v1/cards/${api.cards.root[0]}/tags`, {
      body: { add: ['x'], sneaky: true },
    });
    expect(body.status).toBe(400);
    expectErrorShape(body.body, 'invalid_argument');
    expect(JSON.stringify(body.body.error.details)).toContain('sneaky');
  });

  it('refuses malformed JSON and wrong body types without a 500', async () => {
    const malformed = await api.json('POST', `/api/v1/cards/${api.cards.root[0]}/tags`, {
      body: '{"add": [',
    });
    expect(malformed.status).toBe(400);
    expectErrorShape(malformed.body, 'invalid_argument');
    const wrongType = await api.json('POST', '/api/v1/cards/assign', {
      body: { cards: 'all', tenant: 5 },
    });
    expect(wrongType.status).toBe(400);
    expectErrorShape(wrongType.body, 'invalid_argument');
    const notAnObject = await api.json('POST', '/api/v1/tenants', { body: '[1,2,3]' });
    expect(notAnObject.status).toBe(400);
  });

  it('refuses an oversize body with 413 and keeps serving', async () => {
    const big = { add: ['x'.repeat(8000)] };
    const result = await api.json('POST', `/api/v1/cards/${api.cards.root[0]}/tags`, { body: big });
    expect(result.status).toBe(413);
    expectErrorShape(result.body, 'invalid_argument');
    const after = await api.json('GET', '/api/v1/cards?limit=1');
    expect(after.status).toBe(200);
  });

  it('refuses invalid identifiers and ids', async () => {
    const id = await api.json('GET', '/api/v1/cards/not-a-number');
    expect(id.status).toBe(400);
    expectErrorShape(id.body, 'invalid_argument');
    const tag = await api.json('POST', `/api/v1/cards/${api.cards.root[0]}/tags`, {
      body: { add: ['has space'] },
    });
    expect(tag.status).toBe(400);
    const cursor = await api.json('GET', '/api/v1/cards?cursor=garbage');
    expect(cursor.status).toBe(400);
    expectErrorShape(cursor.body, 'invalid_argument');
  });

  it('answers without credentials with unauthenticated, and a bad key too', async () => {
    const none = await api.json('GET', '/api/v1/cards', { key: null });
    expect(none.status).toBe(401);
    expectErrorShape(none.body, 'unauthenticated');
    const bad = await api.json('GET', '/api/v1/cards', { key: 'simdock_000000000000_nope' });
    expect(bad.status).toBe(401);
    expectErrorShape(bad.body, 'unauthenticated');
  });
});

describe('API rate limit per key', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open({ api: { rateLimit: { requestsPerMinute: 60, burst: 3 } } });
  });
  afterEach(() => api.close());

  it('sends RateLimit headers and answers 429 when the bucket is empty', async () => {
    const first = await api.request('GET', '/api/v1/auth/me');
    expect(first.headers.get('RateLimit-Limit')).toBe('3');
    expect(first.headers.get('RateLimit-Remaining')).toBe('2');
    await api.request('GET', '/api/v1/auth/me');
    await api.request('GET', '/api/v1/auth/me');
    const limited = await api.json('GET', '/api/v1/auth/me');
    expect(limited.status).toBe(429);
    expectErrorShape(limited.body, 'rate_limited');
    expect(limited.response.headers.get('Retry-After')).toBe('1');
    // Another key has its own bucket.
    expect((await api.request('GET', '/api/v1/auth/me', { key: 'acmeViewer' })).status).toBe(200);
    // A second refills one token (60 per minute).
    api.clock.advance(1000);
    expect((await api.request('GET', '/api/v1/auth/me')).status).toBe(200);
  });
});
