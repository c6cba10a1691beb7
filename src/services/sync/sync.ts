import {
  addMonths,
  billingCycleAt,
  cstStartOfDay,
  errorMessage,
  isBillingCycleStartDay,
  lastCompleteDays,
} from '../../domain/index.js';
import type { StoredCard, SyncRunOutcome } from '../../store/index.js';
import { EventOutbox } from '../../store/repositories/event-outbox.js';
import {
  SyncCheckpoints,
  type SyncPlan,
  type SyncPlanParams,
  type SyncSlice,
} from '../../store/repositories/sync-checkpoints.js';
import {
  type BatchResult,
  type Capability,
  chunk,
  reportThrottling,
  requireOperation,
  type SupplierAdapterV1,
  supplierExtra,
  withRetry,
} from '../../suppliers/spec/index.js';
import type { ServiceContext } from '../context.js';
import { asScheduledWork } from '../limits/shared-limiter.js';
import { evaluateRules } from '../rules/rules-evaluate.js';
import { type BatchFailure, runBatches } from './batch-runner.js';
import { changedSinceLastRead } from './change-feed.js';
import type { FreshnessTargetsMs } from './freshness-targets.js';
import { KeepBuffer } from './keep-buffer.js';
import {
  type BudgetedNeed,
  cardAllotment,
  freshForMs,
  freshnessJudgedAt,
  listingPagesPerRun,
  pollFirst,
  RUN_HEADROOM,
  RUN_INTERVAL_MS,
  runCallAllotments,
  URGENT_FRESH_FOR_MS,
} from './poll-priority.js';
import { urgentCards } from './poll-urgency.js';
import { type PhaseAnswer, SLICE_PHASES, type SliceNeed } from './sync-phases.js';
import { accountSyncSettings, periodIsFinal } from './sync-settings.js';

export type SyncPhase = 'inventory' | 'identities' | 'status' | 'usage.daily' | 'usage.monthly';

export interface SyncProgress {
  account: string;
  phase: SyncPhase;
  /** Work done in this phase of the run (cards, or card-days for daily usage), and the total. */
  done: number;
  total: number;
}

export interface SyncOptions {
  /** Complete CST days of daily usage to pull (default 7, bounded by the supplier's window). */
  days?: number;
  /** Pull daily usage even where it costs one call per card (default: only batch endpoints). */
  perCardDaily?: boolean;
  /** Batches in flight at once within a slice (default 4). */
  concurrency?: number;
  /** Cards per slice, the unit of work a worker takes (default 2,000). */
  sliceSize?: number;
  /** Continue the account's unfinished run, if there is one, instead of starting anew. */
  resume?: boolean;
  /**
   * Ask every card for every period, even days and months already final and stored (by default
   * those are only filled where a card misses a figure), and for its identifiers again (by
   * default read once per card).
   */
  full?: boolean;
  /**
   * Which CST month's usage to read: `current` (month to date, the default) or `previous` (the
   * month-end reconciliation on the 1st, once suppliers have closed the month).
   */
  month?: 'current' | 'previous';
  /**
   * Retries of a failing batch (throttling, timeouts, 5xx): attempts with exponential backoff
   * and jitter. Default 6 attempts from 1 s, at most 30 s apart (about half a minute in all).
   */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  onProgress?: (progress: SyncProgress) => void;
  abortSignal?: AbortSignal;
  actor?: string;
  /**
   * The job planning the run (`job:<id>`). A retry of that job takes up the run it planned,
   * finished or not, instead of planning another: a job that died after planning must not make
   * a second run's supplier calls.
   */
  plannedBy?: string;
}

export interface SyncSummary {
  account: string;
  supplier: string;
  runId: number;
  status: SyncRunOutcome;
  cards: number;
  synced: number;
  failed: number;
  calls: number;
  rowsWritten: number;
  failuresByReason: Record<string, number>;
  /** Why the run stopped early (bad credentials, supplier down); null when it did not. */
  stoppedBy: BatchFailure | null;
  phases: SyncPhase[];
  durationMs: number;
}

const PAGE = 10_000;
/**
 * Answers a slice stores in one transaction at most, and how long the first of them waits (30 s
 * of calls at 5 calls/s is 15,000 usage rows of 100-card batches).
 */
export const KEEP_ANSWERS = 20_000;
const KEEP_WAIT_MS = 30_000;
const DEFAULT_SLICE = 2_000;
/** Slices a sync run in this process works at once (a queue worker's default concurrency). */
const SLICE_LANES = 2;

/**
 * Where a slice stands in its run (`SyncPlanParams.ranges`): its range of cards, and the slice
 * of the next pass over that range (null: none). A run of one pass has a range per slice.
 */
export function slicePlace(
  params: SyncPlanParams,
  slice: number,
  slices: number,
): { range: number; next: number | null } {
  const ranges = params.ranges ?? slices;
  return { range: slice % ranges, next: slice + ranges < slices ? slice + ranges : null };
}

function primaryKind(card: StoredCard): 'iccid' | 'msisdn' | 'imsi' {
  return card.iccid ? 'iccid' : card.msisdn ? 'msisdn' : 'imsi';
}

/** Batches of at most `size` cards, each holding one identifier kind (batch endpoints take one). */
function batchesOf(cards: StoredCard[], size: number): StoredCard[][] {
  const byKind = new Map<string, StoredCard[]>();
  for (const card of cards) {
    const kind = primaryKind(card);
    const list = byKind.get(kind) ?? [];
    list.push(card);
    byKind.set(kind, list);
  }
  return [...byKind.values()].flatMap((list) => chunk(list, size));
}

/**
 * Whether a card can have used data in a usage period (a day, or a billing month, which may
 * start in the calendar month before): not when it was deactivated (销号) before the period
 * began. Deactivated with no known time, it has been since simdock knows it.
 */
export function couldUse(card: Pick<StoredCard, 'status' | 'statusChangedAt'>, period: string) {
  if (card.status !== 'deactivated') return true;
  const start = cstStartOfDay(period.length === 7 ? `${addMonths(period, -1)}-01` : period);
  return (card.statusChangedAt ?? Number.NEGATIVE_INFINITY) >= start;
}

export type SyncPass = 'urgent' | 'yesterday' | 'rest' | 'urgent-again';

/**
 * The passes a run makes over the account's cards, or none (one pass reads everything):
 * - `urgent` first, where the budget cannot hold every status at its target: the statuses of
 *   cards near their quota or under a rule that may fire, at the start of every run, so that they
 *   are read at the same time each hour however long the rest takes;
 * - `yesterday`, in a run that reads yesterday's usage in full and more besides: yesterday for
 *   every card before anything else, as an operator looks at it in the morning;
 * - `rest`: everything else;
 * - `urgent-again` last, after an urgent pass in a run that starts too late in its hour to end
 *   before the next (`startedAt`; an hour's run takes RUN_HEADROOM × the share of it): such a run
 *   stands in for the next hour's, so once past the hour it reads again the urgent statuses it
 *   has not read since (a run that ends in its hour makes no call in it).
 * Sets `params.leadDays` for the yesterday pass.
 */
export function runPasses(
  adapter: Pick<SupplierAdapterV1, 'capabilities' | 'limits'>,
  params: SyncPlanParams,
  budget: {
    ratePerSecond: number;
    budgetShare: number;
    fleet: number;
    targets?: FreshnessTargetsMs;
    /** When the run starts (epoch ms); absent: not known, no `urgent-again` pass. */
    startedAt?: number;
  },
  options: { full?: boolean } = {},
): SyncPass[] {
  const passes: SyncPass[] = [];
  // Statuses the budget cannot hold at their target for the whole fleet (one card or a few a
  // call): the urgent ones come first.
  const needs = budgetedNeeds(adapter, params);
  const urgent =
    !options.full &&
    params.statusCards === undefined &&
    needs.some((need) => need.need === 'status') &&
    Number.isFinite(runCallAllotments({ ...budget, needs }).get('status'));
  if (urgent) passes.push('urgent');
  const newest = params.days.at(-1);
  const others = needs.some((need) => need.need !== 'usage.daily');
  if (newest && !(params.fillOnly ?? []).includes(newest) && (others || params.days.length > 1)) {
    passes.push('yesterday');
    params.leadDays = [newest];
  }
  if (passes.length === 0) return [];
  passes.push('rest');
  if (urgent && budget.startedAt !== undefined) {
    const intoHour = budget.startedAt % RUN_INTERVAL_MS;
    if (intoHour + RUN_HEADROOM * budget.budgetShare * RUN_INTERVAL_MS > RUN_INTERVAL_MS)
      passes.push('urgent-again');
  }
  return passes;
}

/** Whether a pass of a run reads a need for a period. */
export function passReads(
  pass: SyncPass | 'all',
  need: SliceNeed,
  period: string,
  leadDays: readonly string[],
): boolean {
  // Identities first, in whichever pass meets a card without them (later ones find none):
  // batches of one identifier kind are full only once every card has its ICCID.
  if (need === 'identities') return true;
  const lead = need === 'usage.daily' && leadDays.includes(period);
  if (pass === 'urgent' || pass === 'urgent-again') return need === 'status';
  if (pass === 'yesterday') return lead;
  return pass === 'all' || !lead;
}

/**
 * Cards per slice for an adapter: 2,000, or 20 batches of its largest sync batch where that is
 * more (Quectel's 1,000), so that a slice's last, part-filled batch is a small share of its calls.
 */
export function defaultSliceSize(adapter: Pick<SupplierAdapterV1, 'limits'>): number {
  const sizes = SLICE_PHASES.map((phase) => adapter.limits.batchSize[phase.need] ?? 1);
  return Math.max(DEFAULT_SLICE, 20 * Math.max(...sizes));
}

/**
 * Cuts an account's cards, taken in id order, into slices of `size` cards that can still change
 * (not deactivated), each with the deactivated cards among them: the cards a run asks fill
 * whole batches however many of the fleet are deactivated.
 */
export function sliceCutter(size: number) {
  const slices: { firstCardId: number; lastCardId: number }[] = [];
  let first: number | null = null;
  let last = 0;
  let live = 0;
  return {
    add(card: Pick<StoredCard, 'id' | 'status'>) {
      first ??= card.id;
      last = card.id;
      if (card.status !== 'deactivated') live += 1;
      if (live === size) {
        slices.push({ firstCardId: first, lastCardId: last });
        first = null;
        live = 0;
      }
    },
    slices() {
      if (first !== null) slices.push({ firstCardId: first, lastCardId: last });
      first = null;
      return slices;
    },
  };
}

/**
 * A batch's stable name within a run: phase, period, identifier kind and card id range, and the
 * pass of a run of several (the rest pass may read again, past the hour, a card the urgent pass
 * read alone; that batch is not the urgent pass's, already done).
 */
function batchKey(
  pass: SyncPass | 'all',
  phase: SyncPhase,
  period: string,
  batch: StoredCard[],
): string {
  const key = `${phase}:${period}:${primaryKind(batch[0]!)}:${batch[0]!.id}-${batch.at(-1)!.id}:${batch.length}`;
  return pass === 'all' ? key : `${pass}:${key}`;
}

/**
 * The needs a run polls by freshness inside the account's budget: statuses and monthly usage,
 * and daily usage where it is asked one card a call (in batches it is asked by period).
 */
export function budgetedNeeds(
  adapter: Pick<SupplierAdapterV1, 'capabilities' | 'limits'>,
  params: { days: string[]; month: string | null },
): BudgetedNeed[] {
  return SLICE_PHASES.filter(
    (row) =>
      row.need !== 'identities' &&
      adapter.capabilities.has(row.need) &&
      row.periods(params).length > 0 &&
      (row.need !== 'usage.daily' || (adapter.limits.batchSize[row.need] ?? 1) === 1),
  ).map((row) => ({ need: row.need, batchSize: adapter.limits.batchSize[row.need] ?? 1 }));
}

/**
 * Which usage periods a run reads for every card and which it only fills for cards missing
 * them. Yesterday (the newest day) is read in full; a final period is read in full once, then
 * filled; a day between yesterday and final was read in full when it was yesterday and will be
 * once more when it turns final, so meanwhile it is only filled. A day is read twice (its first
 * figure and its final one): a daily run asks two days, the default revision window. `full`
 * reads everything in full.
 */
export function usagePeriodsToAsk(options: {
  days: string[];
  finalDays: string[];
  finalMonth: string[];
  checked: ReadonlySet<string>;
  full: boolean;
}): { fillOnly: string[]; toCheck: string[] } {
  const { days, finalDays, finalMonth, checked, full } = options;
  const finals = [...finalDays, ...finalMonth];
  if (full) return { fillOnly: [], toCheck: finals };
  const newest = days.at(-1);
  const settling = days.filter((day) => day !== newest && !finalDays.includes(day));
  const fillOnly = [...finals.filter((period) => checked.has(period)), ...settling];
  return { fillOnly, toCheck: finals.filter((period) => !fillOnly.includes(period)) };
}

/**
 * The calls a run's daily usage costs in batches: the days it reads in full, for the fleet (the
 * days it only fills cost next to nothing).
 */
export function dailyUsageCalls(
  adapter: Pick<SupplierAdapterV1, 'limits'>,
  params: { days: string[]; fillOnly?: string[] },
  fleet: number,
): number {
  const size = adapter.limits.batchSize['usage.daily'] ?? 1;
  if (size <= 1) return 0;
  const full = params.days.filter((day) => !(params.fillOnly ?? []).includes(day)).length;
  return full * Math.ceil(fleet / size);
}

/** The phases an adapter's capabilities call for, in order. */
function phasesFor(adapter: SupplierAdapterV1, options: SyncOptions): SyncPhase[] {
  const phases: SyncPhase[] = [];
  const has = (capability: Capability) => adapter.capabilities.has(capability);
  if (has('inventory')) phases.push('inventory');
  if (has('identities')) phases.push('identities');
  if (has('status')) phases.push('status');
  const dailyBatch = adapter.limits.batchSize['usage.daily'] ?? 1;
  if (has('usage.daily') && (dailyBatch > 1 || options.perCardDaily)) phases.push('usage.daily');
  if (has('usage.monthly')) phases.push('usage.monthly');
  return phases;
}

async function* cardPages(
  context: ServiceContext,
  accountId: string,
  range: { afterId: number; lastId: number } = { afterId: 0, lastId: Number.MAX_SAFE_INTEGER },
): AsyncGenerator<StoredCard[]> {
  let afterId = range.afterId;
  for (;;) {
    const page = (
      await context.store.cards.listForSync(accountId, { afterId, limit: PAGE })
    ).filter((card) => card.id <= range.lastId);
    if (page.length === 0) return;
    yield page;
    afterId = page.at(-1)!.id;
    if (page.length < PAGE || afterId >= range.lastId) return;
  }
}

/** The cards of these ids, a page at a time in id order. */
async function* namedCardPages(
  context: ServiceContext,
  ids: number[],
): AsyncGenerator<StoredCard[]> {
  const sorted = [...ids].sort((a, b) => a - b);
  for (let start = 0; start < sorted.length; start += PAGE) {
    const found = await context.store.cards.getMany(sorted.slice(start, start + PAGE));
    yield [...found.values()].sort((a, b) => a.id - b.id);
  }
}

/**
 * The month whose usage a run reads: the supplier's billing month, its cycle's, labelled by the
 * month the cycle ends in (China Unicom's 27th-to-26th cycle on Dec 28 is January's), the
 * calendar month otherwise, or the one before for `month: 'previous'`. A cycle ending before its
 * calendar month does counts as final a few days late: safe.
 */
function billingMonth(
  adapter: SupplierAdapterV1,
  options: Pick<SyncOptions, 'month'>,
  now: number,
): string {
  return addMonths(
    billingCycleAt(now, supplierCycleStartDay(adapter)).month,
    options.month === 'previous' ? -1 : 0,
  );
}

/**
 * Plans a sync run: discovers the fleet where the supplier lists it, fixes the dates to pull,
 * and cuts the account's cards into slices that workers can take one by one.
 */
export function planSync(
  context: ServiceContext,
  accountId: string,
  options: SyncOptions = {},
): Promise<SyncPlan> {
  return asScheduledWork(() => planRun(context, accountId, options));
}

async function planRun(
  context: ServiceContext,
  accountId: string,
  options: SyncOptions,
): Promise<SyncPlan> {
  const adapter = await context.adapter(accountId);
  const checkpoints = new SyncCheckpoints(context.store, () => context.clock.now());
  const runId = await context.store.syncRuns.start({ account: accountId, kind: 'full' });
  const callsBefore = context.callCounter(accountId).total;
  const phases = phasesFor(adapter, options);
  // Every change after this instant is for the next run's feed read.
  const startedAt = context.clock.now();
  const settings = await accountSyncSettings(context, accountId, adapter);
  const listing = phases.includes('inventory')
    ? await listingShare(context, adapter, checkpoints, options, settings)
    : null;
  if (listing) {
    try {
      await listFleet(context, adapter, checkpoints, listing, options);
    } catch (error) {
      // The fleet could not be listed: the run ends failed, with nothing else attempted.
      await context.store.syncRuns.finish(runId, {
        status: 'failed',
        cards: 0,
        synced: 0,
        failed: 0,
        calls: context.callCounter(accountId).total - callsBefore,
        rowsWritten: 0,
        failuresByReason: {},
        durationMs: 0,
      });
      throw error;
    }
  }
  const window = adapter.limits.dailyUsageWindowDays ?? 7;
  const days = phases.includes('usage.daily')
    ? lastCompleteDays(Math.min(options.days ?? 7, window), context.clock.now())
    : [];
  const month = phases.includes('usage.monthly')
    ? billingMonth(adapter, options, context.clock.now())
    : null;
  // Incremental usage: a final period read in full before is only filled where cards miss it;
  // a final period not yet read in full is read for every card and recorded as checked.
  const { revisionDays } = settings;
  const now = context.clock.now();
  const finalDays = days.filter((day) => periodIsFinal(day, revisionDays, now));
  const finalMonth = month !== null && periodIsFinal(month, revisionDays, now) ? [month] : [];
  const checkedDays = await checkpoints.usageChecked(accountId, 'usage.daily', finalDays);
  const checkedMonth = await checkpoints.usageChecked(accountId, 'usage.monthly', finalMonth);
  const { fillOnly, toCheck } = usagePeriodsToAsk({
    days,
    finalDays,
    finalMonth,
    checked: new Set([...checkedDays, ...checkedMonth]),
    full: options.full === true,
  });
  // A supplier with a change feed: only the cards it names have their status read, unless
  // this is the first run, the position is lost, the feed failed, or --full asks every card.
  const feeds = phases.includes('status') && supplierExtra(adapter, 'doListChangedCards') !== null;
  const changed =
    feeds && !options.full
      ? await changedSinceLastRead(context, adapter, checkpoints, options)
      : null;
  const params: SyncPlanParams = {
    days,
    month,
    fillOnly,
    toCheck,
    ...(changed ? { statusCards: changed.cardIds } : {}),
    ...(feeds ? { feedReadFrom: startedAt } : {}),
    ...(options.full ? { identitiesBefore: startedAt } : {}),
    actor: options.actor ?? 'cli',
  };
  const cutter = sliceCutter(options.sliceSize ?? defaultSliceSize(adapter));
  let cards = 0;
  for await (const page of cardPages(context, accountId)) {
    cards += page.length;
    for (const card of page) cutter.add(card);
  }
  const slices = cutter.slices();
  const passes = runPasses(
    adapter,
    params,
    {
      ratePerSecond: settings.rateLimit,
      budgetShare: settings.budgetShare,
      fleet: cards,
      targets: settings.freshnessTargetsMs,
      startedAt,
    },
    options,
  );
  if (passes.length > 0) {
    params.ranges = slices.length;
    params.passes = passes;
    const ranges = [...slices];
    for (let pass = 1; pass < passes.length; pass += 1) slices.push(...ranges);
  }
  const plan = {
    runId,
    account: accountId,
    params,
    cards,
    calls: context.callCounter(accountId).total - callsBefore,
  };
  await checkpoints.createPlan({ ...plan, plannedBy: options.plannedBy }, slices);
  await supersedeCovered(context, checkpoints, plan);
  return { ...plan, finishedAt: null };
}

/**
 * Syncs one slice of a planned run, phase by phase as `SLICE_PHASES` lists them (identities where
 * missing, statuses, daily and monthly usage), with the supplier's batch endpoints. Every finished batch is recorded before the next, and a
 * batch recorded earlier (by a crashed process, or another worker) is not fetched again.
 * Per-card failures are recorded with their reason as they happen.
 */
export function syncSlice(
  context: ServiceContext,
  runId: number,
  sliceNumber: number,
  options: SyncOptions = {},
  report: (phase: SyncPhase, work: number) => void = () => {},
): Promise<{ stoppedBy: BatchFailure | null }> {
  // Sync calls are scheduled work: held to the account's schedule share of its rate limit.
  return asScheduledWork(() => runSlice(context, runId, sliceNumber, options, report));
}

async function runSlice(
  context: ServiceContext,
  runId: number,
  sliceNumber: number,
  options: SyncOptions,
  report: (phase: SyncPhase, work: number) => void,
): Promise<{ stoppedBy: BatchFailure | null }> {
  const { store, clock } = context;
  const checkpoints = new SyncCheckpoints(store, () => clock.now());
  const plan = await checkpoints.plan(runId);
  const slice = (await checkpoints.slices(runId)).find((item) => item.slice === sliceNumber);
  if (!plan || !slice) throw new Error(`sync run ${runId} has no slice ${sliceNumber}`);
  // Done, or the run was closed (a newer run took its place): nothing to ask.
  if (slice.state === 'done' || plan.finishedAt !== null) return { stoppedBy: null };
  const accountId = plan.account;
  const adapter = await context.adapter(accountId);
  const failed = new Map<number, BatchFailure>();
  let stopped: BatchFailure | null = null;
  const range = { afterId: slice.firstCardId - 1, lastId: slice.lastCardId };
  const batchSize = (capability: Capability) => adapter.limits.batchSize[capability] ?? 1;
  /** Records failed cards; the first reason a card failed with is the one later phases see. */
  const recordFailures = (failures: { cardId: number; code: string; message: string }[]) => {
    for (const { cardId, ...failure } of failures)
      if (!failed.has(cardId)) failed.set(cardId, failure);
    return store.syncRuns.recordFailures(runId, failures);
  };
  const recordItemFailures = (result: BatchResult<unknown>) =>
    recordFailures(
      result.items.flatMap((item) =>
        item.ok
          ? []
          : [{ cardId: Number(item.key), code: item.error.code, message: item.error.message }],
      ),
    );
  const target = {
    store,
    accountId,
    state: {
      statusFresh: new Set<number>(),
      identitiesBefore: plan.params.identitiesBefore ?? null,
    },
  };
  const fillOnly = new Set(plan.params.fillOnly ?? []);
  // The change feed named the cards whose status changed: the others are not asked.
  const statusCards = plan.params.statusCards ? new Set(plan.params.statusCards) : null;
  const settings = await accountSyncSettings(context, accountId, adapter);
  // The needs the schedule's budget is shared by: statuses and monthly usage, and daily usage
  // where it is asked one card a call. Daily usage in batches is asked by period instead.
  // Monthly usage is polled by freshness for the month in progress; a closed month (the
  // month-end reconciliation) is asked of every card it is not filled for.
  const currentMonth = billingCycleAt(clock.now(), supplierCycleStartDay(adapter)).month;
  const budgeted = budgetedNeeds(adapter, plan.params).filter(
    (need) => need.need !== 'usage.monthly' || plan.params.month === currentMonth,
  );
  // A run of several passes: this slice's pass over its range of cards.
  const pass: SyncPass | 'all' =
    plan.params.passes?.[Math.floor(slice.slice / (plan.params.ranges ?? 1))] ?? 'all';
  const allotmentsBesides = (reserved: number) =>
    runCallAllotments({
      ratePerSecond: settings.rateLimit,
      budgetShare: settings.budgetShare,
      fleet: plan.cards,
      needs: budgeted,
      reserved,
      targets: settings.freshnessTargetsMs,
    });
  // The run's calls besides: daily usage in batches, and the listing and feed of its planning.
  // The urgent pass has an hourly run's allotment even in the daily run: yesterday's usage does
  // not make near-quota statuses wait a day's run (the rest pass gets what is left).
  const allotments = allotmentsBesides(
    dailyUsageCalls(adapter, plan.params, plan.cards) + plan.calls,
  );
  const urgentOnly = pass === 'urgent' || pass === 'urgent-again';
  const urgentAllotments = urgentOnly ? allotmentsBesides(plan.calls) : allotments;
  // Freshness is judged as of the run's start, so a card read at the same point of each run is
  // asked again after the same number of runs however long the run takes; once the run has gone
  // past its hour, as of that hour's start (`freshnessJudgedAt`).
  const runStart = (await store.syncRuns.get(runId))?.startedAt ?? clock.now();
  const judgedAt = freshnessJudgedAt(runStart, clock.now());

  const leadDays = plan.params.leadDays ?? [];
  // The run ended in its hour: no urgent status needs reading again.
  const skipped = pass === 'urgent-again' && judgedAt === runStart;
  for (const phase of skipped ? [] : SLICE_PHASES) {
    // The statuses the change feed named are read by the run's first slice, for the whole
    // account: a few cards spread over every slice would cost a part-empty batch each.
    const named = phase.need === 'status' && statusCards !== null;
    if (named && slice.slice !== 0) continue;
    const budgetedNeed = options.full
      ? undefined
      : budgeted.find((need) => need.need === phase.need);
    const periods = phase
      .periods(plan.params)
      .filter((period) => named || passReads(pass, phase.need, period, leadDays));
    if (periods.length === 0 || !adapter.capabilities.has(phase.need)) continue;
    const ask = phase.start(adapter, recordItemFailures);
    if (stopped) break;
    const pages = named
      ? namedCardPages(context, [...statusCards])
      : cardPages(context, accountId, range);
    for await (const page of pages) {
      let cards = page.filter(
        (card) =>
          phase.wants(card, target.state) &&
          failed.get(card.id)?.code !== 'supplier_card_unknown' &&
          (phase.need !== 'status' || statusCards === null || statusCards.has(card.id)),
      );
      if (budgetedNeed) {
        // Freshness first, inside the account's call budget: what cannot change and what is
        // fresh enough for the need's target are left alone, urgent and stalest cards first.
        const checks = await store.freshness.checks(cards.map((card) => card.id));
        let allotment = cardAllotment(
          (urgentOnly ? urgentAllotments : allotments).get(phase.need) ?? Number.POSITIVE_INFINITY,
          budgetedNeed.batchSize,
          cards.length,
          plan.cards,
        );
        if (pass === 'rest' && phase.need === 'status' && plan.params.passes?.includes('urgent')) {
          // What the urgent pass read of these cards came out of the same allotment (past the
          // hour, the run stands in for the next one and has its allotment again).
          const read = cards.filter(
            (card) =>
              (checks.get(card.id)?.statusCheckedAt ?? Number.NEGATIVE_INFINITY) >= judgedAt,
          ).length;
          allotment = Math.max(0, allotment - read);
        }
        // Near quota or under a rule that may fire: only worth finding when not all fit.
        const urgent =
          cards.length > allotment || urgentOnly
            ? await urgentCards(context, phase.need, cards)
            : new Set<number>();
        if (urgentOnly) cards = cards.filter((card) => urgent.has(card.id));
        const chosen = pollFirst(
          phase.need,
          cards,
          checks,
          judgedAt,
          allotment,
          urgent,
          // A long run started late in its hour still reads the urgent cards not read in the
          // last quarter hour: the next run may be more than an hour away.
          Math.min(
            urgentOnly ? URGENT_FRESH_FOR_MS : Number.POSITIVE_INFINITY,
            freshForMs(budgetedNeed, judgedAt, settings.freshnessTargetsMs),
          ),
          budgetedNeed.batchSize,
        );
        report(phase.need, cards.length - chosen.asked.length);
        cards = chosen.asked;
      }
      const units: { batch: StoredCard[]; period: string; key: string }[] = [];
      for (const period of periods) {
        // A final period read in full before: only the cards with no figure for it are asked.
        const have = fillOnly.has(period)
          ? phase.need === 'usage.daily'
            ? await store.usage.cardsWithDaily(
                cards.map((card) => card.id),
                period,
              )
            : await store.usage.cardsWithMonthly(
                cards.map((card) => card.id),
                period,
              )
          : null;
        const asked = cards.filter(
          (card) =>
            !have?.has(card.id) && (!phase.need.startsWith('usage') || couldUse(card, period)),
        );
        report(phase.need, cards.length - asked.length);
        for (const batch of batchesOf(asked, batchSize(phase.need)))
          units.push({ batch, period, key: batchKey(pass, phase.need, period, batch) });
      }
      // Batches an earlier attempt (a crashed worker) finished are not fetched again.
      const finished = await checkpoints.finishedAmong(
        runId,
        units.map((unit) => unit.key),
      );
      // Answers are stored several batches at a time, each batch marked done with them.
      const buffer = new KeepBuffer<{ batch: StoredCard[]; calls: number; answers: PhaseAnswer[] }>(
        {
          clock,
          maxAnswers: KEEP_ANSWERS,
          maxWaitMs: KEEP_WAIT_MS,
          store: async (batches) => {
            const rows = await phase.keep(
              target,
              batches.flatMap((batch) => batch.value.answers),
            );
            // The rows written are the whole flush's: counted on its last batch.
            await checkpoints.recordBatches(
              runId,
              batches.map((batch, index) => ({
                key: batch.key,
                calls: batch.value.calls,
                rowsWritten: index === batches.length - 1 ? rows : 0,
              })),
            );
          },
        },
      );
      let outcome: { stoppedBy: BatchFailure | null };
      try {
        outcome = await runBatches({
          batches: units.filter((unit) => !finished.has(unit.key)),
          concurrency: options.concurrency ?? 4,
          clock,
          ...options.retry,
          abortSignal: options.abortSignal,
          // Throttling codes found in answers (OneLink 71/72…) slow every process of the account.
          onError: (error) => reportThrottling(context.callLimiter(accountId), error),
          work: async ({ batch, period, key }) => {
            const { calls, answers } = await ask(batch, period, options.abortSignal);
            await buffer.add({ key, size: answers.length, value: { batch, calls, answers } });
            // Progress counts what was answered; it is stored within KEEP_WAIT_MS.
            report(phase.need, batch.length);
          },
          onFailure: async ({ batch }, failure) => {
            await recordFailures(batch.map((card) => ({ cardId: card.id, ...failure })));
            report(phase.need, batch.length);
          },
        });
      } finally {
        await buffer.flush().catch(async (error: unknown) => {
          // Answered but not stored: those cards failed, for the store's reason.
          if (options.abortSignal?.aborted) return;
          const failure = { code: 'internal', message: errorMessage(error) };
          for (const { value } of buffer.waiting) {
            await recordFailures(value.batch.map((card) => ({ cardId: card.id, ...failure })));
          }
        });
      }
      for (const unit of units) if (finished.has(unit.key)) report(phase.need, unit.batch.length);
      stopped ??= outcome.stoppedBy;
      if (stopped) break;
    }
    if (named && !stopped && plan.params.feedReadFrom !== undefined) {
      // Every status the feed named is stored: the other cards are known unchanged as of the
      // feed read, now rather than when the whole run ends (unless a named card failed: the next
      // run asks the feed from the old position again).
      const lost = plan.params.statusCards?.some((id) => failed.has(id)) ?? false;
      if (!lost) await checkpoints.saveChangeFeed(accountId, plan.params.feedReadFrom, runId);
    }
  }

  await checkpoints.finishSlice(runId, sliceNumber, stopped ? JSON.stringify(stopped) : null);
  return { stoppedBy: stopped };
}

/**
 * Closes a run once all its slices are done: totals from the recorded batches, failures by
 * reason (each failed card counted once), the sync run row, an audit record and, when the run
 * failed, a `sync.failed` event. Returns null while slices remain or when another worker
 * closed it first.
 */
export async function finishSync(
  context: ServiceContext,
  runId: number,
): Promise<SyncSummary | null> {
  const { store, clock } = context;
  const checkpoints = new SyncCheckpoints(store, () => clock.now());
  const plan = await checkpoints.plan(runId);
  if (!plan) throw new Error(`sync run ${runId} was never planned`);
  const slices = await checkpoints.slices(runId);
  if (slices.some((slice: SyncSlice) => slice.state !== 'done')) return null;
  const run = await store.syncRuns.get(runId);
  if (run && run.status !== 'running') {
    // Closed by another process; one that died before marking the plan finished left it open,
    // and an open plan would be taken up by every later sync of the account.
    await checkpoints.claimFinish(runId);
    return null;
  }
  const adapter = await context.adapter(plan.account);
  const totals = await checkpoints.totals(runId);
  const { firstFailure, failuresByReason } = await failuresOf(context, runId);
  const stoppedSlice = slices.find((slice) => slice.stoppedBy);
  const stoppedBy = stoppedSlice ? (JSON.parse(stoppedSlice.stoppedBy!) as BatchFailure) : null;
  const failed = firstFailure.size;
  const status = stoppedBy ? 'failed' : failed > 0 ? 'partial' : 'succeeded';
  // The run's cycle rows into the card list's usage order before the run closes (and within its
  // duration), not at the list's next read. A failed fold must not keep the claimed run open:
  // its writes stay pending, and the next fold (the list's next read at the latest) takes them.
  await store.fleetStats.foldUsageOrder().catch((error: unknown) => {
    context.telemetry.logger.warn(
      { err: error, runId },
      'the usage order was not brought up to date at the end of the run',
    );
  });
  const summary: SyncSummary = {
    account: plan.account,
    supplier: adapter.supplier,
    runId,
    status,
    cards: plan.cards,
    synced: plan.cards - failed,
    failed,
    calls: plan.calls + totals.calls,
    rowsWritten: totals.rowsWritten,
    failuresByReason,
    stoppedBy,
    phases: planPhases(adapter, plan),
    durationMs: clock.now() - (run?.startedAt ?? clock.now()),
  };
  // What a finished run settles is written before its row, each write the same whichever
  // process makes it, so a process that dies anywhere here leaves the run for the next one to
  // close (a slice job retried, the next sync of the account) rather than closed half-way.
  if (status !== 'failed' && plan.params.feedReadFrom !== undefined) {
    // The feed position moves to this run's start, unless a card the feed named failed (its
    // change would be lost: the next run asks the feed from the old position again).
    const named = new Set(plan.params.statusCards ?? []);
    const lost = plan.params.statusCards
      ? [...firstFailure.keys()].some((id) => named.has(id))
      : false;
    if (!lost) await checkpoints.saveChangeFeed(plan.account, plan.params.feedReadFrom, runId);
  }
  if (status !== 'failed') {
    // Final periods this run read for every card are not asked in full again.
    const toCheck = plan.params.toCheck ?? [];
    await checkpoints.markUsageChecked(
      plan.account,
      'usage.daily',
      toCheck.filter((period) => period.length === 10),
      runId,
    );
    await checkpoints.markUsageChecked(
      plan.account,
      'usage.monthly',
      toCheck.filter((period) => period.length === 7),
      runId,
    );
  }
  // One process closes the run: the one whose write finds its row still running.
  const closed = await store.syncRuns.finishIfRunning(runId, summary);
  await checkpoints.claimFinish(runId);
  if (!closed) return null;
  await store.audit.record({
    actor: plan.params.actor,
    action: 'sync',
    targetType: 'account',
    targetId: plan.account,
    account: plan.account,
    outcome: status === 'failed' ? 'failed' : 'succeeded',
    details: {
      runId,
      cards: plan.cards,
      failed,
      calls: summary.calls,
      rowsWritten: summary.rowsWritten,
    },
  });
  if (status === 'failed') {
    await new EventOutbox(store, () => clock.now()).emit([
      {
        type: 'sync.failed',
        subject: plan.account,
        account: plan.account,
        eventId: `sync.failed:${runId}`,
        data: { runId, account: plan.account, reason: stoppedBy, failed, cards: plan.cards },
      },
    ]);
  }
  // Rules see what the run wrote. Usage upserts count rows rather than name the cards that
  // changed, so every card of the account is evaluated; alerts and actions happen once anyway.
  await evaluateRules(context, { account: plan.account, actor: plan.params.actor });
  return summary;
}

/** The phases a planned run reads: daily usage only where it was planned with days. */
function planPhases(adapter: SupplierAdapterV1, plan: SyncPlan): SyncPhase[] {
  const daily = plan.params.days.length > 0;
  return phasesFor(adapter, { perCardDaily: daily }).filter(
    (phase) => phase !== 'usage.daily' || daily,
  );
}

/** A run's failed cards, each with the first reason it failed with, and their count by reason. */
async function failuresOf(
  context: ServiceContext,
  runId: number,
): Promise<{ firstFailure: Map<number, string>; failuresByReason: Record<string, number> }> {
  const firstFailure = new Map<number, string>();
  for (const failure of await context.store.syncRuns.failures(runId)) {
    if (failure.cardId !== null && !firstFailure.has(failure.cardId)) {
      firstFailure.set(failure.cardId, failure.code);
    }
  }
  const failuresByReason: Record<string, number> = {};
  for (const code of firstFailure.values())
    failuresByReason[code] = (failuresByReason[code] ?? 0) + 1;
  return { firstFailure, failuresByReason };
}

/**
 * What a run reads, as far as one run standing in for another goes: daily usage, the month of
 * monthly usage (null: whichever), identifiers again (`--full`).
 */
interface RunReads {
  daily: boolean;
  month: string | null;
  identities: boolean;
}

function readsOf(params: SyncPlanParams): RunReads {
  return {
    daily: params.days.length > 0,
    month: params.month,
    identities: params.identitiesBefore !== undefined,
  };
}

/** Whether a run reading `reader` reads everything `asked` asks. */
function covers(reader: RunReads, asked: RunReads): boolean {
  return (
    (!asked.daily || reader.daily) &&
    (asked.month === null || asked.month === reader.month) &&
    (!asked.identities || reader.identities)
  );
}

/**
 * Closes the account's older unfinished runs that a newly planned run covers (`covers`): the
 * newer run, planned with the fleet and priorities as they are now, reads what their remaining
 * slices would have, so those slices make no call (a slice already under way in a worker ends
 * as it is) and the two runs do not share the account's rate limit reading the same cards. Such
 * a run ends `superseded`: the cards of its finished card ranges count as synced (less those
 * that failed), the rest as neither; it saves no change-feed position and marks no period
 * checked, so the newer run reads those from where they stood. Without this, a daily run
 * planned while the hourly one still ran waited behind its queued slices (without a queue, ran
 * beside it), re-reading what they had just read, and a run left by a stopped worker stayed
 * "running" until a later run took it up with its old plan.
 */
async function supersedeCovered(
  context: ServiceContext,
  checkpoints: SyncCheckpoints,
  newer: Pick<SyncPlan, 'runId' | 'account' | 'params'>,
): Promise<void> {
  const { store, clock } = context;
  for (const runId of await checkpoints.unfinishedBefore(newer.account, newer.runId)) {
    const older = await checkpoints.plan(runId);
    if (!older || !covers(readsOf(newer.params), readsOf(older.params))) continue;
    // A card range is finished when every pass over it is.
    const slices = await checkpoints.slices(runId);
    const open = new Map<number, SyncSlice>();
    for (const slice of slices) {
      if (slice.state !== 'done')
        open.set(slicePlace(older.params, slice.slice, slices.length).range, slice);
    }
    const { firstFailure, failuresByReason } = await failuresOf(context, runId);
    const failed = firstFailure.size;
    // Cards of the unfinished ranges, less those already counted failed.
    const unfinished = [...open.values()].sort((a, b) => a.firstCardId - b.firstCardId);
    let notReached = 0;
    for (const slice of unfinished) {
      notReached += await store.cards.count({
        account: older.account,
        ids: { first: slice.firstCardId, last: slice.lastCardId },
      });
    }
    for (const cardId of firstFailure.keys()) {
      // The last range starting at or before the card (ranges do not overlap).
      let [low, high] = [0, unfinished.length - 1];
      while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        if (unfinished[middle]!.firstCardId <= cardId) low = middle;
        else high = middle - 1;
      }
      const range = unfinished[low];
      if (range && range.firstCardId <= cardId && cardId <= range.lastCardId) notReached -= 1;
    }
    const totals = await checkpoints.totals(runId);
    const run = await store.syncRuns.get(runId);
    // The row first, then the plan: a process working on the run that finds the plan closed
    // (its slices then ask nothing) always finds the row closed too. One that finished the run
    // meanwhile keeps its own outcome: the row was no longer running, or its claim came first.
    // (A row already `superseded` with its plan open: a process stopped between the two.)
    const recorded = await store.syncRuns.finishIfRunning(runId, {
      status: 'superseded',
      cards: older.cards,
      synced: Math.max(0, older.cards - failed - notReached),
      failed,
      calls: older.calls + totals.calls,
      rowsWritten: totals.rowsWritten,
      failuresByReason,
      durationMs: clock.now() - (run?.startedAt ?? clock.now()),
    });
    if (!recorded && run?.status !== 'superseded') continue;
    if (!(await checkpoints.claimFinish(runId))) continue;
    await store.audit.record({
      actor: newer.params.actor,
      action: 'sync',
      targetType: 'account',
      targetId: older.account,
      account: older.account,
      outcome: 'skipped',
      details: { runId, supersededBy: newer.runId, cards: older.cards, notReached, failed },
    });
  }
}

/** The summary of a run that was closed by another (`supersedeCovered`), as its row records it. */
async function closedRunSummary(
  context: ServiceContext,
  plan: SyncPlan,
): Promise<SyncSummary | null> {
  const run = await context.store.syncRuns.get(plan.runId);
  if (!run || run.status === 'running') return null;
  const adapter = await context.adapter(plan.account);
  return {
    account: plan.account,
    supplier: adapter.supplier,
    runId: plan.runId,
    status: run.status,
    cards: run.cards ?? plan.cards,
    synced: run.synced ?? 0,
    failed: run.failed ?? 0,
    calls: run.calls ?? 0,
    rowsWritten: run.rowsWritten ?? 0,
    failuresByReason: run.failuresByReason ?? {},
    stoppedBy:
      run.status === 'superseded'
        ? { code: 'superseded', message: 'a newer run of the account took its place' }
        : null,
    phases: planPhases(adapter, plan),
    durationMs: run.durationMs ?? 0,
  };
}

/**
 * Settles a slice without calling the supplier, because the run already stopped (bad
 * credentials, supplier down): each of its cards is recorded failed with that reason.
 */
export async function abandonSlice(
  context: ServiceContext,
  runId: number,
  sliceNumber: number,
  stoppedBy: BatchFailure,
): Promise<void> {
  const checkpoints = new SyncCheckpoints(context.store, () => context.clock.now());
  const plan = await checkpoints.plan(runId);
  const slice = (await checkpoints.slices(runId)).find((item) => item.slice === sliceNumber);
  if (!plan || !slice) throw new Error(`sync run ${runId} has no slice ${sliceNumber}`);
  if (slice.state === 'done' || plan.finishedAt !== null) return;
  const range = { afterId: slice.firstCardId - 1, lastId: slice.lastCardId };
  for await (const page of cardPages(context, plan.account, range)) {
    await context.store.syncRuns.recordFailures(
      runId,
      page.map((card) => ({ cardId: card.id, ...stoppedBy })),
    );
  }
  await checkpoints.finishSlice(runId, sliceNumber, JSON.stringify(stoppedBy));
}

/**
 * The account's unfinished run when it covers what `options` ask, to be taken up rather than a
 * new run planned; null otherwise. A run without daily usage does not stand in for one asked
 * to pull it (the hourly and the 09:30 syncs may overlap), nor a run that was not `full` for
 * one that is, nor a run reading another month's usage for the month-end reconciliation (the
 * 1st's 09:30 run, still going at 10:00 on a large fleet, would otherwise take it up, and last
 * month's final figures would not be read that month).
 */
export async function resumableRun(
  context: ServiceContext,
  accountId: string,
  options: SyncOptions,
): Promise<SyncPlan | null> {
  const checkpoints = new SyncCheckpoints(context.store, () => context.clock.now());
  const unfinished = await checkpoints.unfinishedRun(accountId);
  const plan = unfinished === null ? null : await checkpoints.plan(unfinished);
  if (!plan) return null;
  const adapter = await context.adapter(accountId);
  const phases = phasesFor(adapter, options);
  const asked: RunReads = {
    daily: options.days !== 0 && phases.includes('usage.daily'),
    // Any month but for the reconciliation: a run planned before midnight on the last day of a
    // month still stands in for the first hourly run of the next.
    month:
      options.month === 'previous' && phases.includes('usage.monthly')
        ? billingMonth(adapter, options, context.clock.now())
        : null,
    identities: options.full === true,
  };
  return covers(readsOf(plan.params), asked) ? plan : null;
}

/**
 * One whole sync of one account in this process: plan (or resume the unfinished run), its
 * slices two at a time in order, then the summary. Every card ends either synced or failed with
 * its reason; a re-run writes nothing that is already right.
 */
export async function syncAccount(
  context: ServiceContext,
  accountId: string,
  options: SyncOptions = {},
): Promise<SyncSummary> {
  const checkpoints = new SyncCheckpoints(context.store, () => context.clock.now());
  const plan =
    (options.plannedBy ? await checkpoints.plannedBy(accountId, options.plannedBy) : null) ??
    (options.resume ? await resumableRun(context, accountId, options) : null) ??
    (await planSync(context, accountId, options));
  const runId = plan.runId;
  // The job's own run, closed while the job was down: its summary, nothing asked again.
  if (plan.finishedAt !== null) {
    const closed = await closedRunSummary(context, plan);
    if (closed) return closed;
  }
  const adapter = await context.adapter(accountId);
  const phases = phasesFor(adapter, options).filter((phase) => phase !== 'inventory');
  const done = new Map<SyncPhase, number>();
  const totalFor = (phase: SyncPhase) =>
    plan.cards * (phase === 'usage.daily' ? plan.params.days.length : 1);
  for (const phase of phases)
    options.onProgress?.({ account: accountId, phase, done: 0, total: totalFor(phase) });
  const report = (phase: SyncPhase, cards: number) => {
    const work = (done.get(phase) ?? 0) + cards;
    done.set(phase, work);
    options.onProgress?.({
      account: accountId,
      phase,
      done: Math.min(work, totalFor(phase)),
      total: totalFor(phase),
    });
  };
  // Two slices at a time, in order: one slice's calls go on while the other stores its last
  // answers, so a rate-limited run does not wait on the store. A pass over a range of cards
  // starts once the pass before it over the same range ended (it may have read what this one
  // needs: identifiers, statuses).
  const all = await checkpoints.slices(runId);
  const waiting = all.filter((slice) => slice.state !== 'done');
  const ranges = new Map<number, Promise<unknown>>();
  let stoppedBy: BatchFailure | null = null;
  let broken: { error: unknown } | null = null;
  const lane = async () => {
    for (let slice = waiting.shift(); slice; slice = waiting.shift()) {
      const number = slice.slice;
      const { range } = slicePlace(plan.params, number, all.length);
      const work = (ranges.get(range) ?? Promise.resolve()).then(async () => {
        if (stoppedBy || broken) return;
        try {
          stoppedBy ??= (await syncSlice(context, runId, number, options, report)).stoppedBy;
        } catch (error) {
          broken ??= { error };
        }
      });
      ranges.set(range, work);
      await work;
      if (stoppedBy || broken) return;
    }
  };
  await Promise.all(Array.from({ length: SLICE_LANES }, lane));
  if (broken) throw (broken as { error: unknown }).error;
  if (stoppedBy) {
    // The account failed as a whole: the remaining slices fail with the same reason unsent.
    for (const rest of await checkpoints.slices(runId)) {
      if (rest.state !== 'done') await abandonSlice(context, runId, rest.slice, stoppedBy);
    }
  }
  const summary = (await finishSync(context, runId)) ?? (await closedRunSummary(context, plan));
  if (!summary) throw new Error(`sync run ${runId} could not be closed`);
  return summary;
}

/**
 * How much of the fleet listing a run makes, or null for none. The whole list while no card is
 * known or with --full; for a fleet too large to list in one run (`listingPagesPerRun`), every
 * run lists the day's share since the last one listed; otherwise the daily run lists it all:
 * new and removed cards are a day's news, and hourly runs only read statuses and usage.
 */
async function listingShare(
  context: ServiceContext,
  adapter: SupplierAdapterV1,
  checkpoints: SyncCheckpoints,
  options: SyncOptions,
  settings: { rateLimit: number; budgetShare: number },
): Promise<{ maxPages: number | null } | null> {
  const known = await context.store.cards.count({ account: adapter.accountId });
  if (known === 0 || options.full) return { maxPages: null };
  const pages = Math.ceil(known / (adapter.limits.pageSize ?? 100));
  const last = await checkpoints.fleetListing(adapter.accountId);
  const perRun = listingPagesPerRun(
    pages,
    settings.rateLimit,
    settings.budgetShare,
    last ? context.clock.now() - last.updatedAt : undefined,
  );
  if (perRun !== null) return { maxPages: perRun };
  return options.days !== 0 ? { maxPages: null } : null;
}

/**
 * Walks the supplier's card list and stores what it finds: to the end, or `maxPages` pages from
 * where the last run's share stopped (a listing that fails starts over from the first page).
 */
async function listFleet(
  context: ServiceContext,
  adapter: SupplierAdapterV1,
  checkpoints: SyncCheckpoints,
  share: { maxPages: number | null },
  options: SyncOptions,
): Promise<void> {
  const account = adapter.accountId;
  const now = context.clock.now();
  const state = share.maxPages === null ? null : await checkpoints.fleetListing(account);
  const passStartedAt = state?.cursor ? state.passStartedAt : now;
  const listCards = requireOperation(adapter, 'inventory');
  let cursor = state?.cursor ?? undefined;
  let pages = 0;
  try {
    do {
      const from = cursor;
      const page = await withRetry(
        () => listCards({ cursor: from, abortSignal: options.abortSignal }),
        {
          clock: context.clock,
          maxAttempts: options.retry?.maxAttempts ?? 6,
          baseDelayMs: options.retry?.baseDelayMs ?? 1000,
          maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
          abortSignal: options.abortSignal,
        },
      );
      await context.store.cards.upsertFromSupplier(account, adapter.supplier, page.cards);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && (share.maxPages === null || pages < share.maxPages));
  } catch (error) {
    if (state?.cursor) await checkpoints.saveFleetListing(account, { ...state, cursor: null });
    throw error;
  }
  await checkpoints.saveFleetListing(account, {
    cursor: cursor ?? null,
    passStartedAt,
    listedAt: cursor ? (state?.listedAt ?? null) : context.clock.now(),
    updatedAt: now,
  });
}

/** The day the supplier's billing cycle starts (1 = calendar month). */
function supplierCycleStartDay(adapter: { limits: { billingCycleStartDay?: number } }): number {
  const day = adapter.limits.billingCycleStartDay;
  return isBillingCycleStartDay(day) ? day : 1;
}
