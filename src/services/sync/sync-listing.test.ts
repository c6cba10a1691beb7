import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../store/index.js';
import { SyncCheckpoints } from '../../store/repositories/sync-checkpoints.js';
import { listingPagesPerRun, RUNS_PER_DAY } from './poll-priority.js';
import { syncAccount } from './sync.js';
import { syncFixture } from './sync-fixture.test-support.js';

const HOUR = 3_600_000;
const LISTING = '/api/wsGetModifiedTerminals/V1/1Main/vV1.1';

describe('fleet listing', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  it('lists a small fleet whole in the daily run, a large one a share each run', () => {
    // A tenth of a run's hour at 4 calls/s (5/s, 80 % share) is 1,440 calls.
    expect(listingPagesPerRun(1_440, 5, 0.8)).toBeNull();
    expect(listingPagesPerRun(20_000, 5, 0.8)).toBe(Math.ceil(20_000 / RUNS_PER_DAY));
    expect(listingPagesPerRun(20_000, 0, 0.8)).toBeNull();
  });

  it('spreads a large fleet listing over the hourly runs and goes on where the last stopped', async () => {
    // China Unicom: 50 cards a page, 3,000 cards = 60 pages. At 0.1 call/s a run's tenth is
    // 28.8 calls: each run lists ⌈60 / 24⌉ = 3 pages.
    const fixture = await syncFixture({ type: 'unicom-gw', size: 3_000, rateLimit: 0.1 });
    store = fixture.store;
    const checkpoints = new SyncCheckpoints(fixture.store, () => fixture.clock.now());
    const listed = async (run: () => Promise<unknown>) => {
      const before = fixture.requests.get(LISTING) ?? 0;
      await run();
      return (fixture.requests.get(LISTING) ?? 0) - before;
    };
    const hourly = () => syncAccount(fixture.context, 'acct', { days: 0 });
    // No card known yet: the whole fleet, and the listing is complete.
    expect(await listed(hourly)).toBe(60);
    const first = await checkpoints.fleetListing('acct');
    expect(first?.cursor).toBeNull();
    expect(first?.listedAt).toBeGreaterThan(0);

    // Then each hourly run lists the day's share since the last one began (60 pages × that time
    // ÷ 24 h: 3 pages, more after the first run's half hour), from where the last stopped,
    // besides one feed page (read with a `since` from the same operation: no card changes here).
    const feedPages = 1;
    let pages = 0;
    let runs = 0;
    for (;;) {
      fixture.clock.set(fixture.clock.now() + HOUR);
      const share = (await listed(hourly)) - feedPages;
      runs += 1;
      pages += share;
      const state = await checkpoints.fleetListing('acct');
      // The pass's last run lists what is left.
      expect(share).toBeGreaterThanOrEqual(state?.cursor === null ? 1 : 3);
      expect(share).toBeLessThanOrEqual(runs === 1 ? 5 : 4);
      if (state?.cursor === null) break;
      expect(state?.cursor).toBe(String(pages + 1));
    }
    // The pass reaches the last page within the day, each page listed once.
    expect(pages).toBe(60);
    expect(runs).toBeLessThanOrEqual(20);
    const done = await checkpoints.fleetListing('acct');
    expect(done?.listedAt).toBeGreaterThan(first!.listedAt! + (runs - 1) * HOUR);
    // --full lists everything at once.
    expect(await listed(() => syncAccount(fixture.context, 'acct', { days: 0, full: true }))).toBe(
      60,
    );
  });
});
