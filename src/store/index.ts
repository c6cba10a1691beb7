import path from 'node:path';
import type { Kysely } from 'kysely';
import { type Clock, systemClock } from '../domain/clock.js';
import { SimdockError } from '../domain/errors.js';
import { AccountsRepository } from './accounts-repository.js';
import { AdvisoryLocks } from './advisory-locks.js';
import { AuditRepository } from './audit-repository.js';
import { CardScopeRepository } from './card-scope-repository.js';
import { CardStatsRepository } from './card-stats-repository.js';
import { CardsRepository } from './cards-repository.js';
import { GraphileJobsRepository } from './graphile-jobs-repository.js';
import { JobSchedulesRepository } from './job-schedules-repository.js';
import { QueueJobsRepository } from './queue-jobs-repository.js';
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
export { type CardScope, cardVisible, subtreePattern } from './card-scope.js';
export { CardScopeRepository } from './card-scope-repository.js';
export type { CardWithScope, PlanUsageRow } from './card-stats-repository.js';
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
export { SecretBox } from './secret-box.js';
export { SECRET_KEY_ENV } from './secret-key.js';
export { DEFAULT_STORE_URL, defaultStoreUrl, parseStoreUrl } from './store-connection.js';
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
  /** The Kysely instance, for queries no repository offers yet. */
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
  /** The job queue's `jobs` table (both queue implementations keep their record there). */
  readonly queueJobs: QueueJobsRepository;
  /** The scheduler's last enqueued period per entry. */
  readonly jobSchedules: JobSchedulesRepository;
  /** graphile-worker's functions, for the PostgreSQL job queue. */
  readonly graphileJobs: GraphileJobsRepository;
  /** PostgreSQL session advisory locks on dedicated connections (the scheduler's leader lock). */
  readonly advisoryLocks: AdvisoryLocks;
  /** Seals and opens secrets with the store's key (accounts, devices, webhooks, agent apps). */
  readonly secretBox: SecretBox;
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
  let closed = false;
  return {
    dialect,
    db,
    secretBox: context.secretBox,
    accounts: new AccountsRepository(context),
    cards: new CardsRepository(context),
    usage: new UsageRepository(context),
    syncRuns: new SyncRunsRepository(context),
    audit: new AuditRepository(context),
    cardScope: new CardScopeRepository(context),
    cardStats: new CardStatsRepository(context),
    queueJobs: new QueueJobsRepository(context),
    jobSchedules: new JobSchedulesRepository(context),
    graphileJobs: new GraphileJobsRepository(context),
    advisoryLocks: new AdvisoryLocks(),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
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
