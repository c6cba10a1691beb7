import { SyncCheckpoints } from '../../store/repositories/sync-checkpoints.js';
import type { ServiceContext } from '../context.js';
import { RUNS_PER_DAY, runAllotment } from './poll-priority.js';
import { accountSyncSettings } from './sync-settings.js';

const HOUR = 3_600_000;

import { DEFAULT_TARGETS_MS, type FreshnessNeed } from './freshness-targets.js';

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
  /** Whether the target is the account's own (`sync.freshness`) or the default. */
  targetSource: 'account' | 'default';
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

/**
 * How fresh an account's cards are, per need: staleness p50/p99/max, the share within target,
 * and what the call budget can hold when it cannot hold the target. The targets are the
 * account's (`sync.freshness`), else the defaults; `targets` overrides both. The figures are
 * computed in the database: nothing per card is read out, so it stays cheap at a million cards.
 */
export async function accountFreshness(
  context: ServiceContext,
  accountId: string,
  targets: Partial<Record<NeedFreshness['need'], number>> = {},
): Promise<AccountFreshness> {
  const adapter = await context.adapter(accountId);
  const settings = await accountSyncSettings(context, accountId, adapter);
  const now = context.clock.now();
  const targetOf = (need: FreshnessNeed) => targets[need] ?? settings.freshnessTargetsMs[need];
  const figures = await context.store.freshness.accountStaleness(
    accountId,
    { status: now - targetOf('status'), usage: now - targetOf('usage.monthly') },
    [0.5, 0.99],
  );
  // With a change feed, every card read once is known as of the feed's last full read: a card
  // the feed did not name has not changed since. Reads only grow by it, so its ranks hold.
  const feedAt = await new SyncCheckpoints(context.store, () => now).changeFeedReadFrom(accountId);
  const needs = (['status', 'usage.monthly'] as const).filter((need) =>
    adapter.capabilities.has(need),
  );
  const perCardNeeds = needs.filter((need) => (adapter.limits.batchSize[need] ?? 1) === 1).length;
  const result: NeedFreshness[] = needs.map((need) => {
    const counted = need === 'status' ? figures.status : figures.usage;
    const read = (at: number | null) =>
      at === null ? null : need === 'status' && feedAt !== null ? Math.max(at, feedAt) : at;
    const age = (at: number | null) => {
      const effective = read(at);
      return effective === null ? null : Math.max(0, now - effective);
    };
    const targetMs = targetOf(need);
    const within =
      need === 'status' && feedAt !== null && feedAt >= now - targetMs
        ? counted.read
        : counted.within;
    const batchSize = adapter.limits.batchSize[need] ?? 1;
    const perRun = runAllotment({
      ratePerSecond: settings.rateLimit,
      budgetShare: settings.budgetShare,
      perCardNeeds,
      cards: counted.cards,
      fleet: counted.cards,
    });
    const perHour = (perRun * RUNS_PER_DAY) / 24;
    return {
      need,
      cards: counted.cards,
      neverRead: counted.cards - counted.read,
      p50Ms: age(counted.ranked[0] ?? null),
      p99Ms: age(counted.ranked[1] ?? null),
      maxMs: age(counted.oldest),
      targetMs,
      targetSource:
        targets[need] !== undefined || settings.freshnessConfigured[need] ? 'account' : 'default',
      withinTarget: counted.cards === 0 ? 1 : within / counted.cards,
      batchSize,
      achievableMs:
        batchSize === 1 && Number.isFinite(perHour) && counted.cards > 0
          ? Math.max(HOUR, Math.ceil(counted.cards / perHour) * HOUR)
          : null,
    };
  });
  return {
    account: accountId,
    supplier: adapter.supplier,
    cards: figures.cards,
    settled: figures.settled,
    rateLimit: settings.rateLimit,
    dayCapacity: settings.rateLimit > 0 ? Math.floor(settings.rateLimit * 86_400) : null,
    scheduleBudget:
      settings.rateLimit > 0
        ? Math.floor(settings.rateLimit * 86_400 * settings.budgetShare)
        : null,
    needs: result,
  };
}

/**
 * Whether the call budget cannot hold the target for every card: what simdock can meet instead
 * is `achievableMs`.
 */
export function targetUnreachable(need: NeedFreshness): boolean {
  return need.achievableMs !== null && need.achievableMs > need.targetMs;
}
