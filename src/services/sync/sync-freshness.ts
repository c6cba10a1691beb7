import { SyncCheckpoints } from '../../store/repositories/sync-checkpoints.js';
import type { ServiceContext } from '../context.js';
import { RUNS_PER_DAY, runAllotment } from './poll-priority.js';
import { accountSyncSettings } from './sync-settings.js';

const HOUR = 3_600_000;

import { DEFAULT_TARGETS_MS } from './freshness-targets.js';

export { DEFAULT_TARGETS_MS };

export interface NeedFreshness {
  need: 'status' | 'usage.monthly';
  /** Cards whose figure can still change (deactivated cards and suspended cards' usage aside). */
  cards: number;
  /** Never read yet. */
  neverRead: number;
  /** Staleness in ms of the cards read at least once (null when none was). */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  targetMs: number;
  /** Share of `cards` read within the target (never-read cards count as outside). */
  withinTarget: number;
  /** Cards per supplier call for this need (1: one card a call, the budget decides). */
  batchSize: number;
  /**
   * The target the account's call budget can hold for every card: for one-card-per-call needs,
   * cards ÷ calls per hour the budget gives this need; null without a rate limit (no bound).
   */
  achievableMs: number | null;
}

export interface AccountFreshness {
  account: string;
  supplier: string;
  cards: number;
  /** Deactivated cards: nothing to poll. */
  settled: number;
  /** Calls per second (0: no limit), the day's capacity and the schedule's share of it. */
  rateLimit: number;
  dayCapacity: number | null;
  scheduleBudget: number | null;
  needs: NeedFreshness[];
}

function percentile(sorted: number[], share: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

/**
 * How fresh an account's cards are, per need: staleness p50/p99/max, the share within target,
 * and what the call budget can hold when it cannot hold the target.
 */
export async function accountFreshness(
  context: ServiceContext,
  accountId: string,
  targets: Partial<Record<NeedFreshness['need'], number>> = {},
): Promise<AccountFreshness> {
  const adapter = await context.adapter(accountId);
  const settings = await accountSyncSettings(context, accountId, adapter);
  const checks = await context.store.freshness.accountChecks(accountId);
  const now = context.clock.now();
  // With a change feed, every card read once is known as of the feed's last full read: a card
  // the feed did not name has not changed since.
  const feedAt = await new SyncCheckpoints(context.store, () => now).changeFeedReadFrom(accountId);
  const needs = (['status', 'usage.monthly'] as const).filter((need) =>
    adapter.capabilities.has(need),
  );
  const perCardNeeds = needs.filter((need) => (adapter.limits.batchSize[need] ?? 1) === 1).length;
  const result: NeedFreshness[] = needs.map((need) => {
    const values = need === 'status' ? checks.status : checks.usage;
    const ages = values
      .filter((at): at is number => at !== null)
      .map((at) => (need === 'status' && feedAt !== null ? Math.max(at, feedAt) : at))
      .map((at) => Math.max(0, now - at))
      .sort((a, b) => a - b);
    const targetMs = targets[need] ?? DEFAULT_TARGETS_MS[need];
    const batchSize = adapter.limits.batchSize[need] ?? 1;
    const perRun = runAllotment({
      ratePerSecond: settings.rateLimit,
      budgetShare: settings.budgetShare,
      perCardNeeds,
      cards: values.length,
      fleet: values.length,
    });
    const perHour = (perRun * RUNS_PER_DAY) / 24;
    return {
      need,
      cards: values.length,
      neverRead: values.length - ages.length,
      p50Ms: percentile(ages, 0.5),
      p99Ms: percentile(ages, 0.99),
      maxMs: ages.at(-1) ?? null,
      targetMs,
      withinTarget:
        values.length === 0 ? 1 : ages.filter((age) => age <= targetMs).length / values.length,
      batchSize,
      achievableMs:
        batchSize === 1 && Number.isFinite(perHour) && values.length > 0
          ? Math.max(HOUR, Math.ceil(values.length / perHour) * HOUR)
          : null,
    };
  });
  return {
    account: accountId,
    supplier: adapter.supplier,
    cards: checks.cards,
    settled: checks.settled,
    rateLimit: settings.rateLimit,
    dayCapacity: settings.rateLimit > 0 ? Math.floor(settings.rateLimit * 86_400) : null,
    scheduleBudget:
      settings.rateLimit > 0
        ? Math.floor(settings.rateLimit * 86_400 * settings.budgetShare)
        : null,
    needs: result,
  };
}
