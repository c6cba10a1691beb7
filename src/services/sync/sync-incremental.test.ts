import { afterEach, describe, expect, it } from 'vitest';
import { addDays, cstToday, lastCompleteDays } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { SyncCheckpoints } from '../../store/repositories/sync-checkpoints.js';
import { syncAccount } from './sync.js';
import { type SyncFixture, syncFixture } from './sync-fixture.test-support.js';
import { periodIsFinal } from './sync-settings.js';

const DAY = 86_400_000;
/** OneLink v5's access token, fetched once by the first run. */
const TOKEN = 1;

/** Supplier calls one sync makes (the simulator's count, before and after). */
async function callsOf(fixture: SyncFixture, run: () => Promise<unknown>): Promise<number> {
  const before = fixture.simulated.calls();
  await run();
  return fixture.simulated.calls() - before;
}

describe('incremental usage', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  it('asks 7 days, then only the days still open to revision, fills new cards, and --full asks all', async () => {
    // OneLink v2: 100 cards a call; 250 cards = 3 batches a day.
    const fixture = await syncFixture({ type: 'onelink-v2', size: 300, imported: 250 });
    store = fixture.store;
    const sync = (options: { full?: boolean } = {}) =>
      callsOf(fixture, () => syncAccount(fixture.context, 'acct', { days: 7, ...options }));

    // First: 3 identity calls and 7 days × 3 batches.
    expect(await sync()).toBe(3 + 21);
    // Right after: yesterday only (no more than the two days still open to revision); the day
    // before, read in full yesterday, waits to be read once more when it turns final.
    expect(await sync()).toBe(1 * 3);
    expect(await sync()).toBe(1 * 3);

    // A day later: yesterday and the day that has just become final, read once more — two days,
    // the revision window (a day is read twice: its first figure and its final one).
    fixture.clock.set(fixture.clock.now() + DAY);
    expect(await sync()).toBe(2 * 3);
    expect(await sync()).toBe(1 * 3);

    // 50 new cards: identities, yesterday for everyone (3 batches of 100), and the day before
    // and the five final days for the new cards only (one batch each).
    await fixture.importRange(250, 300);
    expect(await sync()).toBe(1 + 3 + 1 + 5);
    const newest = await fixture.store.cards.listForSync('acct', { afterId: 0, limit: 1000 });
    const last = newest.at(-1)!;
    expect((await fixture.store.usage.daily(last.id)).length).toBe(7);
    expect(await sync()).toBe(1 * 3);

    // --full asks every day again, and every card's identifiers (3 batches).
    expect(await sync({ full: true })).toBe(3 + 7 * 3);
  });

  it('honours the account revision window', async () => {
    const fixture = await syncFixture({
      type: 'onelink-v2',
      size: 100,
      sync: { revisionDays: 4 },
    });
    store = fixture.store;
    const sync = () => callsOf(fixture, () => syncAccount(fixture.context, 'acct', { days: 7 }));
    expect(await sync()).toBe(1 + 7);
    // Yesterday; the three other open days wait to turn final.
    expect(await sync()).toBe(1);
    // A day later: yesterday and the day that turned final with a 4-day window (not 2).
    fixture.clock.set(fixture.clock.now() + DAY);
    expect(await sync()).toBe(2);
    const checked = await new SyncCheckpoints(fixture.store, () =>
      fixture.clock.now(),
    ).usageChecked('acct', 'usage.daily', lastCompleteDays(7, fixture.clock.now()));
    expect([...checked].sort()).toEqual(lastCompleteDays(7, fixture.clock.now()).slice(0, 3));
  });

  it('reads a closed month in full once it is final, then only fills cards missing it', async () => {
    // OneLink v5 answers monthly usage in batches; status is one card a call.
    const fixture = await syncFixture({ type: 'onelink-v5', size: 30 });
    store = fixture.store;
    const previous = () =>
      callsOf(fixture, () => syncAccount(fixture.context, 'acct', { days: 0, month: 'previous' }));
    // On the 10th the previous month is final (it ended more than 2 days ago). The first run
    // gets an access token, reads identities (one batch of 30), 30 statuses (one card a call) and the month (one
    // batch); a later run reads nothing: the month is checked and the statuses are fresh.
    expect(await previous()).toBe(TOKEN + 1 + 30 + 1);
    expect(await previous()).toBe(0);
    // --full reads the month again.
    expect(
      await callsOf(fixture, () =>
        syncAccount(fixture.context, 'acct', { days: 0, month: 'previous', full: true }),
      ),
    ).toBe(30 + 1);
  });

  it('reads a month that is still open to revision every time', async () => {
    const fixture = await syncFixture({
      type: 'onelink-v5',
      size: 30,
      start: Date.UTC(2026, 10, 1, 3),
    });
    store = fixture.store;
    const previous = () =>
      callsOf(fixture, () => syncAccount(fixture.context, 'acct', { days: 0, month: 'previous' }));
    expect(await previous()).toBe(TOKEN + 1 + 30 + 1);
    // Statuses read a moment ago are fresh; the open month is read again.
    expect(await previous()).toBe(1);
  });

  it("reads yesterday for every card first, then the rest, and leaves deactivated cards' days alone", async () => {
    const fixture = await syncFixture({ type: 'onelink-v2', size: 600 });
    store = fixture.store;
    const sync = () =>
      syncAccount(fixture.context, 'acct', { days: 7, sliceSize: 200, concurrency: 1 });
    await sync();
    // A day later: yesterday and the day that turned final, over three slices of 200 cards.
    fixture.clock.set(fixture.clock.now() + DAY);
    const [yesterday, turnedFinal] = [1, 3].map((back) =>
      addDays(cstToday(fixture.clock.now()), -back).replaceAll('-', ''),
    );
    fixture.sent.length = 0;
    await sync();
    const asked = fixture.sent.map((url) => new URL(url).searchParams.get('query_date'));
    const firstOther = asked.findIndex((date) => date !== yesterday);
    // Yesterday's six batches come before anything else the run asks (the final day, statuses).
    expect(asked.filter((date) => date === yesterday)).toHaveLength(6);
    expect(firstOther).toBe(6);
    expect(asked.filter((date) => date === turnedFinal)).toHaveLength(6);

    // A card deactivated before a day began is not asked for that day's usage.
    const cards = await fixture.store.cards.listForSync('acct', { afterId: 0, limit: 1000 });
    const gone = cards.slice(0, 150).map((card) => card.id);
    await fixture.store.cards.updateStatuses(
      gone.map((id) => ({ id, status: 'deactivated', statusRaw: '4' })),
      'test',
    );
    fixture.clock.set(fixture.clock.now() + 2 * DAY);
    fixture.sent.length = 0;
    await sync();
    const days = fixture.sent.flatMap((url) => new URL(url).searchParams.get('query_date') ?? []);
    // Yesterday began after they were deactivated: 450 cards, the first slice's 50 in one batch
    // and the others' 200 in two each, five batches instead of six.
    const yesterdayNow = addDays(cstToday(fixture.clock.now()), -1).replaceAll('-', '');
    expect(days.filter((day) => day === yesterdayNow)).toHaveLength(1 + 2 + 2);
  });

  it('counts a period final once it ended more than the window ago', () => {
    const now = Date.UTC(2026, 10, 10, 3);
    const today = cstToday(now);
    expect(periodIsFinal(addDays(today, -1), 2, now)).toBe(false);
    expect(periodIsFinal(addDays(today, -2), 2, now)).toBe(false);
    expect(periodIsFinal(addDays(today, -3), 2, now)).toBe(true);
    expect(periodIsFinal('2026-10', 2, now)).toBe(true);
    expect(periodIsFinal('2026-11', 2, now)).toBe(false);
    expect(periodIsFinal('2026-10', 2, Date.UTC(2026, 10, 1, 3))).toBe(false);
  });
});
