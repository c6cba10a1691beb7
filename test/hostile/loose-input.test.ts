import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiHarness } from '../api-harness.js';

/** Issue 17, bug 5: loose ids, validation before authentication, control characters in names. */
describe('loose input', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false } });
  });
  afterEach(() => api.close());

  it('reads path ids as strict decimal integers: 1e3, 0x10, 01, +1, " 1" are 400', async () => {
    const id = api.cards.root[0]!;
    expect((await api.json('GET', `/api/v1/cards/${id}`)).status).toBe(200);
    for (const loose of [
      `${id}e0`,
      '1e3',
      '0x10',
      `0${id}`,
      `+${id}`,
      `%20${id}`,
      `${id}.0`,
      '-1',
      '0',
      '9007199254740993',
    ]) {
      const answer = await api.json('GET', `/api/v1/cards/${loose}`);
      expect(answer.status, loose).toBe(400);
      expect(answer.body.error.code).toBe('invalid_argument');
    }
    for (const [method, path] of [
      ['GET', '/api/v1/plans/0x1'],
      ['POST', '/api/v1/keys/1e0/revoke'],
      ['DELETE', '/api/v1/rules/1.0'],
    ] as const) {
      expect((await api.json(method, path)).status, path).toBe(400);
    }
  });

  it('answers 401 before any 400 to a request without credentials', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/v1/cards/1e3', undefined],
      ['GET', '/api/v1/cards?limit=abc', undefined],
      ['POST', '/api/v1/users', { email: 1 }],
      ['POST', '/api/v1/tenants', { id: 'Bad Id' }],
      ['DELETE', '/api/v1/plans/x', undefined],
    ] as const) {
      const answer = await api.json(method, path, { key: null, body });
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(answer.body.error.code).toBe('unauthenticated');
      expect(answer.body.error.details).toEqual({});
    }
    // Signing in needs no credentials: its own validation still answers.
    const login = await api.json('POST', '/api/v1/auth/login', { key: null, body: { email: 1 } });
    expect(login.status).toBe(400);
  });

  it('refuses NUL and control characters in tenant, plan, key and rule names', async () => {
    for (const name of ['Ac\u0000me', 'Acme\u001b[31m', 'line\nbreak', 'del\u007f', 'c1\u0085']) {
      const tenant = await api.json('POST', '/api/v1/tenants', {
        body: { id: 'initech', name, kind: 'customer' },
      });
      expect(tenant.status, JSON.stringify(name)).toBe(400);
      const plan = await api.json('POST', '/api/v1/plans', {
        body: { name, quotaBytes: null },
      });
      expect(plan.status, JSON.stringify(name)).toBe(400);
      const key = await api.json('POST', '/api/v1/keys', { body: { name, role: 'viewer' } });
      expect(key.status, JSON.stringify(name)).toBe(400);
    }
    expect((await api.json('GET', '/api/v1/tenants/initech')).status).toBe(404);
    const ok = await api.json('POST', '/api/v1/tenants', {
      body: { id: 'initech', name: 'Initech 中文 🙂', kind: 'customer' },
    });
    expect(ok.status).toBe(201);
  });

  it('the tenants repository refuses control characters too (the CLI path)', async () => {
    const { TenantsRepository } = await import(
      '../../src/store/repositories/tenants-repository.js'
    );
    const tenants = new TenantsRepository(api.store, () => api.clock.now());
    await expect(
      tenants.create({ id: 'nul', parentId: 'root', name: 'a\u0000b', kind: 'customer' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
