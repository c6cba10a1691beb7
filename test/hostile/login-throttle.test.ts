import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../../src/api/app.js';
import { ApiHarness } from '../api-harness.js';

const EMAIL = 'admin@acme.test';
const PASSWORD = 'correct horse battery';

/** Issue 17, bug 4: failed logins per account and per address, growing delays, 429, audited. */
describe('login throttling', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open({ api: { rateLimit: false } });
  });
  afterEach(() => api.close());

  /** A login from `address` through `app` (default the harness's). */
  async function login(password: string, address = '198.51.100.7', app = api.app, email = EMAIL) {
    const response = await app.request(
      '/api/v1/auth/login',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      },
      { incoming: { socket: { remoteAddress: address } } },
    );
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
    const body = (await response.json()) as any;
    return { status: response.status, body, retryAfter: response.headers.get('retry-after') };
  }

  it('blocks an account after 5 failures with growing delays: 429 with Retry-After, audited', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await login('wrong password')).status).toBe(401);
    }
    // The sixth failure is counted and blocks for 1 s.
    expect((await login('wrong password')).status).toBe(401);
    const blocked = await login(PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(blocked.retryAfter).toBe('1');
    // After the delay the next failure blocks for twice as long.
    api.clock.advance(1_000);
    expect((await login('wrong password')).status).toBe(401);
    expect((await login('wrong password')).retryAfter).toBe('2');
    api.clock.advance(2_000);
    expect((await login('wrong password')).status).toBe(401);
    expect((await login('wrong password')).retryAfter).toBe('4');
    // Another address is refused as well: the account is what is blocked.
    expect((await login(PASSWORD, '203.0.113.9')).status).toBe(429);

    const audit = await api.store.audit.list({ targetId: EMAIL });
    expect(audit.filter((entry) => entry.action === 'auth.login')).toHaveLength(8);
    const throttled = audit.filter((entry) => entry.action === 'auth.login_throttled');
    expect(throttled.length).toBe(4);
    expect(throttled[0]!.actor).toMatch(/^address:/);

    // Once the delay is over the right password signs in and clears the account's count.
    api.clock.advance(4_000);
    expect((await login(PASSWORD)).status).toBe(200);
    expect((await login('wrong password')).status).toBe(401);
    expect((await login(PASSWORD)).status).toBe(200);
  });

  it('blocks an address trying many accounts after 20 failures', async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const answer = await login('wrong', '192.0.2.1', api.app, `user${attempt}@acme.test`);
      expect(answer.status).toBe(401);
    }
    expect((await login('wrong', '192.0.2.1', api.app, 'other@acme.test')).status).toBe(401);
    const blocked = await login(PASSWORD, '192.0.2.1');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.details.by).toBe('address');
    // Another address still signs in.
    expect((await login(PASSWORD, '192.0.2.2')).status).toBe(200);
  });

  it('holds across servers sharing the database', async () => {
    const second = createApiApp({ context: api.context, options: { rateLimit: false } });
    for (let attempt = 0; attempt < 6; attempt++) {
      const app = attempt % 2 === 0 ? api.app : second;
      expect((await login('wrong password', '198.51.100.7', app)).status).toBe(401);
    }
    expect((await login(PASSWORD, '198.51.100.8', second)).status).toBe(429);
    expect((await login(PASSWORD, '198.51.100.8', api.app)).status).toBe(429);
    const rows = await api.store.db.selectFrom('throttles').selectAll().execute();
    expect(rows.find((row) => row.scope === 'login-account')?.failures).toBe(6);
  });

  it('forgets a quiet account after the window', async () => {
    for (let attempt = 0; attempt < 5; attempt++) await login('wrong password');
    api.clock.advance(15 * 60_000);
    expect((await login('wrong password')).status).toBe(401);
    expect((await login(PASSWORD)).status).toBe(200);
  });
});
