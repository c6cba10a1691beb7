import { afterEach, describe, expect, it } from 'vitest';
import { CliSandbox } from './cli-harness.js';

let sandbox: CliSandbox | undefined;
afterEach(() => {
  sandbox?.remove();
  sandbox = undefined;
});

describe('simdock webhooks and agent-apps', () => {
  it('creates, lists and shows deliveries of endpoints; creates agent apps', async () => {
    sandbox = new CliSandbox();
    sandbox.write('simdock.yaml', 'database: sqlite:./simdock.db\naccounts: []\n');

    const refused = await sandbox.run('webhooks', 'create', 'http://127.0.0.1:9/hooks');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/private, loopback or link-local/);

    const created = await sandbox.json<{ endpoint: { id: number; url: string }; secret: string }>(
      'webhooks',
      'create',
      'http://127.0.0.1:9/hooks',
      '--allow-private',
      '--events',
      'simdock.card.status_changed,sms.received',
    );
    expect(created.secret).toMatch(/^whsec_/);
    const plain = await sandbox.run('webhooks', 'create', 'http://10.0.0.9/x', '--allow-private');
    expect(plain.stdout).toMatch(/signing secret \(shown once, Standard Webhooks\): whsec_/);

    const listed = await sandbox.json<{ endpoints: { id: number; eventTypes: string[] }[] }>(
      'webhooks',
      'list',
    );
    expect(listed.endpoints.map((endpoint) => endpoint.eventTypes)).toEqual([
      ['card.status_changed', 'sms.received'],
      [],
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(await sandbox.json('webhooks', 'deliveries')).toEqual({ deliveries: [] });
    expect((await sandbox.run('webhooks', 'deliveries', '--state', 'lost')).code).toBe(1);

    const app = await sandbox.json<{ appId: string; secret: string; tenant: string }>(
      'agent-apps',
      'create',
      '--tenant',
      'root',
    );
    expect(app).toMatchObject({ tenant: 'root' });
    expect(app.appId).toMatch(/^sd[0-9a-f]{16}$/);
    expect(app.secret).toMatch(/^[0-9a-f]{48}$/);
    expect((await sandbox.run('agent-apps', 'create', '--tenant', 'nobody')).code).toBe(1);
  });
});
