import { addDays, cstToday, monthBounds } from '../../domain/index.js';
import type { SupplierAdapterV1 } from '../../suppliers/spec/index.js';
import type { ServiceContext } from '../context.js';

/** Days a usage period stays open to revision when neither supplier nor account says. */
export const DEFAULT_REVISION_DAYS = 2;

import { DEFAULT_BUDGET_SHARE } from '../limits/shared-limiter.js';
import {
  type FreshnessNeed,
  type FreshnessTargetsMs,
  freshnessTargetsMs,
} from './freshness-targets.js';

export { DEFAULT_BUDGET_SHARE };

/** How sync spends one account's calls. */
export interface AccountSyncSettings {
  revisionDays: number;
  budgetShare: number;
  /** Calls per second (0: unlimited): the account's own, else its supplier type's default. */
  rateLimit: number;
  /** Freshness targets per need in ms: the account's `sync.freshness`, else the defaults. */
  freshnessTargetsMs: FreshnessTargetsMs;
  /** The needs whose target the account sets, as written back (`1h`); the rest are defaults. */
  freshnessConfigured: Partial<Record<FreshnessNeed, string>>;
}

const wholeOrNull = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;

/** The account's `sync:` settings over its supplier's defaults. */
export async function accountSyncSettings(
  context: ServiceContext,
  accountId: string,
  adapter: SupplierAdapterV1,
): Promise<AccountSyncSettings> {
  const account = await context.store.accounts.get(accountId);
  const sync = (account?.settings.sync ?? {}) as Record<string, unknown>;
  const share = wholeOrNull(sync.budgetShare);
  const freshness = freshnessTargetsMs(sync.freshness);
  return {
    revisionDays:
      wholeOrNull(sync.revisionDays) ?? adapter.limits.revisionWindowDays ?? DEFAULT_REVISION_DAYS,
    budgetShare: share !== null && share > 0 && share <= 1 ? share : DEFAULT_BUDGET_SHARE,
    // An account without a rate limit of its own has its supplier type's default (0: none).
    rateLimit:
      wholeOrNull(account?.settings.rateLimit) ??
      (account ? (context.catalog.get(account.type).defaultRateLimit ?? 0) : 0),
    freshnessTargetsMs: freshness.targets,
    freshnessConfigured: freshness.configured,
  };
}

/**
 * Whether a usage period is final at `now`: it ended more than `revisionDays` whole CST days
 * ago, so the supplier no longer revises it. With 2 days, on the 10th the 7th is final and the
 * 8th and 9th are still open.
 */
export function periodIsFinal(period: string, revisionDays: number, now: number): boolean {
  const last = period.length === 7 ? monthBounds(period).last : period;
  return last < addDays(cstToday(now), -revisionDays);
}
