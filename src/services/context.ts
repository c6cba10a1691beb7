import { type Clock, SimdockError, systemClock } from '../domain/index.js';
import type { Store, StoredAccount } from '../store/index.js';
import {
  AccountRegistry,
  CallCounter,
  type CallLimiter,
  type FetchFunction,
  type SupplierAdapterV1,
  type SupplierCatalog,
  secretFieldNames,
} from '../suppliers/spec/index.js';
import type { AccountConfig } from './config/config.js';
import { DEFAULT_BUDGET_SHARE, SharedCallLimiter } from './limits/shared-limiter.js';
import { observeAdapter, quietTelemetry, type Telemetry } from './observability/index.js';

/** What every service works with: storage, the supplier accounts, time. */
export interface ServiceContext {
  store: Store;
  catalog: SupplierCatalog;
  clock: Clock;
  /** Adapters of enabled accounts, built on first use. */
  adapter(accountId: string): Promise<SupplierAdapterV1>;
  /** Calls made per account since the context opened. */
  callCounter(accountId: string): CallCounter;
  /** This process's logger and metrics. */
  telemetry: Telemetry;
  /**
   * The account's rate limit shared through the database (undefined when it has none): what
   * its adapter waits on, and what throttling answers found by services are reported to.
   */
  callLimiter(accountId: string): CallLimiter | undefined;
}

export interface ContextOptions {
  store: Store;
  catalog: SupplierCatalog;
  clock?: Clock;
  /** Replaces the network for every account (tests and the demo's in-process simulators). */
  fetch?: FetchFunction;
  /** Per-call timeout for supplier calls. */
  timeoutMs?: number;
  /** Logs and metrics (default: none). */
  telemetry?: Telemetry;
}

export function createServiceContext(options: ContextOptions): ServiceContext {
  const clock = options.clock ?? systemClock;
  const telemetry = options.telemetry ?? quietTelemetry();
  const registry = new AccountRegistry();
  /** When each cached adapter's account was last changed: a change rebuilds it. */
  const builtFrom = new Map<string, number>();
  const counters = new Map<string, CallCounter>();
  const callCounter = (accountId: string) => {
    let counter = counters.get(accountId);
    if (!counter) {
      counter = new CallCounter();
      counters.set(accountId, counter);
    }
    return counter;
  };
  const limiters = new Map<string, SharedCallLimiter | undefined>();
  return {
    store: options.store,
    catalog: options.catalog,
    clock,
    callCounter,
    telemetry,
    callLimiter: (accountId) => limiters.get(accountId),
    async adapter(accountId) {
      // Read every time (one small query): an account disabled or re-keyed by another process
      // stops being used here too.
      const account = await options.store.accounts.get(accountId);
      if (!account) {
        const known = (await options.store.accounts.list()).map((item) => item.id);
        throw new SimdockError(
          'not_found',
          `unknown account "${accountId}"${known.length ? ` (known: ${known.join(', ')})` : ' (no accounts configured)'}`,
          { details: { account: accountId } },
        );
      }
      if (!account.enabled) {
        throw new SimdockError('conflict', `account "${accountId}" is disabled`);
      }
      if (registry.has(accountId) && builtFrom.get(accountId) === account.updatedAt) {
        return registry.get(accountId);
      }
      const definition = options.catalog.get(account.type);
      const { rateLimit, sync, billingCycleStartDay: _cycleDay, ...stored } = account.settings;
      const share = (sync as { budgetShare?: unknown } | undefined)?.budgetShare;
      // The configured limit, else the supplier type's default (OneLink v2, Unicom: 5 calls/s),
      // shared by every process through the database either way.
      const rate = typeof rateLimit === 'number' ? rateLimit : (definition.defaultRateLimit ?? 0);
      const limiter =
        rate > 0
          ? new SharedCallLimiter({
              store: options.store,
              account: accountId,
              ratePerSecond: rate,
              share:
                typeof share === 'number' && share > 0 && share <= 1 ? share : DEFAULT_BUDGET_SHARE,
              clock,
            })
          : undefined;
      limiters.set(accountId, limiter);
      const settings = definition.parseSettings({ ...stored, ...account.secrets });
      const observer = telemetry.metrics?.supplierObserver(accountId, account.type);
      const created = definition.create(accountId, settings, {
        fetch: options.fetch,
        clock,
        timeoutMs: options.timeoutMs,
        callCounter: callCounter(accountId),
        rateLimit: typeof rateLimit === 'number' ? rateLimit : undefined,
        ...(observer ? { observer } : {}),
        rateLimiter: limiter,
      });
      const adapter = observeAdapter(created, telemetry);
      registry.set(adapter);
      builtFrom.set(accountId, account.updatedAt);
      return adapter;
    },
  };
}

/**
 * Writes configured accounts into storage (secrets encrypted), so that every process and the
 * API see the same accounts. Settings not named as secrets by the supplier stay readable.
 */
export async function saveAccounts(
  store: Store,
  catalog: SupplierCatalog,
  accounts: AccountConfig[],
): Promise<void> {
  for (const account of accounts) {
    const secretNames = new Set(secretFieldNames(catalog.get(account.type).credentialFields));
    const settings: Record<string, unknown> = {};
    const secrets: Record<string, string> = {};
    for (const [name, value] of Object.entries(account.settings)) {
      if (secretNames.has(name) && typeof value === 'string') secrets[name] = value;
      else settings[name] = value;
    }
    if (account.rateLimit !== null) settings.rateLimit = account.rateLimit;
    if (account.billingCycleStartDay !== undefined) {
      settings.billingCycleStartDay = account.billingCycleStartDay;
    }
    if (account.sync) settings.sync = account.sync;
    await store.accounts.upsert({
      id: account.id,
      type: account.type,
      name: account.name,
      settings,
      secrets,
      enabled: true,
    });
  }
}

/** An account as shown to people: secrets replaced by a mask. */
export function maskedAccount(
  account: StoredAccount,
): Omit<StoredAccount, 'secrets'> & { secrets: Record<string, string> } {
  return {
    ...account,
    secrets: Object.fromEntries(Object.keys(account.secrets).map((name) => [name, '••••••'])),
  };
}
