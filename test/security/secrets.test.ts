import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '../../src/api/app.js';
import { ManualClock } from '../../src/domain/index.js';
import { ApiKeysRepository } from '../../src/services/access/access-keys.js';
import { UsersRepository } from '../../src/services/access/access-users.js';
import { createServiceContext, saveAccounts } from '../../src/services/context.js';
import {
  findDevice,
  sendDeviceCommand,
  syncDevices,
} from '../../src/services/devices/devices-service.js';
import { importCards } from '../../src/services/inventory/card-import.js';
import { createLogger, SimdockMetrics } from '../../src/services/observability/index.js';
import { syncAccount } from '../../src/services/sync/sync.js';
import { openStore, type Store } from '../../src/store/index.js';
import { AgentAppsRepository } from '../../src/store/repositories/agent-apps-repository.js';
import { TenantsRepository } from '../../src/store/repositories/tenants-repository.js';
import { createAgentSimulator } from '../../src/suppliers/agent/index.js';
import { createSupplierCatalog } from '../../src/suppliers/catalog.js';
import { createOnelinkV2Simulator } from '../../src/suppliers/onelink-v2/index.js';
import { appFetch } from '../../src/suppliers/spec/simulator-kit.js';
import { CliSandbox, serveOnLoopback } from '../cli-harness.js';

/** Every secret configured in these flows, by what it is. */
const SECRET_KEY = randomBytes(32);
const SECRETS: Record<string, string> = {
  'secret key (base64)': SECRET_KEY.toString('base64'),
  'secret key (hex)': SECRET_KEY.toString('hex'),
  'OneLink v2 password': 'onelink-Pw-9f2c71',
  'agent supplier secret': 'agent-Secret-4be10d',
  'second account password': 'posted-Pw-0c9e55',
  'user password': 'user-Passw0rd-8d1f',
  'guessed password': 'guess-Passw0rd-77aa',
  'Wi-Fi password': 'wifi-Pw-31c4e9',
  'Quectel callback token': 'quectel-Token-5a7b2e',
  'DingTalk robot token': 'dingtalk-Token-6e0f1a2b',
  'DingTalk signing secret': 'SECdingtalk-Sign-13c7',
  'SMTP password': 'smtp-Pw-2f8e4d',
};

/**
 * Captures everything simdock writes: process stdout/stderr and every console method. The
 * `shownOnce` answers (a new key, a new webhook secret) are the documented exceptions.
 */
class Capture {
  readonly chunks: string[] = [];
  #restore: (() => void)[] = [];

  start(): void {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        this.chunks.push(String(chunk));
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      this.#restore.push(() => {
        stream.write = original as typeof stream.write;
      });
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const original = console[method];
      console[method] = (...parts: unknown[]) => {
        this.chunks.push(
          parts
            .map((part) =>
              part instanceof Error
                ? `${part.message} ${part.stack}`
                : typeof part === 'string'
                  ? part
                  : JSON.stringify(part),
            )
            .join(' '),
        );
      };
      this.#restore.push(() => {
        console[method] = original;
      });
    }
  }

  stop(): void {
    for (const restore of this.#restore.splice(0)) restore();
  }

  add(text: string): void {
    this.chunks.push(text);
  }
}

function expectNoSecret(text: string, where: string, secrets: Record<string, string> = SECRETS) {
  for (const [name, secret] of Object.entries(secrets)) {
    expect(text.includes(secret), `${name} appears in ${where}`).toBe(false);
  }
}

describe('secrets never appear in logs, API answers or error messages', () => {
  const capture = new Capture();
  let store: Store;
  let app: ReturnType<typeof createApiApp>;
  let owner: string;
  let viewer: string;
  const onelink = createOnelinkV2Simulator({
    appid: 'sec-app',
    password: SECRETS['OneLink v2 password']!,
    ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
    size: 8,
    clock: new ManualClock(Date.UTC(2026, 10, 26, 4)),
  });
  const clock = new ManualClock(Date.UTC(2026, 10, 26, 4), { autoAdvance: true });
  const agent = createAgentSimulator({
    appId: 'sec-agent',
    secret: SECRETS['agent supplier secret']!,
    size: 6,
    devices: 2,
    clock,
  });
  /** Answers that may show a secret once, by design: checked apart. */
  const answers: { where: string; text: string }[] = [];

  async function call(method: string, path: string, key: string | null, body?: unknown) {
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await app.request(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const headerText = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
    answers.push({
      where: `${method} ${path} → ${response.status}`,
      text: `${headerText}\n${text}`,
    });
    return { status: response.status, text, json: text ? JSON.parse(text) : null };
  }

  beforeAll(async () => {
    capture.start();
    store = await openStore({ url: 'sqlite::memory:', clock, secretKey: SECRET_KEY });
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      const host = new URL(request.url).host;
      return host === 'agent.test' ? agent.fetch(request) : appFetch(onelink.app)(request);
    }) as typeof globalThis.fetch;
    const catalog = createSupplierCatalog();
    // Every log line at the most talkative level, and the metrics, go through the capture too.
    const telemetry = {
      logger: createLogger({
        level: 'trace',
        format: 'json',
        destination: { write: (line: string) => capture.add(line) },
      }),
      metrics: new SimdockMetrics({ store, clock, processMetrics: false }),
    };
    const context = createServiceContext({
      store,
      catalog,
      clock,
      fetch,
      timeoutMs: 200,
      telemetry,
    });
    await saveAccounts(store, catalog, [
      {
        id: 'onelink-1',
        type: 'onelink-v2',
        name: null,
        rateLimit: 0,
        settings: {
          baseUrl: 'http://onelink.test/v2',
          appid: 'sec-app',
          password: SECRETS['OneLink v2 password'],
          ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
        },
      },
      {
        id: 'agent-1',
        type: 'agent',
        name: null,
        rateLimit: 0,
        settings: {
          baseUrl: 'http://agent.test',
          appId: 'sec-agent',
          secret: SECRETS['agent supplier secret'],
        },
      },
      {
        id: 'quectel-1',
        type: 'quectel',
        name: null,
        rateLimit: 0,
        settings: {
          appKey: 'q',
          secret: 'quectel-secret-x',
          callbackToken: SECRETS['Quectel callback token'],
        },
      },
    ]);
    SECRETS['Quectel supplier secret'] = 'quectel-secret-x';
    const iccids = Array.from({ length: 8 }, (_, index) => onelink.fleet.card(index).iccid);
    await importCards(context, 'onelink-1', iccids.join('\n'), 'test');
    const agentIccids = Array.from(
      { length: 4 },
      (_, index) => agent.fleet.cards.card(index).iccid,
    );
    await importCards(context, 'agent-1', agentIccids.join('\n'), 'test');
    const now = () => clock.now();
    await new TenantsRepository(store, now).root();
    owner = (
      await new ApiKeysRepository(store, now).create({
        name: 'owner',
        role: 'owner',
        tenantId: 'root',
      })
    ).key;
    viewer = (
      await new ApiKeysRepository(store, now).create({
        name: 'viewer',
        role: 'viewer',
        tenantId: 'root',
      })
    ).key;
    await new UsersRepository(store, now).create({
      email: 'ops@example.test',
      password: SECRETS['user password']!,
      role: 'admin',
      tenantId: 'root',
    });
    const agentApp = await new AgentAppsRepository(store).create({
      tenantId: 'root',
      now: clock.now(),
    });
    SECRETS['agent open API app secret'] = agentApp.secret;
    app = createApiApp({
      context,
      options: { rateLimit: false, allowPrivateWebhookTargets: true },
    });

    // Service flows: a sync through supplier faults, devices, a Wi-Fi password change.
    onelink.faults.set({ serverErrorRate: 0.3, malformedRate: 0.2, partialFailureRate: 0.2 });
    await syncAccount(context, 'onelink-1').catch((error: Error) =>
      capture.add(`${error.message} ${error.stack}`),
    );
    onelink.faults.set({});
    await syncDevices(context, 'agent-1');
    const [device] = await store.db
      .withTables<{ devices: { device_no: string } }>()
      .selectFrom('devices')
      .select('device_no')
      .execute();
    const deviceNo = device!.device_no;
    await sendDeviceCommand(
      context,
      deviceNo,
      { type: 'wifi-credentials', password: SECRETS['Wi-Fi password']! },
      'test',
    );
    // The new password is stored (encrypted) and shown only when revealed.
    const stored = await findDevice(context, deviceNo);
    expect(stored?.device.wifi.some((wifi) => wifi.password === SECRETS['Wi-Fi password'])).toBe(
      true,
    );

    // API flows, as the operator and as a viewer.
    for (const path of [
      '/api/v1/accounts',
      '/api/v1/accounts/onelink-1',
      '/api/v1/accounts/agent-1',
      '/api/v1/accounts/quectel-1',
      '/api/v1/sync-runs',
      '/api/v1/cards?limit=50',
      '/api/v1/users',
      '/api/v1/keys',
      '/api/v1/devices',
      '/api/v1/audit?limit=200',
    ]) {
      await call('GET', path, owner);
      await call('GET', path, viewer);
    }
    await call('POST', '/api/v1/accounts', owner, {
      id: 'posted-1',
      type: 'onelink-v2',
      settings: {
        baseUrl: 'http://onelink.test/v2',
        appid: 'other',
        password: SECRETS['second account password'],
        ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
      },
    });
    await call('POST', '/api/v1/accounts', owner, {
      id: 'posted-2',
      type: 'onelink-v2',
      settings: { baseUrl: 'http://onelink.test/v2', password: SECRETS['second account password'] },
    });
    await call('POST', '/api/v1/accounts/posted-1/test', owner);
    await call('POST', '/api/v1/accounts/onelink-1/test', owner);
    onelink.faults.set({ serverErrorRate: 1 });
    await call('POST', '/api/v1/sync-runs', owner, { account: 'onelink-1' });
    await call('POST', '/api/v1/accounts/onelink-1/test', owner);
    onelink.faults.set({});
    await call('POST', '/api/v1/sync-runs', owner, { account: 'onelink-1' });
    // Notification channels: a signed robot and an SMTP login, a test send that fails to connect,
    // the channel list and the delivery log.
    await call('POST', '/api/v1/notifications/channels', owner, {
      name: 'ops',
      type: 'dingtalk',
      secrets: {
        webhookUrl: `http://127.0.0.1:9/robot/send?access_token=${SECRETS['DingTalk robot token']}`,
        secret: SECRETS['DingTalk signing secret'],
      },
    });
    await call('POST', '/api/v1/notifications/channels', owner, {
      name: 'mail',
      type: 'email',
      settings: { host: '127.0.0.1', port: 9, from: 'a@example.test', to: ['b@example.test'] },
      secrets: { user: 'alerts', password: SECRETS['SMTP password'] },
    });
    await call('POST', '/api/v1/notifications/channels/1/test', owner);
    await call('POST', '/api/v1/notifications/channels/2/test', owner);
    await call('GET', '/api/v1/notifications/channels', owner);
    await call('GET', '/api/v1/notifications/messages', owner);
    await call('GET', '/api/v1/notifications/channels', viewer);
    expect(
      answers
        .filter((answer) => answer.where.startsWith('POST /api/v1/notifications/channels'))
        .map((answer) => answer.where),
    ).toEqual([
      'POST /api/v1/notifications/channels → 201',
      'POST /api/v1/notifications/channels → 201',
      'POST /api/v1/notifications/channels/1/test → 200',
      'POST /api/v1/notifications/channels/2/test → 200',
    ]);
    // Failed and successful logins, and a wrong password on an unknown user.
    await call('POST', '/api/v1/auth/login', null, {
      email: 'ops@example.test',
      password: SECRETS['guessed password'],
    });
    await call('POST', '/api/v1/auth/login', null, {
      email: 'nobody@example.test',
      password: SECRETS['guessed password'],
    });
    const login = await app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.test', password: SECRETS['user password'] }),
    });
    answers.push({ where: 'login', text: await login.text() });
    // Shown once: a new key and a new webhook secret; afterwards never again.
    const key = await app.request('/api/v1/keys', {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci', role: 'viewer' }),
    });
    const keyText = await key.text();
    SECRETS['API key created through the API'] = (JSON.parse(keyText) as { key: string }).key;
    // Control: the detector finds a secret where it is shown on purpose.
    expect(keyText.includes(SECRETS['API key created through the API']!)).toBe(true);
    const webhook = await app.request('/api/v1/webhooks', {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/hook', eventTypes: ['card.status_changed'] }),
    });
    expect(webhook.status).toBe(201);
    const created = (await webhook.json()) as { secret: string; endpoint: { id: number } };
    SECRETS['webhook secret'] = created.secret;
    const webhookId = created.endpoint.id;
    for (const path of [
      '/api/v1/webhooks',
      `/api/v1/webhooks/${webhookId}`,
      '/api/v1/keys',
      `/api/v1/devices`,
      '/api/v1/audit?limit=500',
      '/api/v1/accounts',
    ]) {
      await call('GET', path, owner);
    }
    // Errors that name things: an unknown account, a bad setting, a wrong key.
    await call('GET', '/api/v1/accounts/nope', owner);
    await call('GET', '/api/v1/cards', `${owner}x`);
    await call('GET', '/api/v1/cards', SECRETS['guessed password']!);
    // Callbacks refused for a wrong token, and accepted with the right one.
    await app.request(`/callbacks/quectel-1/quectel/sms?token=${SECRETS['guessed password']}`, {
      method: 'POST',
      body: '{}',
    });
    await app.request(
      `/callbacks/quectel-1/quectel/sms?token=${SECRETS['Quectel callback token']}`,
      { method: 'POST', body: '{"type":"inbox"}' },
    );
  });
  afterAll(async () => {
    capture.stop();
    await store?.close();
  });

  it('keeps them out of every API answer (headers and bodies)', () => {
    expect(answers.length).toBeGreaterThan(30);
    for (const answer of answers) expectNoSecret(answer.text, answer.where);
  });

  it('keeps them out of the structured logs and the metrics', async () => {
    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    const metrics = { text: await response.text() };
    capture.add(metrics.text);
    expect(metrics.text).toContain('simdock_supplier_calls_total{account="onelink-1"');
    const lines = capture.chunks.filter((chunk) => chunk.startsWith('{"level":'));
    // The flows above logged requests (with their ids) and supplier failures.
    expect(lines.some((line) => line.includes('"msg":"request"'))).toBe(true);
    expect(lines.some((line) => line.includes('"requestId":'))).toBe(true);
    expectNoSecret(lines.join('\n'), 'the log lines');
    expectNoSecret(metrics.text, 'the metrics');
  });

  it('keeps them out of everything written to stdout, stderr and the console', () => {
    expectNoSecret(capture.chunks.join('\n'), 'the captured output');
  });

  it('keeps them out of the audit trail and the stored notices', async () => {
    const rows = await store.db
      .withTables<{
        audit_log: Record<string, unknown>;
        supplier_notices: Record<string, unknown>;
      }>()
      .selectFrom('audit_log')
      .selectAll()
      .execute();
    expectNoSecret(JSON.stringify(rows), 'the audit log');
  });

  it('stores supplier secrets, device passwords and webhook secrets encrypted', async () => {
    const tables = await store.db.introspection.getTables();
    for (const table of tables) {
      if (['api_keys', 'sessions'].includes(table.name)) continue;
      const rows = await store.db
        .withTables<Record<string, Record<string, unknown>>>()
        .selectFrom(table.name)
        .selectAll()
        .execute();
      const { 'guessed password': _guess, ...stored } = SECRETS;
      expectNoSecret(
        JSON.stringify(rows, (_key, value) =>
          value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value,
        ),
        `table ${table.name}`,
        stored,
      );
    }
  });
});

describe('the CLI never prints configured secrets', () => {
  const sandbox = new CliSandbox();
  const password = 'cli-onelink-Pw-61d0aa';
  const simulator = createOnelinkV2Simulator({
    appid: 'cli-app',
    password,
    ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
    size: 5,
  });
  let close: () => Promise<void>;
  beforeAll(async () => {
    const served = await serveOnLoopback(simulator.app);
    close = served.close;
    sandbox.environment.ONELINK_PASSWORD = password;
    sandbox.write(
      'simdock.yaml',
      `database: sqlite:./data/cli.db
accounts:
  - id: onelink-cli
    type: onelink-v2
    baseUrl: ${served.origin}/v2
    appid: cli-app
    password: \${ONELINK_PASSWORD}
    ebids: { batchquerycardinfo: "1", batchgprsusedbydate: "2" }
`,
    );
    sandbox.write(
      'cards.txt',
      Array.from({ length: 5 }, (_, index) => simulator.fleet.card(index).iccid).join('\n'),
    );
  });
  afterAll(async () => {
    await close();
    sandbox.remove();
  });

  it('prints neither supplier passwords nor the secret key, whatever the command', async () => {
    const secrets = {
      'OneLink password': password,
      'wrong OneLink password': 'cli-wrong-Pw-0f0f',
      'user password': 'cli-user-Pw-22',
      'secret key': sandbox.environment.SIMDOCK_SECRET_KEY!,
    };
    const outputs: string[] = [];
    const commands = [
      ['cards', 'import', 'cards.txt', '--account', 'onelink-cli'],
      ['accounts', 'list'],
      ['accounts', 'list', '--json'],
      ['sync', '--account', 'onelink-cli'],
      ['cards', 'list', '--json'],
      [
        'users',
        'create',
        '--email',
        'ops@example.test',
        '--role',
        'admin',
        '--password',
        'cli-user-Pw-22',
      ],
      ['tenants', 'list'],
      ['webhooks', 'list', '--json'],
    ];
    for (const command of commands) {
      const result = await sandbox.run(...command);
      outputs.push(result.stdout, result.stderr);
      expect(result.code, `${command.join(' ')}: ${result.stderr}`).toBe(0);
    }
    // A wrong password in the environment: the refusal names the account, not the password.
    sandbox.environment.ONELINK_PASSWORD = 'cli-wrong-Pw-0f0f';
    const refused = await sandbox.run('sync', '--account', 'onelink-cli');
    outputs.push(`${refused.stdout}\n${refused.stderr}`);
    expect(refused.code).not.toBe(0);
    sandbox.environment.ONELINK_PASSWORD = password;
    simulator.faults.set({});
    // The demo with its own simulated suppliers: their credentials stay inside.
    const demo = await sandbox.run(
      'demo',
      '--once',
      '--cards',
      '3',
      '--database',
      'sqlite:./data/demo.db',
    );
    outputs.push(demo.stdout, demo.stderr);
    const text = outputs.join('\n');
    expect(demo.code, demo.stderr).toBe(0);
    expect(text).toContain('Demo fleet synced');
    expect(text).toContain('onelink-cli');
    expectNoSecret(text, 'CLI output', {
      ...secrets,
      'demo OneLink password': 'demo-onelink-password',
      'demo M2M password': 'demo-m2m-password',
      'demo OneLink v5 password': 'demo-onelink-v5-password',
      'demo agent secret': 'demo-agent-secret',
      'demo Quectel secret': 'demo-quectel-secret',
    });
  });
});
