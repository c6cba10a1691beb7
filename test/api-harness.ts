import { type ApiOptions, createApiApp } from '../src/api/app.js';
import { ManualClock } from '../src/domain/index.js';
import { ApiKeysRepository } from '../src/services/access/access-keys.js';
import type { Role } from '../src/services/access/access-roles.js';
import { UsersRepository } from '../src/services/access/access-users.js';
import {
  createServiceContext,
  type ServiceContext,
  saveAccounts,
} from '../src/services/context.js';
import { importCards } from '../src/services/inventory/card-import.js';
import type { JobQueue } from '../src/services/job-queue.js';
import type { Dialect, Store } from '../src/store/index.js';
import { TenantsRepository } from '../src/store/repositories/tenants-repository.js';
import { openTestStore } from '../src/store/store.test-support.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { createOnelinkV2Simulator } from '../src/suppliers/onelink-v2/index.js';
import { appFetch } from '../src/suppliers/spec/simulator-kit.js';
import { OpenApiResponseValidator } from './openapi-responses.js';

/** The OneLink v2 account of the harness, served by its simulator (no network, no port). */
export const ONELINK_ACCOUNT = 'onelink-test';

const ONELINK_CREDENTIALS = {
  appid: 'api-test',
  password: 'api-test-password',
  ebids: { batchquerycardinfo: '0001000000036', batchgprsusedbydate: '0001000000346' },
};

export interface HarnessOptions {
  api?: ApiOptions;
  queue?: JobQueue;
  dialect?: Dialect;
}

/**
 * An API over an in-memory store with one simulated OneLink account, `cards` imported cards,
 * two sibling customer tenants (`acme`, `globex`) each holding some of them, and API keys.
 */
export class ApiHarness {
  readonly clock = new ManualClock(Date.UTC(2024, 10, 26, 2, 0, 0));
  readonly simulator = createOnelinkV2Simulator({
    ...ONELINK_CREDENTIALS,
    size: 40,
    clock: this.clock,
  });
  store!: Store;
  context!: ServiceContext;
  app!: ReturnType<typeof createApiApp>;
  /** Card ids by holder: the root's own (unassigned), acme's and globex's. */
  cards: { root: number[]; acme: number[]; globex: number[] } = { root: [], acme: [], globex: [] };
  keys: Record<string, string> = {};

  #dispose: () => Promise<void> = async () => {};

  /** `dialect` postgres: a fresh schema of SIMDOCK_TEST_DATABASE_URL (default SQLite in memory). */
  static async open(options: HarnessOptions = {}): Promise<ApiHarness> {
    const harness = new ApiHarness();
    await harness.#setUp(options);
    return harness;
  }

  async #setUp(options: HarnessOptions): Promise<void> {
    const opened = await openTestStore(options.dialect ?? 'sqlite', {
      clock: this.clock,
      secretKey: Buffer.alloc(32, 7),
    });
    this.store = opened.store;
    this.#dispose = opened.dispose;
    const catalog = createSupplierCatalog();
    this.context = createServiceContext({
      store: this.store,
      catalog,
      clock: this.clock,
      fetch: appFetch(this.simulator.app),
    });
    await saveAccounts(this.store, catalog, [
      {
        id: ONELINK_ACCOUNT,
        type: 'onelink-v2',
        name: 'OneLink under test',
        rateLimit: 0,
        settings: { baseUrl: 'http://onelink.test/v2', ...ONELINK_CREDENTIALS },
      },
    ]);
    const iccids = Array.from({ length: 12 }, (_, index) => this.simulator.fleet.card(index).iccid);
    await importCards(this.context, ONELINK_ACCOUNT, iccids.join('\n'), 'test');
    const { cards } = await this.store.cards.list({ limit: 100 });
    const ids = cards.map((card) => card.id);
    this.cards = { root: ids.slice(0, 4), acme: ids.slice(4, 8), globex: ids.slice(8, 12) };

    const now = () => this.clock.now();
    const tenants = new TenantsRepository(this.store, now);
    await tenants.root();
    await tenants.create({ id: 'acme', parentId: 'root', name: 'Acme', kind: 'customer' });
    await tenants.create({ id: 'globex', parentId: 'root', name: 'Globex', kind: 'customer' });
    await tenants.create({ id: 'acme-east', parentId: 'acme', name: 'Acme East', kind: 'agent' });
    await this.#assign(this.cards.acme, 'acme', '/root/acme/');
    await this.#assign(this.cards.globex, 'globex', '/root/globex/');

    for (const [name, role, tenant] of [
      ['owner', 'owner', 'root'],
      ['rootViewer', 'viewer', 'root'],
      ['acmeAdmin', 'admin', 'acme'],
      ['acmeOperator', 'operator', 'acme'],
      ['acmeViewer', 'viewer', 'acme'],
      ['globexAdmin', 'admin', 'globex'],
    ] as [string, Role, string][]) {
      const created = await new ApiKeysRepository(this.store, now).create({
        name,
        role,
        tenantId: tenant,
      });
      this.keys[name] = created.key;
    }
    await new UsersRepository(this.store, now).create({
      email: 'admin@acme.test',
      password: 'correct horse battery',
      role: 'admin',
      tenantId: 'acme',
    });
    this.app = createApiApp({ context: this.context, queue: options.queue, options: options.api });
    this.#validateAnswers();
  }

  async #assign(ids: number[], tenant: string, path: string): Promise<void> {
    await this.store.db
      .insertInto('card_tenants')
      .values(
        ids.map((id) => ({
          card_id: id,
          tenant_id: tenant,
          tenant_path: path,
          assigned_at: this.clock.now(),
        })),
      )
      .execute();
  }

  /** A request with a key (by harness name), JSON body when given. */
  request(
    method: string,
    path: string,
    options: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    const key = options.key === undefined ? 'owner' : options.key;
    if (key !== null) headers.authorization = `Bearer ${this.keys[key] ?? key}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    return Promise.resolve(this.app.request(path, { method, headers, body }));
  }

  /** The JSON of a request, with its status. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
  async json<T = any>(
    method: string,
    path: string,
    options: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T; response: Response }> {
    const response = await this.request(method, path, options);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T, response };
  }

  /**
   * Every answer of the app (through `request`, `json` or `app.request`) is checked against
   * the published OpenAPI document; `close` fails the test on any undocumented status or field.
   */
  #validateAnswers(): void {
    const app = this.app;
    const original = app.request.bind(app);
    let validator: OpenApiResponseValidator | undefined;
    app.request = (async (...args: Parameters<typeof original>) => {
      validator ??= new OpenApiResponseValidator(await (await original('/openapi.json')).json());
      const response = await original(...args);
      const [input, init] = args;
      const url = input instanceof Request ? input.url : String(input);
      const method = (input instanceof Request ? input.method : init?.method) ?? 'GET';
      await validator.check(method, url, response);
      return response;
    }) as typeof app.request;
    this.#violations = () => validator?.violations ?? [];
  }

  #violations: () => string[] = () => [];

  /** What the answers so far broke of the OpenAPI document. */
  get openApiViolations(): string[] {
    return this.#violations();
  }

  async close(): Promise<void> {
    await this.#dispose();
    const violations = [...new Set(this.#violations())];
    if (violations.length > 0) {
      throw new Error(`answers the OpenAPI document does not describe:\n${violations.join('\n')}`);
    }
  }
}
