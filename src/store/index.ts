import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { type Clock, systemClock } from '../domain/clock.js';
import { SimdockError } from '../domain/errors.js';
import { AccountsRepository } from './accounts-repository.js';
import { AdvisoryLocks } from './advisory-locks.js';
import { AuditRepository } from './audit-repository.js';
import { CardFreshnessRepository } from './card-freshness-repository.js';
import type { CardScope } from './card-scope.js';
import { CardScopeRepository } from './card-scope-repository.js';
import { CardStatsRepository } from './card-stats-repository.js';
import { CardsRepository } from './cards-repository.js';
import { FleetStatsRepository } from './fleet-stats-repository.js';
import { GraphileJobsRepository } from './graphile-jobs-repository.js';
import { JobSchedulesRepository } from './job-schedules-repository.js';
import { QueueJobsRepository } from './queue-jobs-repository.js';
import { RateLimitsRepository } from './rate-limits-repository.js';
import { AgentAppsRepository } from './repositories/agent-apps-repository.js';
import { AlertsRepository } from './repositories/alerts-repository.js';
import { ApiKeyLimitsRepository } from './repositories/api-key-limits-repository.js';
import { ApiKeyRecordsRepository } from './repositories/api-keys-repository.js';
import { BulkJobsRepository } from './repositories/bulk-repository.js';
import { CardLifecycleRepository } from './repositories/card-lifecycle-repository.js';
import { CardTimelineRepository } from './repositories/card-timeline-repository.js';
import { EventOutbox } from './repositories/event-outbox.js';
import { NoticesRepository } from './repositories/inbound-notices-repository.js';
import { OpsRepository } from './repositories/ops-repository.js';
import { PlansRepository } from './repositories/plans-repository.js';
import { PoolsRepository } from './repositories/pools-repository.js';
import { RuleCardStateRepository } from './repositories/rule-card-state-repository.js';
import { RulePausesRepository } from './repositories/rule-pauses-repository.js';
import { RulesRepository } from './repositories/rules-repository.js';
import { ScopedCardsRepository } from './repositories/scoped-cards-repository.js';
import { SmsRepository } from './repositories/sms-repository.js';
import { SyncCheckpoints } from './repositories/sync-checkpoints.js';
import { TenantsRepository } from './repositories/tenants-repository.js';
import { ThrottlesRepository } from './repositories/throttles-repository.js';
import { UserRecordsRepository } from './repositories/users-repository.js';
import { WebhooksRepository } from './repositories/webhooks-repository.js';
import { SecretBox } from './secret-box.js';
import { secretKeySource } from './secret-key.js';
import { createDatabase, parseStoreUrl, storeDataDirectory } from './store-connection.js';
import type { StoreContext } from './store-context.js';
import type { Dialect } from './store-dialect.js';
import { migrateToLatest } from './store-migrator.js';
import type { Database } from './store-schema.js';
import { SyncRunsRepository } from './sync-runs-repository.js';
import { UsageRepository } from './usage-repository.js';

export type { AccountInput, StoredAccount } from './accounts-repository.js';
export { AccountsRepository } from './accounts-repository.js';
export { type AdvisoryLock, AdvisoryLocks } from './advisory-locks.js';
export type { AuditInput, AuditOutcome, StoredAuditEntry } from './audit-repository.js';
export { AuditRepository } from './audit-repository.js';
export type {
  AccountChecks,
  AccountStalenessFigures,
  CardChecks,
  NeedStalenessFigures,
} from './card-freshness-repository.js';
export { CardFreshnessRepository } from './card-freshness-repository.js';
export { type CardScope, cardVisible, subtreePattern } from './card-scope.js';
export { CardScopeRepository } from './card-scope-repository.js';
export type { CardWithScope } from './card-stats-repository.js';
export { CardStatsRepository } from './card-stats-repository.js';
export type {
  CardIdentityUpdate,
  CardImportRow,
  CardListQuery,
  CardStatusChange,
  CardStatusUpdate,
  StoredCard,
  SupplierCardRow,
} from './cards-repository.js';
export { CardsRepository } from './cards-repository.js';
export type {
  CountRow,
  FiguresAt,
  FleetFigures,
  QuotaUseRow,
  UsageRow,
} from './fleet-stats-repository.js';
export { FleetStatsRepository } from './fleet-stats-repository.js';
export { GraphileJobsRepository } from './graphile-jobs-repository.js';
export { JobSchedulesRepository } from './job-schedules-repository.js';
export { STORE_MIGRATIONS, type StoreMigration } from './migrations/index.js';
export type {
  QueueJobInsert,
  QueueJobOutcome,
  QueueJobRow,
  QueueJobTransaction,
  ReclaimedQueueJob,
} from './queue-jobs-repository.js';
export { QueueJobsRepository } from './queue-jobs-repository.js';
export type { BucketRate, BucketState } from './rate-limits-repository.js';
export { RateLimitsRepository } from './rate-limits-repository.js';
export type { AgentApp } from './repositories/agent-apps-repository.js';
export { AgentAppsRepository } from './repositories/agent-apps-repository.js';
export { AlertsRepository } from './repositories/alerts-repository.js';
export type { KeyBucketRate, KeyLease } from './repositories/api-key-limits-repository.js';
export { ApiKeyRecordsRepository } from './repositories/api-keys-repository.js';
export { BulkJobsRepository } from './repositories/bulk-repository.js';
export type { LifecycleChange } from './repositories/card-lifecycle-repository.js';
export { CardLifecycleRepository } from './repositories/card-lifecycle-repository.js';
export {
  CardTimelineRepository,
  STORE_TIMELINE_KINDS,
  type StoreTimelineItem,
  type StoreTimelineKind,
} from './repositories/card-timeline-repository.js';
export { EventOutbox } from './repositories/event-outbox.js';
export { NoticesRepository } from './repositories/inbound-notices-repository.js';
export type {
  LatestSyncRun,
  QueueDepth,
  StoreReadiness,
} from './repositories/ops-repository.js';
export { OpsRepository } from './repositories/ops-repository.js';
export { PlansRepository } from './repositories/plans-repository.js';
export { PoolsRepository } from './repositories/pools-repository.js';
export { RuleCardStateRepository } from './repositories/rule-card-state-repository.js';
export { RulePausesRepository } from './repositories/rule-pauses-repository.js';
export { RulesRepository } from './repositories/rules-repository.js';
export { ScopedCardsRepository } from './repositories/scoped-cards-repository.js';
export { SmsRepository } from './repositories/sms-repository.js';
export { SyncCheckpoints } from './repositories/sync-checkpoints.js';
export { TenantsRepository } from './repositories/tenants-repository.js';
export type { ThrottlePolicy, ThrottleState } from './repositories/throttles-repository.js';
export { ThrottlesRepository } from './repositories/throttles-repository.js';
export { UserRecordsRepository } from './repositories/users-repository.js';
export { WebhooksRepository } from './repositories/webhooks-repository.js';
export { SecretBox } from './secret-box.js';
export { SECRET_KEY_ENV } from './secret-key.js';
export { DEFAULT_STORE_URL, defaultStoreUrl, parseStoreUrl } from './store-connection.js';
export type { RepositoryContext } from './store-context.js';
export type { Dialect } from './store-dialect.js';
export { migrateToLatest } from './store-migrator.js';
export type * from './store-schema.js';
export type {
  StoredSyncRun,
  StoredSyncRunFailure,
  SyncRunFailure,
  SyncRunOutcome,
  SyncRunResult,
  SyncRunStatus,
} from './sync-runs-repository.js';
export { SyncRunsRepository } from './sync-runs-repository.js';
export type { DailyUsageRow, MonthlyUsageRow, UsageRange } from './usage-repository.js';
export { UsageRepository } from './usage-repository.js';

/** simdock's database: one schema on SQLite or PostgreSQL, reached through repositories. */
export interface Store {
  readonly dialect: Dialect;
  /**
   * The Kysely instance. Internal to src/store: repositories are built on it; nothing outside
   * src/store (tests aside) may use it (test/architecture/sql-placement.test.ts lists the files
   * of src/api and src/jobs that still do, until their queries move into repositories).
   * @internal
   */
  readonly db: Kysely<Database>;
  readonly accounts: AccountsRepository;
  readonly cards: CardsRepository;
  readonly usage: UsageRepository;
  readonly syncRuns: SyncRunsRepository;
  readonly audit: AuditRepository;
  /** Which cards a tenant's scope may see. */
  readonly cardScope: CardScopeRepository;
  /** The dashboard's figures over a scope's cards. */
  readonly cardStats: CardStatsRepository;
  /** The fleet figures kept as data arrives (migration 0015). */
  readonly fleetStats: FleetStatsRepository;
  /** The job queue's `jobs` table (both queue implementations keep their record there). */
  readonly queueJobs: QueueJobsRepository;
  /** The scheduler's last enqueued period per entry. */
  readonly jobSchedules: JobSchedulesRepository;
  /** graphile-worker's functions, for the PostgreSQL job queue. */
  readonly graphileJobs: GraphileJobsRepository;
  /** PostgreSQL session advisory locks on dedicated connections (the scheduler's leader lock). */
  readonly advisoryLocks: AdvisoryLocks;
  /** Plans of sliced sync runs and the supplier batches they finished. */
  readonly syncCheckpoints: SyncCheckpoints;
  /** Per-account token buckets shared by every process through the database. */
  readonly rateLimits: RateLimitsRepository;
  /** When cards' status and usage were last read: what sync polls first, and staleness. */
  readonly freshness: CardFreshnessRepository;
  /** The event outbox (CloudEvents for webhooks and the console). */
  readonly events: EventOutbox;
  /** Bulk card jobs and their per-card items. */
  readonly bulk: BulkJobsRepository;
  readonly plans: PlansRepository;
  readonly pools: PoolsRepository;
  readonly rules: RulesRepository;
  readonly alerts: AlertsRepository;
  /** The pauses rules made, resumed at the next cycle. */
  readonly rulePauses: RulePausesRepository;
  /** The IMEI each card was last seen with, for the IMEI rules. */
  readonly ruleCardState: RuleCardStateRepository;
  /** Texts to and from cards. */
  readonly sms: SmsRepository;
  /** Notices suppliers pushed to simdock. */
  readonly notices: NoticesRepository;
  /** The tenant hierarchy. */
  readonly tenants: TenantsRepository;
  /** Refused attempts counted per scope and key (logins, callbacks), shared by processes. */
  readonly throttles: ThrottlesRepository;
  /** When simdock last changed each card's status through a lifecycle action (cooldowns). */
  readonly cardLifecycle: CardLifecycleRepository;
  /** A card's history merged from what the store keeps (statuses, actions, alerts, SMS, usage spikes). */
  readonly cardTimeline: CardTimelineRepository;
  /** Console users and their sessions, as stored (password hashing is the services'). */
  readonly users: UserRecordsRepository;
  /** API keys, as stored (secret hashing is the services'). */
  readonly apiKeys: ApiKeyRecordsRepository;
  /** Per-key request buckets and the revocation counter, shared by every API process. */
  readonly apiKeyLimits: ApiKeyLimitsRepository;
  /** Cards as one tenant sees them: its subtree, or every card for the root. */
  scopedCards(scope: CardScope): ScopedCardsRepository;
  /** Webhook endpoints, deliveries and attempts (secrets sealed with the store's sealer). */
  readonly webhooks: WebhooksRepository;
  /** Apps of simdock's own agent open API (secrets sealed with the store's sealer). */
  readonly agentApps: AgentAppsRepository;
  /** Seals and opens secrets with the store's key (accounts, devices, webhooks, agent apps). */
  readonly secretBox: SecretBox;
  /** Readiness, queue depth and sync freshness for probes and metrics. */
  readonly ops: OpsRepository;
  /**
   * Where simdock keeps files beside the database (card exports): the SQLite file's folder,
   * `./data` on PostgreSQL, a temporary folder for an in-memory store.
   */
  readonly dataDirectory: string;
  /** Closes the connection(s). */
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** `sqlite:PATH` (parent folders created), `sqlite::memory:`, or `postgres://…`. */
  url: string;
  /**
   * The 32-byte key secrets are encrypted with (bytes, base64 or hex). When absent:
   * `SIMDOCK_SECRET_KEY`, else the key file.
   */
  secretKey?: Buffer | string;
  /**
   * Where the key is kept when neither of the above is given: default `secret.key` beside the
   * SQLite file, or in `./data` (created on first use, mode 0600).
   */
  keyFile?: string;
  /** Where times come from (tests pass a ManualClock). */
  clock?: Clock;
  /** Overrides `Store.dataDirectory`. */
  dataDirectory?: string;
}

/**
 * Opens the store at `url` and brings its schema up to date (running pending migrations).
 * Bad URLs, keys and unreachable databases fail with `config_error`.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const location = parseStoreUrl(options.url);
  const keySource = secretKeySource({
    ...(options.secretKey !== undefined ? { secretKey: options.secretKey } : {}),
    keyFile: options.keyFile ?? path.join(storeDataDirectory(location), 'secret.key'),
  });
  let opened: ReturnType<typeof createDatabase>;
  try {
    opened = createDatabase(location);
  } catch (error) {
    throw cannotOpen(options.url, error);
  }
  const { db, dialect } = opened;
  try {
    await migrateToLatest(db, dialect);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw SimdockError.isInstance(error) ? error : cannotOpen(options.url, error);
  }
  const context: StoreContext = {
    db,
    dialect,
    clock: options.clock ?? systemClock,
    secretBox: new SecretBox(keySource),
  };
  const now = () => context.clock.now();
  const accounts = new AccountsRepository(context);
  const cards = new CardsRepository(context);
  let closed = false;
  const store: Store = {
    dialect,
    db,
    secretBox: context.secretBox,
    accounts,
    cards,
    usage: new UsageRepository(context),
    syncRuns: new SyncRunsRepository(context),
    audit: new AuditRepository(context),
    cardScope: new CardScopeRepository(context),
    cardStats: new CardStatsRepository(context),
    fleetStats: new FleetStatsRepository(context),
    queueJobs: new QueueJobsRepository(context),
    jobSchedules: new JobSchedulesRepository(context),
    graphileJobs: new GraphileJobsRepository(context),
    advisoryLocks: new AdvisoryLocks(),
    syncCheckpoints: new SyncCheckpoints(context, now),
    rateLimits: new RateLimitsRepository(context),
    freshness: new CardFreshnessRepository(context),
    events: new EventOutbox(context, now),
    bulk: new BulkJobsRepository(context, now),
    plans: new PlansRepository(context, now),
    pools: new PoolsRepository(context, now),
    rules: new RulesRepository({ ...context, accounts, cards }, now),
    alerts: new AlertsRepository(context, now),
    sms: new SmsRepository(context, now),
    notices: new NoticesRepository(context, now),
    tenants: new TenantsRepository(context, now),
    throttles: new ThrottlesRepository(context, now),
    cardLifecycle: new CardLifecycleRepository(context, now),
    cardTimeline: new CardTimelineRepository(context),
    users: new UserRecordsRepository(context),
    apiKeys: new ApiKeyRecordsRepository(context),
    apiKeyLimits: new ApiKeyLimitsRepository(context),
    rulePauses: new RulePausesRepository(context),
    ruleCardState: new RuleCardStateRepository(context),
    scopedCards: (scope) => new ScopedCardsRepository(context, scope),
    ops: new OpsRepository(context),
    dataDirectory:
      options.dataDirectory ??
      (location.dialect === 'sqlite' && location.file === ':memory:'
        ? path.join(tmpdir(), `simdock-memory-${process.pid}-${randomBytes(6).toString('hex')}`)
        : storeDataDirectory(location)),
    // Built on each use: the sealer a caller set for this store (setStoreSecretSealer) applies.
    get webhooks() {
      return new WebhooksRepository(store);
    },
    get agentApps() {
      return new AgentAppsRepository(store);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
  return store;
}

function cannotOpen(url: string, error: unknown): SimdockError {
  const message = error instanceof Error ? error.message : String(error);
  return new SimdockError(
    'config_error',
    `cannot open the store at ${redactUrl(url)}: ${message}`,
    {
      cause: error,
    },
  );
}

/** The URL with its password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
