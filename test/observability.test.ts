import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../src/api/app.js';
import { run as runWorker } from '../src/cli/commands/server/worker.js';
import type { CommandIo } from '../src/cli/io.js';
import { ManualClock } from '../src/domain/index.js';
import { createJobQueue } from '../src/jobs/create-job-queue.js';
import { createServiceContext } from '../src/services/context.js';
import { createLogger, SimdockMetrics } from '../src/services/observability/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { CliSandbox } from './cli-harness.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function observedApi(options: { metricsToken?: string } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 11, 4, 2, 0, 0));
  const store = await openStore({ url: 'sqlite::memory:', clock, secretKey: Buffer.alloc(32, 3) });
  closers.push(() => store.close());
  const lines: Record<string, unknown>[] = [];
  const telemetry = {
    logger: createLogger({
      format: 'json',
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    }),
    metrics: new SimdockMetrics({ store, clock, processMetrics: false }),
  };
  const context = createServiceContext({
    store,
    catalog: createSupplierCatalog(),
    clock,
    telemetry,
  });
  const app = createApiApp({
    context,
    ...(options.metricsToken ? { options: { metricsToken: options.metricsToken } } : {}),
  });
  return { app, store, lines, clock, context };
}

describe('logs and metrics of the API', () => {
  it('gives every request an id, keeps a plain one the caller sent, and logs it with the route', async () => {
    const { app, lines } = await observedApi();
    const mine = await app.request('/api/v1/cards/42', {
      headers: { 'x-request-id': 'edge-7f3a' },
    });
    expect(mine.status).toBe(401);
    expect(mine.headers.get('x-request-id')).toBe('edge-7f3a');
    const odd = await app.request('/api/v1/cards', { headers: { 'x-request-id': 'no spaces <>' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'request',
        requestId: 'edge-7f3a',
        method: 'GET',
        route: '/api/v1/cards/:id',
        path: '/api/v1/cards/42',
        status: 401,
      }),
    );
  });

  it('serves the request counts by route pattern and status and the job queue depth', async () => {
    const { app, store, clock } = await observedApi();
    await app.request('/api/v1/cards/1');
    await app.request('/api/v1/cards/2');
    const queue = await createJobQueue(store, { clock });
    closers.push(() => queue.close());
    await queue.enqueue({ name: 'sync', payload: { account: 'a' }, key: 'sync:a' });
    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await response.text();
    expect(body).toContain(
      'simdock_api_requests_total{method="GET",route="/api/v1/cards/:id",status="401"} 2',
    );
    expect(body).toContain('simdock_job_queue_depth{job="sync",state="pending"} 1');
  });

  it('answers /metrics only to the configured bearer token when one is set', async () => {
    const { app } = await observedApi({ metricsToken: 'scrape-token-1' });
    expect((await app.request('/metrics')).status).toBe(401);
    const wrong = await app.request('/metrics', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const right = await app.request('/metrics', {
      headers: { authorization: 'Bearer scrape-token-1' },
    });
    expect(right.status).toBe(200);
  });

  it('says /readyz is ready with every migration applied, and 503 with one pending', async () => {
    const { app, store } = await observedApi();
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      database: 'reachable',
      pendingMigrations: [],
    });
    await dropNewestMigrationRecord(store);
    const pending = await app.request('/readyz');
    expect(pending.status).toBe(503);
    const body = (await pending.json()) as { pendingMigrations: string[] };
    expect(body).toMatchObject({ ready: false, reason: 'migrations are pending' });
    expect(body.pendingMigrations).toHaveLength(1);
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('says /readyz is not ready when the database is gone', async () => {
    const { app, store } = await observedApi();
    await store.close();
    const gone = await app.request('/readyz');
    expect(gone.status).toBe(503);
    expect(await gone.json()).toMatchObject({
      ready: false,
      database: 'unreachable',
      reason: 'the database does not answer',
    });
  });
});

describe('simdock worker --metrics-port', () => {
  it('serves /metrics, /healthz and /readyz beside the jobs, and logs JSON lines', async () => {
    const sandbox = new CliSandbox();
    closers.push(async () => sandbox.remove());
    const config = sandbox.write(
      'simdock.yaml',
      'database: sqlite:./data/simdock.db\naccounts: []\n',
    );
    let stderr = '';
    const io: CommandIo = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      environment: { ...sandbox.environment, SIMDOCK_LOG_FORMAT: 'json' },
      cwd: sandbox.directory,
    };
    const stop = new AbortController();
    const running = runWorker(
      { config, metricsPort: 0, schedule: false, stopSignal: stop.signal },
      io,
    );
    let port: number | undefined;
    for (let turn = 0; turn < 200 && port === undefined; turn += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const lines = stderr
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
      port = lines.find((line) => line.msg === 'probes listening')?.port;
    }
    expect(port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('# TYPE simdock_job_runs_total counter');
    expect(metrics).toContain('simdock_process_cpu_seconds_total');
    stop.abort();
    expect(await running).toBe(0);
  });
});

describe('the monitoring documents', () => {
  it('name only metrics simdock exports', async () => {
    const store = await openStore({ url: 'sqlite::memory:', secretKey: Buffer.alloc(32, 3) });
    closers.push(() => store.close());
    const metrics = new SimdockMetrics({ store });
    const names = new Set(
      (await metrics.registry.getMetricsAsJSON()).flatMap((metric) =>
        String(metric.type) === 'histogram'
          ? [metric.name, `${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`]
          : [metric.name],
      ),
    );
    for (const file of ['prometheus-alerts.yml', 'grafana-dashboard.json', 'README.md']) {
      const text = readFileSync(new URL(`../docs/monitoring/${file}`, import.meta.url), 'utf8');
      const used = [...text.matchAll(/\bsimdock_[a-z_]+\b/g)]
        .map((match) => match[0])
        .filter(
          (name) => !name.endsWith('_') && !['simdock_process_', 'simdock_nodejs_'].includes(name),
        );
      expect(used.length).toBeGreaterThan(0);
      for (const name of used) expect(names, `${file} names ${name}`).toContain(name);
    }
  });
});

/** Forgets that the newest migration ran, as a database restored from an older backup would. */
async function dropNewestMigrationRecord(store: Store): Promise<void> {
  const newest = await store.db
    .selectFrom('simdock_migration' as never)
    .select('name' as never)
    .orderBy('name' as never, 'desc')
    .executeTakeFirstOrThrow();
  await store.db
    .deleteFrom('simdock_migration' as never)
    .where('name' as never, '=', (newest as { name: string }).name as never)
    .execute();
}
