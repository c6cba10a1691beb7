import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiHarness } from './api-harness.js';

function cookiesOf(response: Response): { header: string; raw: string[] } {
  const raw = response.headers.getSetCookie();
  return { header: raw.map((cookie) => cookie.split(';')[0]).join('; '), raw };
}

describe('API sessions, CSRF and API keys', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open();
  });
  afterEach(() => api.close());

  it('signs in with an HTTP-only SameSite=Lax cookie and demands the CSRF header', async () => {
    const login = await api.json('POST', '/api/v1/auth/login', {
      key: null,
      body: { email: 'ADMIN@acme.test', password: 'correct horse battery' },
    });
    expect(login.status).toBe(200);
    expect(login.body.me).toMatchObject({ kind: 'user', role: 'admin', tenant: 'acme' });
    const cookies = cookiesOf(login.response);
    const session = cookies.raw.find((cookie) => cookie.startsWith('simdock_session='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);

    const me = await api.json('GET', '/api/v1/auth/me', {
      key: null,
      headers: { cookie: cookies.header },
    });
    expect(me.body).toMatchObject({ name: 'admin@acme.test', actor: 'user:admin@acme.test' });

    const card = api.cards.acme[0];
    const noCsrf = await api.json('POST', `/api/v1/cards/${card}/tags`, {
      key: null,
      headers: { cookie: cookies.header },
      body: { add: ['fleet-a'] },
    });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('permission_denied');
    const withCsrf = await api.json('POST', `/api/v1/cards/${card}/tags`, {
      key: null,
      headers: { cookie: cookies.header, 'x-csrf-token': login.body.csrfToken },
      body: { add: ['fleet-a'] },
    });
    expect(withCsrf.status).toBe(200);
    expect(withCsrf.body.tags).toEqual(['fleet-a']);

    const logout = await api.json('POST', '/api/v1/auth/logout', {
      key: null,
      headers: { cookie: cookies.header, 'x-csrf-token': login.body.csrfToken },
    });
    expect(logout.status).toBe(200);
    const after = await api.json('GET', '/api/v1/auth/me', {
      key: null,
      headers: { cookie: cookies.header },
    });
    expect(after.status).toBe(401);
  });

  it('refuses a wrong password like an unknown email', async () => {
    for (const body of [
      { email: 'admin@acme.test', password: 'wrong password' },
      { email: 'nobody@acme.test', password: 'correct horse battery' },
    ]) {
      const result = await api.json('POST', '/api/v1/auth/login', { key: null, body });
      expect(result.status).toBe(401);
      expect(result.body.error).toMatchObject({
        code: 'unauthenticated',
        message: 'wrong email or password',
      });
    }
  });

  it('creates a key shown once, lists it by prefix with its last use, and revokes it', async () => {
    const created = await api.json('POST', '/api/v1/keys', {
      key: 'acmeAdmin',
      body: { name: 'integration', role: 'operator' },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^simdock_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(created.body.key.startsWith(created.body.apiKey.prefix)).toBe(true);
    expect(created.body.apiKey).toMatchObject({
      tenant: 'acme',
      role: 'operator',
      lastUsedAt: null,
    });

    const use = await api.json('GET', '/api/v1/auth/me', { key: created.body.key });
    expect(use.body).toMatchObject({ kind: 'api_key', role: 'operator', tenant: 'acme' });

    const listed = await api.json('GET', '/api/v1/keys', { key: 'acmeAdmin' });
    const entry = listed.body.keys.find((key: { id: number }) => key.id === created.body.apiKey.id);
    expect(entry.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    // acme's admin sees acme's keys only, not globex's or the root's.
    expect(listed.body.keys.every((key: { tenant: string }) => key.tenant === 'acme')).toBe(true);

    const revoked = await api.json('POST', `/api/v1/keys/${created.body.apiKey.id}/revoke`, {
      key: 'acmeAdmin',
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await api.json('GET', '/api/v1/auth/me', { key: created.body.key })).status).toBe(401);
  });

  it('refuses to grant a role above the caller and to act below the needed role', async () => {
    const escalate = await api.json('POST', '/api/v1/keys', {
      key: 'acmeAdmin',
      body: { name: 'boss', role: 'owner' },
    });
    expect(escalate.status).toBe(403);
    const viewerWrite = await api.json('POST', `/api/v1/cards/${api.cards.acme[0]}/tags`, {
      key: 'acmeViewer',
      body: { add: ['x'] },
    });
    expect(viewerWrite.status).toBe(403);
    expect(viewerWrite.body.error.code).toBe('permission_denied');
    const operatorUsers = await api.json('GET', '/api/v1/users', { key: 'acmeOperator' });
    expect(operatorUsers.status).toBe(403);
  });

  it('creates users in the subtree and lists them', async () => {
    const created = await api.json('POST', '/api/v1/users', {
      key: 'acmeAdmin',
      body: {
        email: 'ops@acme.test',
        password: 'long enough pass',
        role: 'operator',
        tenant: 'acme-east',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      email: 'ops@acme.test',
      tenant: 'acme-east',
      role: 'operator',
    });
    const duplicate = await api.json('POST', '/api/v1/users', {
      key: 'acmeAdmin',
      body: { email: 'ops@acme.test', password: 'long enough pass', role: 'viewer' },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('already_exists');
    const outside = await api.json('POST', '/api/v1/users', {
      key: 'acmeAdmin',
      body: {
        email: 'spy@globex.test',
        password: 'long enough pass',
        role: 'viewer',
        tenant: 'globex',
      },
    });
    expect(outside.status).toBe(404);
    const list = await api.json('GET', '/api/v1/users', { key: 'acmeAdmin' });
    expect(list.body.users.map((user: { email: string }) => user.email).sort()).toEqual([
      'admin@acme.test',
      'ops@acme.test',
    ]);
    expect(JSON.stringify(list.body)).not.toContain('scrypt');
  });
});
