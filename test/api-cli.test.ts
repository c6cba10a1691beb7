import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandIo } from '../src/cli/io.js';
import { CliSandbox } from './cli-harness.js';

describe('CLI: users, keys, tenants and serve', () => {
  let sandbox: CliSandbox;
  beforeEach(() => {
    sandbox = new CliSandbox();
    sandbox.write('simdock.yaml', 'database: sqlite:./data/simdock.db\naccounts: []\n');
  });
  afterEach(() => sandbox.remove());

  it('creates tenants, a user and a key, then serves the API that accepts them', async () => {
    const tenant = await sandbox.json<{ id: string; path: string }>(
      'tenants',
      'create',
      'acme',
      '--name',
      'Acme',
      '--kind',
      'customer',
    );
    expect(tenant).toMatchObject({ id: 'acme', path: '/root/acme/' });
    const tenants = await sandbox.json<{ id: string }[]>('tenants', 'list');
    expect(tenants.map((item) => item.id)).toEqual(['root', 'acme']);
    const duplicate = await sandbox.run('tenants', 'create', 'acme');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already exists');

    const user = await sandbox.json<{ email: string; tenant: string }>(
      'users',
      'create',
      '--email',
      'ops@acme.test',
      '--password',
      'a long password',
      '--role',
      'admin',
      '--tenant',
      'acme',
    );
    expect(user).toMatchObject({ email: 'ops@acme.test', tenant: 'acme' });
    const badRole = await sandbox.run(
      'users',
      'create',
      '--email',
      'x@y.z',
      '--password',
      'a long password',
      '--role',
      'king',
    );
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('unknown role');

    const plain = await sandbox.run('keys', 'create', '--name', 'ci', '--role', 'viewer');
    expect(plain.code).toBe(0);
    const key = plain.stdout.trim();
    expect(key).toMatch(/^simdock_[0-9a-f]{12}_/);
    expect(plain.stderr).toContain('not shown again');

    // `serve` on a free port, stopped through its abort signal.
    const { run } = await import('../src/cli/commands/server/serve.js');
    const stop = new AbortController();
    let output = '';
    const io: CommandIo = {
      stdout: { write: (text: string) => (output += text) },
      stderr: { write: () => true },
      environment: { ...sandbox.environment, PORT: '0' },
      cwd: sandbox.directory,
    };
    let url = '';
    const listening = new Promise<void>((resolve) => {
      void run(
        {
          host: '127.0.0.1',
          abortSignal: stop.signal,
          onListening: (value) => {
            url = value;
            resolve();
          },
        },
        io,
      ).then((code) => expect(code).toBe(0));
    });
    await listening;
    try {
      const me = await fetch(`${url}/api/v1/auth/me`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(await me.json()).toMatchObject({ kind: 'api_key', role: 'viewer', tenant: 'root' });
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ops@acme.test', password: 'a long password' }),
      });
      expect(login.status).toBe(200);
      const docs = await fetch(`${url}/docs`);
      expect(docs.status).toBe(200);
      expect(output).toContain('/api/v1');
    } finally {
      stop.abort();
    }
  });

  it('refuses a PORT that is not a port', async () => {
    const { resolvePort } = await import('../src/cli/commands/server/serve.js');
    const io = { environment: { PORT: 'eighty' } } as unknown as CommandIo;
    expect(() => resolvePort(undefined, io)).toThrow(/PORT must be a port number/);
    expect(resolvePort(9000, io)).toBe(9000);
    expect(resolvePort(undefined, { environment: {} } as unknown as CommandIo)).toBe(8080);
  });
});
