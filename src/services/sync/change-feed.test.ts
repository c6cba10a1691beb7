import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../store/index.js';
import { SyncCheckpoints } from '../../store/repositories/sync-checkpoints.js';
import type { SupplierAdapterV1 } from '../../suppliers/spec/index.js';
import { FEED_MAX_AGE_MS } from './change-feed.js';
import { syncAccount } from './sync.js';
import { type SyncFixture, syncFixture } from './sync-fixture.test-support.js';
import { accountFreshness } from './sync-freshness.js';

const HOUR = 3_600_000;
const path = (operation: string) => `/api/${operation}/V1/1Main/vV1.1`;
const FEED = path('wsGetModifiedTerminals');
const DETAILS = path('wsGetTerminalDetails');

/** The requests one hourly run (`days: 0`) sends, by operation, and the run's summary. */
async function hourly(fixture: SyncFixture, options: { full?: boolean } = {}) {
  const before = new Map(fixture.requests);
  const summary = await syncAccount(fixture.context, 'acct', { days: 0, ...options });
  const delta = (operation: string) =>
    (fixture.requests.get(operation) ?? 0) - (before.get(operation) ?? 0);
  return { summary, feed: delta(FEED), details: delta(DETAILS) };
}

describe('status refresh from the change feed (unicom-gw wsGetModifiedTerminals)', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  it('asks the feed and only the changed cards, falls back to every card when the position is lost', async () => {
    const fixture = await syncFixture({ type: 'unicom-gw', size: 1000 });
    store = fixture.store;
    const checkpoints = new SyncCheckpoints(fixture.store, () => fixture.clock.now());
    // The fleet lists 50 ICCIDs a page: 20 pages of inventory every run. wsGetTerminalDetails
    // takes 50 cards: the first run reads identities (with status) for all 1,000 cards (20
    // calls) and the month's usage (20 calls); no feed yet.
    const first = await hourly(fixture);
    expect(first.summary.status).toBe('succeeded');
    expect(first.feed).toBe(20);
    expect(first.details).toBe(20 + 20);
    expect(await checkpoints.changeFeedReadFrom('acct')).not.toBeNull();

    // Five active cards are paused on the supplier side (the change lands a few seconds later).
    fixture.clock.set(fixture.clock.now() + 10 * 60_000);
    const active = (await fixture.store.cards.listForSync('acct', { afterId: 0, limit: 2000 }))
      .filter((card) => card.status === 'active')
      .slice(0, 5);
    expect(active.length).toBe(5);
    const adapter = (await fixture.context.adapter('acct')) as SupplierAdapterV1 & {
      doChangeStatus: NonNullable<SupplierAdapterV1['doChangeStatus']>;
    };
    const paused = await adapter.doChangeStatus({
      action: 'pause',
      cards: active.map((card) => ({ key: String(card.id), iccid: card.iccid })),
    });
    expect(paused.items.every((item) => item.ok)).toBe(true);

    // The next hour: one feed page and ⌈5/50⌉ = 1 details call for the statuses instead of 20.
    // The fleet is listed by the daily run only, and the month's usage (6 h target) waits for
    // the sixth hourly run.
    fixture.clock.set(fixture.clock.now() + HOUR);
    const second = await hourly(fixture);
    expect(second.summary.status).toBe('succeeded');
    expect(second.feed).toBe(1);
    expect(second.details).toBe(1);
    for (const card of active)
      expect((await fixture.store.cards.get(card.id))?.status).toBe('suspended');

    // Nothing changed since: the feed answers an empty page, no status call.
    fixture.clock.set(fixture.clock.now() + HOUR);
    const third = await hourly(fixture);
    expect(third.feed).toBe(1);
    expect(third.details).toBe(0);
    // Statuses not read for two hours are known as of the feed read: all within the 1 h target.
    fixture.clock.set(fixture.clock.now() + 10 * 60_000);
    const status = (await accountFreshness(fixture.context, 'acct')).needs.find(
      (need) => need.need === 'status',
    )!;
    expect(status.withinTarget).toBe(1);
    expect(status.maxMs).toBeLessThan(HOUR);

    // A lost position (or one older than the feed is trusted): every card's status again.
    await checkpoints.forgetChangeFeed('acct');
    fixture.clock.set(fixture.clock.now() + HOUR);
    expect((await hourly(fixture)).details).toBe(20);
    fixture.clock.set(fixture.clock.now() + FEED_MAX_AGE_MS + HOUR);
    // Every card's status (20 batches) and, now due, the month's usage of all but the stopped
    // cards (the 5 paused and the deactivated ones, whose usage no longer grows): 19 batches.
    expect((await hourly(fixture)).details).toBe(20 + 19);
    // --full reads every card even with a position.
    fixture.clock.set(fixture.clock.now() + HOUR);
    expect((await hourly(fixture, { full: true })).details).toBe(20 + 20);
    fixture.clock.set(fixture.clock.now() + HOUR);
    expect((await hourly(fixture)).details).toBe(0);
  });

  it('reads the named statuses of every slice in full batches', async () => {
    const fixture = await syncFixture({ type: 'unicom-gw', size: 1000 });
    store = fixture.store;
    const run = async () => {
      const before = fixture.requests.get(DETAILS) ?? 0;
      await syncAccount(fixture.context, 'acct', { days: 0, sliceSize: 100 });
      return (fixture.requests.get(DETAILS) ?? 0) - before;
    };
    await run();
    // One active card paused in each of five slices of 100 cards.
    const cards = await fixture.store.cards.listForSync('acct', { afterId: 0, limit: 2000 });
    const spread = [0, 200, 400, 600, 800].map(
      (from) => cards.slice(from).find((card) => card.status === 'active')!,
    );
    const adapter = (await fixture.context.adapter('acct')) as SupplierAdapterV1 & {
      doChangeStatus: NonNullable<SupplierAdapterV1['doChangeStatus']>;
    };
    await adapter.doChangeStatus({
      action: 'pause',
      cards: spread.map((card) => ({ key: String(card.id), iccid: card.iccid })),
    });
    fixture.clock.set(fixture.clock.now() + HOUR);
    // One details call for the five, not one per slice.
    expect(await run()).toBe(1);
    for (const card of spread)
      expect((await fixture.store.cards.get(card.id))?.status).toBe('suspended');
  });

  it('keeps the position when the feed fails, and the run reads every card instead', async () => {
    const fixture = await syncFixture({ type: 'unicom-gw', size: 100 });
    store = fixture.store;
    const checkpoints = new SyncCheckpoints(fixture.store, () => fixture.clock.now());
    await hourly(fixture);
    const position = await checkpoints.changeFeedReadFrom('acct');
    fixture.clock.set(fixture.clock.now() + HOUR);
    // The inventory listing (no since) still answers; the feed read (with since) fails.
    const adapter = (await fixture.context.adapter('acct')) as SupplierAdapterV1;
    const original = adapter.doListChangedCards!.bind(adapter);
    adapter.doListChangedCards = async () => {
      throw Object.assign(new Error('feed down'), { retryable: false });
    };
    try {
      const run = await hourly(fixture, {});
      expect(run.summary.status).toBe('succeeded');
      // 2 batches of statuses (the month's usage, read an hour ago, is not due).
      expect(run.details).toBe(2);
    } finally {
      adapter.doListChangedCards = original;
    }
    expect(await checkpoints.changeFeedReadFrom('acct')).toBeGreaterThan(position!);
  });
});
