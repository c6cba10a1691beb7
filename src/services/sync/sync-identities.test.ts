import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../store/index.js';
import { planSync, syncAccount } from './sync.js';
import { syncFixture } from './sync-fixture.test-support.js';

describe('identities in a sync', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  it('reads a card’s identifiers once, and again in a --full run: a card put into another device shows its new IMEI on its timeline', async () => {
    // The M2M platform reports IMEIs and answers one card a call.
    const fixture = await syncFixture({ type: 'm2m10086', size: 4 });
    store = fixture.store;
    const searchInfo = () =>
      [...fixture.requests]
        .filter(([path]) => /searchInfo/i.test(path))
        .reduce((n, [, c]) => n + c, 0);
    await syncAccount(fixture.context, 'acct', { days: 1 });
    expect(searchInfo()).toBe(4);
    const [, moved] = await fixture.store.cards.listForSync('acct', { afterId: 0, limit: 10 });
    const before = fixture.simulated.card(1).imei;
    expect(moved?.imei).toBe(before);

    fixture.simulated.moveToDevice!(1, '861234567890123');
    fixture.clock.set(fixture.clock.now() + 60_000);
    await syncAccount(fixture.context, 'acct', { days: 1 });
    // A scheduled run does not ask identifiers it has: the old IMEI stays.
    expect(searchInfo()).toBe(4);
    expect((await fixture.store.cards.get(moved!.id))?.imei).toBe(before);

    fixture.clock.set(fixture.clock.now() + 60_000);
    const full = await syncAccount(fixture.context, 'acct', { days: 1, full: true });
    expect(full.status).toBe('succeeded');
    // Each card once, however many passes the run makes.
    expect(searchInfo()).toBe(8);
    expect((await fixture.store.cards.get(moved!.id))?.imei).toBe('861234567890123');
    const timeline = await fixture.store.cardTimeline.page({
      cardId: moved!.id,
      before: fixture.clock.now() + 1,
      limit: 10,
      kinds: ['identity'],
      tenantPath: null,
    });
    expect(timeline).toEqual([
      expect.objectContaining({
        kind: 'identity',
        identity: 'imei',
        value: '861234567890123',
        previous: before,
        source: 'sync:acct',
      }),
    ]);
  });

  it('takes up an unfinished run that was not --full only for a run that is not --full either', async () => {
    const fixture = await syncFixture({ type: 'm2m10086', size: 4 });
    store = fixture.store;
    await syncAccount(fixture.context, 'acct', { days: 1 });
    // A run planned and then left (its process died before any slice ran).
    const left = await planSync(fixture.context, 'acct', { days: 1 });
    fixture.clock.set(fixture.clock.now() + 60_000);
    const full = await syncAccount(fixture.context, 'acct', { days: 1, full: true, resume: true });
    expect(full.runId).not.toBe(left.runId);
    expect(full.status).toBe('succeeded');
    // A full run left unfinished stands in for a later run, full or not.
    const leftFull = await planSync(fixture.context, 'acct', { days: 1, full: true });
    const resumed = await syncAccount(fixture.context, 'acct', { days: 1, resume: true });
    expect(resumed.runId).toBe(leftFull.runId);
  });
});
