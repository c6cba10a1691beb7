import { SimdockError } from '../../domain/index.js';
import type { ServiceContext } from '../context.js';
import {
  FRESHNESS_NEEDS,
  type FreshnessNeed,
  freshnessProblems,
} from '../sync/freshness-targets.js';

/** Freshness targets as written: need → duration (`1h`); null or absent: the default. */
export type FreshnessTargetsInput = Partial<Record<FreshnessNeed, string | null>>;

/**
 * Refuses targets that are not a mapping of known needs to durations (30m, 1h, 6h, 1d), naming
 * the need and the problem.
 */
export function validateFreshnessTargets(targets: unknown): void {
  const written =
    typeof targets === 'object' && targets !== null && !Array.isArray(targets)
      ? Object.fromEntries(Object.entries(targets).filter(([, value]) => value !== null))
      : targets;
  const [first] = freshnessProblems(written);
  if (first) {
    throw new SimdockError(
      'invalid_argument',
      `freshness${first.key === null ? '' : `.${first.key}`}: ${first.problem}`,
      { details: { field: first.key === null ? 'freshness' : `freshness.${first.key}` } },
    );
  }
}

/**
 * Sets an account's freshness targets (`sync.freshness` of its settings): the needs given replace
 * the account's own, the rest fall back to the defaults. An account from simdock.yaml is written
 * again from the file when a process starts, so the file is where its targets belong.
 */
export async function setAccountFreshnessTargets(
  context: ServiceContext,
  accountId: string,
  targets: FreshnessTargetsInput,
): Promise<void> {
  validateFreshnessTargets(targets);
  const account = await context.store.accounts.get(accountId);
  if (!account) {
    throw new SimdockError('not_found', `no account "${accountId}"`, {
      details: { account: accountId },
    });
  }
  const freshness: Partial<Record<FreshnessNeed, string>> = {};
  for (const need of FRESHNESS_NEEDS) {
    const written = targets[need];
    if (typeof written === 'string') freshness[need] = written.trim();
  }
  const { freshness: _old, ...sync } = (account.settings.sync ?? {}) as Record<string, unknown>;
  const nextSync = Object.keys(freshness).length > 0 ? { ...sync, freshness } : sync;
  const { sync: _sync, ...settings } = account.settings;
  await context.store.accounts.upsert({
    id: account.id,
    type: account.type,
    settings: Object.keys(nextSync).length > 0 ? { ...settings, sync: nextSync } : settings,
    secrets: account.secrets,
  });
}
