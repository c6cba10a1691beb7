import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { SupplierCallObserver } from '../../suppliers/spec/index.js';
import { DEFAULT_TARGETS_MS, freshnessTargetsMs } from '../sync/freshness-targets.js';

/** Seconds buckets for supplier calls and API requests: 5 ms to 60 s. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds buckets for jobs: 0.1 s to 2 h. */
const JOB_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200];

export interface MetricsOptions {
  /** The store the queue depth and sync freshness are read from on each scrape. */
  store?: Store;
  clock?: Clock;
  /** Node's own process figures (CPU, memory, event loop); default true. */
  processMetrics?: boolean;
}

/**
 * simdock's Prometheus figures (prom-client), one registry per process: supplier calls,
 * throttling and rate-limit waits, jobs, sync freshness and API requests. `/metrics` serves
 * `render()`.
 */
export class SimdockMetrics {
  readonly registry = new Registry();
  readonly supplierCalls: Counter<'account' | 'supplier' | 'operation' | 'outcome'>;
  readonly supplierCallSeconds: Histogram<'account' | 'supplier' | 'operation'>;
  readonly supplierThrottled: Counter<'account' | 'supplier' | 'operation'>;
  readonly supplierErrors: Counter<'account' | 'supplier' | 'operation' | 'code'>;
  readonly rateLimitWaitSeconds: Counter<'account' | 'supplier'>;
  readonly jobRuns: Counter<'job' | 'outcome'>;
  readonly jobSeconds: Histogram<'job'>;
  readonly apiRequests: Counter<'method' | 'route' | 'status'>;
  readonly apiRequestSeconds: Histogram<'method' | 'route'>;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    if (options.processMetrics !== false) {
      collectDefaultMetrics({ register: this.registry, prefix: 'simdock_' });
    }
    this.supplierCalls = new Counter({
      name: 'simdock_supplier_calls_total',
      help: 'Supplier calls by account, supplier, operation (path) and outcome',
      labelNames: ['account', 'supplier', 'operation', 'outcome'],
      registers,
    });
    this.supplierCallSeconds = new Histogram({
      name: 'simdock_supplier_call_duration_seconds',
      help: 'Supplier call latency',
      labelNames: ['account', 'supplier', 'operation'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.supplierThrottled = new Counter({
      name: 'simdock_supplier_throttled_total',
      help: 'Throttling answers from suppliers (HTTP 429 and the suppliers’ own "too fast" codes)',
      labelNames: ['account', 'supplier', 'operation'],
      registers,
    });
    this.supplierErrors = new Counter({
      name: 'simdock_supplier_operation_errors_total',
      help: 'Supplier operations that failed, by simdock error code',
      labelNames: ['account', 'supplier', 'operation', 'code'],
      registers,
    });
    this.rateLimitWaitSeconds = new Counter({
      name: 'simdock_supplier_rate_limit_wait_seconds_total',
      help: 'Time calls waited for the account’s rate limit',
      labelNames: ['account', 'supplier'],
      registers,
    });
    this.jobRuns = new Counter({
      name: 'simdock_job_runs_total',
      help: 'Jobs run by name and outcome (succeeded, failed, retried, cancelled)',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.jobSeconds = new Histogram({
      name: 'simdock_job_duration_seconds',
      help: 'Job run time',
      labelNames: ['job'],
      buckets: JOB_BUCKETS,
      registers,
    });
    this.apiRequests = new Counter({
      name: 'simdock_api_requests_total',
      help: 'API requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.apiRequestSeconds = new Histogram({
      name: 'simdock_api_request_duration_seconds',
      help: 'API request duration by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    const store = options.store;
    if (store) {
      const now = () => (options.clock ? options.clock.now() : Date.now());
      new Gauge({
        name: 'simdock_job_queue_depth',
        help: 'Jobs waiting (pending) or running, by job name',
        labelNames: ['job', 'state'],
        registers,
        async collect() {
          this.reset();
          for (const row of await store.ops.queueDepth()) {
            this.set({ job: row.name, state: row.state }, row.count);
          }
        },
      });
      new Gauge({
        name: 'simdock_sync_age_seconds',
        help: 'Seconds since each account’s newest finished sync run of each kind ended',
        labelNames: ['account', 'kind', 'status'],
        registers,
        async collect() {
          this.reset();
          const at = now();
          for (const run of await store.ops.latestSyncRuns()) {
            this.set(
              { account: run.account, kind: run.kind, status: run.status },
              Math.max(0, (at - run.finishedAt) / 1000),
            );
          }
        },
      });
      new Gauge({
        name: 'simdock_sync_fresh_age_seconds',
        help: 'Seconds since each account’s cards were last synced successfully (or partly)',
        labelNames: ['account'],
        registers,
        async collect() {
          this.reset();
          const at = now();
          for (const row of await store.ops.lastSuccessfulSync()) {
            this.set({ account: row.account }, Math.max(0, (at - row.finishedAt) / 1000));
          }
        },
      });
      // One read of the cards per scrape feeds both freshness gauges.
      let staleness: ReturnType<Store['ops']['staleness']> | null = null;
      const readStaleness = () => {
        staleness ??= (async () => {
          // Each account's own targets (`sync.freshness`), read on each scrape like the cards.
          const own = new Map<string, { status: number; 'usage.monthly': number }>();
          for (const account of await store.accounts.list()) {
            const sync = account.settings.sync as { freshness?: unknown } | undefined;
            if (sync?.freshness !== undefined) {
              own.set(account.id, freshnessTargetsMs(sync.freshness).targets);
            }
          }
          return store.ops.staleness(now(), DEFAULT_TARGETS_MS, own);
        })().finally(() => {
          staleness = null;
        });
        return staleness;
      };
      new Gauge({
        name: 'simdock_sync_stale_cards',
        help: 'Cards whose status or month usage was never read, or read longer ago than the account’s target (sync.freshness; default status 1 h, usage.monthly 6 h)',
        labelNames: ['account', 'need'],
        registers,
        async collect() {
          this.reset();
          for (const row of await readStaleness()) {
            this.set({ account: row.account, need: row.need }, row.stale);
          }
        },
      });
      new Gauge({
        name: 'simdock_sync_staleness_max_seconds',
        help: 'Age of the oldest status or month-usage read among each account’s cards that can still change',
        labelNames: ['account', 'need'],
        registers,
        async collect() {
          this.reset();
          for (const row of await readStaleness()) {
            this.set({ account: row.account, need: row.need }, row.maxAgeMs / 1000);
          }
        },
      });
    }
  }

  /** What `/metrics` answers: the text format and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** The call observer of one account's transport. */
  supplierObserver(account: string, supplier: string): SupplierCallObserver {
    return {
      call: (event) => {
        this.supplierCalls.inc({
          account,
          supplier,
          operation: event.operation,
          outcome: event.outcome,
        });
        this.supplierCallSeconds.observe(
          { account, supplier, operation: event.operation },
          event.durationMs / 1000,
        );
        if (event.outcome === 'throttled') {
          this.supplierThrottled.inc({ account, supplier, operation: event.operation });
        }
      },
      rateLimitWait: (ms) => this.rateLimitWaitSeconds.inc({ account, supplier }, ms / 1000),
    };
  }
}
