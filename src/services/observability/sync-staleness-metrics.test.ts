import { expect, it } from 'vitest';
import { SyncCheckpoints } from '../../store/repositories/sync-checkpoints.js';
import { describeEachDialect, useTestStore } from '../../store/store.test-support.js';
import { SimdockMetrics } from './metrics.js';

const HOUR = 3_600_000;

describeEachDialect('sync staleness metrics on $dialect', (target) => {
  const context = useTestStore(target);

  it('exports stale cards and the oldest read per account and need, the change feed counting', async () => {
    const { store, clock } = context.current;
    await store.cards.importCards(
      'acct-a',
      'onelink-v5',
      [1, 2, 3, 4].map((n) => ({ iccid: `8986001000000000000${n}` })),
    );
    await store.cards.importCards('acct-b', 'unicom-gw', [{ iccid: '89860124000000000001' }]);
    const a = (await store.cards.listForSync('acct-a', { afterId: 0, limit: 10 })).map(
      (card) => card.id,
    );
    const b = (await store.cards.listForSync('acct-b', { afterId: 0, limit: 10 })).map(
      (card) => card.id,
    );
    // acct-a: one card deactivated, two read 3 h ago (one of them usage too), one never read.
    await store.cards.updateStatuses(
      [
        { id: a[0]!, status: 'deactivated', statusRaw: '4' },
        { id: a[1]!, status: 'active', statusRaw: '2' },
        { id: a[2]!, status: 'active', statusRaw: '2' },
      ],
      'sync:acct-a',
    );
    await store.freshness.markUsageChecked([a[1]!]);
    await store.cards.updateStatuses([{ id: b[0]!, status: 'active', statusRaw: '2' }], 'sync:b');
    clock.advance(3 * HOUR);
    // acct-b's change feed was read in full a minute ago: its card's status is that fresh.
    await new SyncCheckpoints(store, () => clock.now()).saveChangeFeed(
      'acct-b',
      clock.now() - 60_000,
      null,
    );

    const metrics = new SimdockMetrics({ store, clock, processMetrics: false });
    const { body } = await metrics.render();
    expect(body).toContain('simdock_sync_stale_cards{account="acct-a",need="status"} 3');
    // Usage: the card read 3 h ago is within its 6 h target; the two never read are not.
    expect(body).toContain('simdock_sync_stale_cards{account="acct-a",need="usage.monthly"} 2');
    expect(body).toContain('simdock_sync_stale_cards{account="acct-b",need="status"} 0');
    // acct-b's usage was never read: not reported (its supplier may not offer it).
    expect(body).not.toContain('simdock_sync_stale_cards{account="acct-b",need="usage.monthly"}');
    expect(body).toContain(
      'simdock_sync_staleness_max_seconds{account="acct-a",need="status"} 10800',
    );
    expect(body).toContain('simdock_sync_staleness_max_seconds{account="acct-b",need="status"} 60');
  });

  it("counts stale cards against each account's own targets (sync.freshness)", async () => {
    const { store, clock } = context.current;
    await store.accounts.upsert({
      id: 'acct-own',
      type: 'onelink-v5',
      name: null,
      settings: { sync: { freshness: { status: '4h', 'usage.monthly': '2h' } } },
      secrets: {},
      enabled: true,
    });
    for (const account of ['acct-own', 'acct-default']) {
      await store.cards.importCards(account, 'onelink-v5', [
        { iccid: account === 'acct-own' ? '89860010000000000011' : '89860010000000000012' },
      ]);
      const [card] = await store.cards.listForSync(account, { afterId: 0, limit: 10 });
      await store.cards.updateStatuses(
        [{ id: card!.id, status: 'active', statusRaw: '2' }],
        `sync:${account}`,
      );
      await store.freshness.markUsageChecked([card!.id]);
    }
    clock.advance(3 * HOUR);
    const { body } = await new SimdockMetrics({ store, clock, processMetrics: false }).render();
    // Read 3 h ago: within acct-own's 4 h status target, outside its 2 h usage target; the
    // other account has the defaults (1 h, 6 h).
    expect(body).toContain('simdock_sync_stale_cards{account="acct-own",need="status"} 0');
    expect(body).toContain('simdock_sync_stale_cards{account="acct-own",need="usage.monthly"} 1');
    expect(body).toContain('simdock_sync_stale_cards{account="acct-default",need="status"} 1');
    expect(body).toContain(
      'simdock_sync_stale_cards{account="acct-default",need="usage.monthly"} 0',
    );
  });
});
