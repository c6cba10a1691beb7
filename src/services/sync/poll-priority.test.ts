import { afterEach, describe, expect, it } from 'vitest';
import { cstMonth } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { syncAccount } from './sync.js';
import { type SyncFixture, syncFixture } from './sync-fixture.test-support.js';
import { accountFreshness } from './sync-freshness.js';

const HOUR = 3_600_000;
const MB = 1024 * 1024;

/** Data calls of one hourly run (OneLink v5's access-token calls left out: tokens expire). */
async function statusCalls(fixture: SyncFixture): Promise<number> {
  const counter = fixture.context.callCounter('acct');
  const tokens = () =>
    [...counter.byPath]
      .filter(([path]) => path.endsWith('/get/token'))
      .reduce((sum, [, count]) => sum + count, 0);
  const before = counter.total - tokens();
  await syncAccount(fixture.context, 'acct', { days: 0 });
  return counter.total - tokens() - before;
}

describe('freshness first for one-card-per-call needs', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  it('polls inside the call budget, never-read and stalest cards first, and skips what cannot change', async () => {
    // OneLink v5: status is one card a call. 0.0056 calls/s × 86,400 s × 80 % / 24 runs × 90 %
    // (the run's headroom) = 14.5, less the month's batch (0.2): 14 status calls a run for the
    // 30 cards (identities and monthly usage are batches).
    const fixture = await syncFixture({ type: 'onelink-v5', size: 30, rateLimit: 0.0056 });
    store = fixture.store;
    const cards = await store.cards.listForSync('acct', { afterId: 0, limit: 100 });
    const checked = async () => {
      const checks = await fixture.store.freshness.checks(cards.map((card) => card.id));
      return cards.filter((card) => checks.get(card.id)?.statusCheckedAt != null).length;
    };
    // Identities (one batch), 14 statuses, the month (one batch).
    expect(await statusCalls(fixture)).toBe(1 + 14 + 1);
    expect(await checked()).toBe(14);
    fixture.clock.set(fixture.clock.now() + HOUR);
    // The 16 never read come first: 14 of them. The month, read in batches, is not asked again
    // before its 6 h target needs it (every sixth run). A token expiring while calls wait their
    // turn (minutes at this rate) costs those in flight again, so calls are bounded, reads exact.
    const inRange = (calls: number) => calls >= 14 && calls <= 14 + 2;
    expect(inRange(await statusCalls(fixture))).toBe(true);
    expect(await checked()).toBe(28);
    // Two hours later (a run lasts most of an hour at this rate).
    fixture.clock.set(fixture.clock.now() + 2 * HOUR);
    expect(inRange(await statusCalls(fixture))).toBe(true);
    expect(await checked()).toBe(30);

    // A deactivated card is never polled again; a card pushed a moment ago is fresh.
    const everyone = (await store.cards.listForSync('acct', { afterId: 0, limit: 100 })).map(
      (card) => card.id,
    );
    await store.cards.updateStatuses(
      everyone.slice(0, 20).map((id) => ({ id, status: 'deactivated' as const, statusRaw: '4' })),
      'test',
    );
    fixture.clock.set(fixture.clock.now() + HOUR);
    await store.cards.updateStatuses(
      [{ id: everyone[20]!, status: 'active', statusRaw: '2' }],
      'push:test',
    );
    // Left: 9 cards with no push; their status, and the month (due again: nearly 6 hours old).
    // A token expiring mid-run costs the calls in flight again, so the cards read are counted.
    const runAt = fixture.clock.now();
    expect(await statusCalls(fixture)).toBeGreaterThanOrEqual(9 + 1);
    const after = await fixture.store.freshness.checks(everyone);
    const readNow = everyone.filter(
      (id) => id !== everyone[20] && (after.get(id)?.statusCheckedAt ?? 0) >= runAt,
    );
    expect(readNow).toEqual(everyone.slice(21));
  });

  it('polls cards near their quota or under a usage rule that may fire before staler ones', async () => {
    // 14 status calls a run for 30 cards, as above; every card is never read.
    const fixture = await syncFixture({ type: 'onelink-v5', size: 30, rateLimit: 0.0056 });
    store = fixture.store;
    const ids = (await store.cards.listForSync('acct', { afterId: 0, limit: 100 })).map(
      (card) => card.id,
    );
    const [a, b, c, calm, watched, unwatched, changing] = ids.slice(-7) as number[];
    const month = cstMonth(fixture.clock.now());
    const plan = await store.plans.create({ name: 'p1g', quotaBytes: 1_000 * MB });
    await store.plans.assign([a!, b!, c!, calm!], { planId: plan.id });
    // a, b, c at 90 % of the plan's quota; calm at 10 %.
    await store.usage.upsertMonthly([
      ...[a!, b!, c!].map((cardId) => ({ cardId, month, bytes: 900 * MB })),
      { cardId: calm!, month, bytes: 100 * MB },
      // 85 % of the 100 MB rule below, and a card no rule covers at the same figure.
      { cardId: watched!, month, bytes: 85 * MB },
      { cardId: unwatched!, month, bytes: 85 * MB },
    ]);
    await store.rules.create({
      scope: 'card',
      targetId: watched!,
      kind: 'usage',
      thresholds: { bytes: 100 * MB },
      actions: [{ type: 'pause' }],
    });
    // A card under a status-change rule: a change of its status raises an alert.
    await store.rules.create({ scope: 'card', targetId: changing!, kind: 'status_changed' });
    await statusCalls(fixture);
    const checks = await store.freshness.checks(ids);
    const read = ids.filter((id) => checks.get(id)?.statusCheckedAt != null);
    // The five urgent cards, then the nine lowest ids among the never-read rest.
    const urgent = [a, b, c, watched, changing];
    expect(read.length).toBe(14);
    expect(read).toEqual(expect.arrayContaining(urgent));
    expect(read).not.toContain(calm);
    expect(read).not.toContain(unwatched);
    expect(read.filter((id) => !urgent.includes(id))).toEqual(ids.slice(0, 9));
  });

  it('reads urgent statuses again past the hour in a run that started too late to end in it', async () => {
    // 14 status calls a run for 30 cards at 0.0056 calls/s, as above: a run takes most of an hour.
    const fixture = await syncFixture({ type: 'onelink-v5', size: 30, rateLimit: 0.0056 });
    store = fixture.store;
    const ids = (await store.cards.listForSync('acct', { afterId: 0, limit: 100 })).map(
      (card) => card.id,
    );
    // Three urgent cards: under a status-change rule (urgent whatever the usage read meanwhile).
    const near = ids.slice(-3);
    for (const targetId of near)
      await store.rules.create({ scope: 'card', targetId, kind: 'status_changed' });
    // The run starts 40 minutes into an hour: its urgent pass reads the three cards then; the
    // rest pass (one slice, judged before the hour) leaves them alone; past the hour the run
    // stands in for the next one and reads them again.
    const nextHour = (Math.floor(fixture.clock.now() / HOUR) + 2) * HOUR;
    fixture.clock.set(nextHour - 20 * 60_000);
    await statusCalls(fixture);
    expect(fixture.clock.now()).toBeGreaterThan(nextHour);
    const checks = await store.freshness.checks(near);
    for (const id of near) expect(checks.get(id)?.statusCheckedAt).toBeGreaterThanOrEqual(nextHour);
  });

  it('asks every card without a rate limit, and none twice within half an hour', async () => {
    const fixture = await syncFixture({ type: 'onelink-v5', size: 20 });
    store = fixture.store;
    expect(await statusCalls(fixture)).toBe(1 + 20 + 1);
    fixture.clock.set(fixture.clock.now() + 10 * 60_000);
    expect(await statusCalls(fixture)).toBe(0);
    fixture.clock.set(fixture.clock.now() + HOUR);
    // Statuses again; the month (6 h target, in batches) waits for the sixth run.
    expect(await statusCalls(fixture)).toBe(20);
    fixture.clock.set(fixture.clock.now() + 5 * HOUR);
    expect(await statusCalls(fixture)).toBe(20 + 1);
  });

  it('says what the budget can hold when it cannot hold the target', async () => {
    // 0.0001 calls/s × 86,400 s × 50 % = 4 calls a day: one status call a run at most.
    const fixture = await syncFixture({
      type: 'onelink-v5',
      size: 12,
      rateLimit: 0.0001,
      sync: { budgetShare: 0.5 },
    });
    store = fixture.store;
    const freshness = await accountFreshness(fixture.context, 'acct');
    expect(freshness).toMatchObject({ cards: 12, settled: 0, dayCapacity: 8, scheduleBudget: 4 });
    const status = freshness.needs.find((need) => need.need === 'status')!;
    expect(status).toMatchObject({
      cards: 12,
      neverRead: 12,
      batchSize: 1,
      targetMs: HOUR,
      withinTarget: 0,
      p50Ms: null,
    });
    // Twelve cards at one call an hour: every card within 12 hours, not 1.
    expect(status.achievableMs).toBe(12 * HOUR);
    // Monthly usage is a batch: the budget is no bound on it.
    expect(freshness.needs.find((need) => need.need === 'usage.monthly')?.achievableMs).toBeNull();
  });
});
