import { expect, it } from 'vitest';
import { describeEachDialect, useTestStore } from './store.test-support.js';

const MINUTE = 60_000;

describeEachDialect('card freshness figures on $dialect', (target) => {
  const context = useTestStore(target);

  it('counts, ranks and the oldest read per need, as reading every card would give them', async () => {
    const { store, clock } = context.current;
    const statuses = ['active', 'active', 'suspended', 'deactivated', 'inventory'] as const;
    await store.cards.importCards(
      'acct',
      'onelink-v5',
      Array.from({ length: 60 }, (_, index) => ({
        iccid: `898600100000000${String(index).padStart(5, '0')}`,
      })),
    );
    await store.cards.importCards('other', 'onelink-v5', [{ iccid: '89860020000000000001' }]);
    const cards = await store.cards.listForSync('acct', { afterId: 0, limit: 100 });
    // Reads spread over the last 59 minutes, a card a minute; every seventh card's status and
    // every fifth card's usage never read.
    for (const [index, card] of cards.entries()) {
      await store.cards.updateStatuses(
        [{ id: card.id, status: statuses[index % statuses.length]!, statusRaw: 'x' }],
        'test',
      );
    }
    const start = clock.now();
    for (const [index, card] of cards.entries()) {
      const at = start - (59 - index) * MINUTE;
      await store.db
        .updateTable('cards')
        .set({
          status_checked_at: index % 7 === 0 ? null : at,
          usage_checked_at: index % 5 === 0 ? null : at - 30 * MINUTE,
        })
        .where('id', '=', card.id)
        .execute();
    }
    const now = start;
    const since = { status: now - 20 * MINUTE, usage: now - 60 * MINUTE };
    const figures = await store.freshness.accountStaleness('acct', since, [0, 0.5, 0.99]);

    // The same figures from every card's reads.
    const checks = await store.freshness.accountChecks('acct');
    const expected = (values: (number | null)[], cutoff: number) => {
      const read = values.filter((at): at is number => at !== null).sort((a, b) => b - a);
      const rank = (share: number) =>
        read[Math.min(read.length - 1, Math.floor(share * read.length))]!;
      return {
        cards: values.length,
        read: read.length,
        within: read.filter((at) => at >= cutoff).length,
        ranked: [rank(0), rank(0.5), rank(0.99)],
        oldest: read.at(-1)!,
      };
    };
    expect(figures.cards).toBe(60);
    expect(figures.settled).toBe(12);
    expect(figures.status).toEqual(expected(checks.status, since.status));
    expect(figures.usage).toEqual(expected(checks.usage, since.usage));
    expect(figures.status.cards).toBe(48);
    expect(figures.usage.cards).toBe(36);

    // An account with nothing read: no ranks, no oldest.
    const other = await store.freshness.accountStaleness('other', since, [0.5]);
    expect(other.status).toEqual({ cards: 1, read: 0, within: 0, ranked: [null], oldest: null });
    const none = await store.freshness.accountStaleness('none', since, [0.5]);
    expect(none).toMatchObject({ cards: 0, settled: 0, status: { cards: 0, ranked: [null] } });
  });
});
