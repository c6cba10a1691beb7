import { expect, it } from 'vitest';
import { addDays, cstStartOfDay } from '../domain/index.js';
import { STORE_TIMELINE_KINDS } from './repositories/card-timeline-repository.js';
import { describeEachDialect, useTestStore } from './store.test-support.js';

const MB = 1024 * 1024;

describeEachDialect('card timeline on $dialect', (target) => {
  const context = useTestStore(target);

  async function oneCard(): Promise<number> {
    const { store } = context.current;
    await store.cards.importCards('a', 'onelink-v2', [{ msisdn: '1064000000001' }]);
    const [card] = await store.cards.listForSync('a', { limit: 1 });
    return card!.id;
  }

  it('finds usage spikes against the previous recorded days, across read chunks', async () => {
    const { store } = context.current;
    const id = await oneCard();
    // 450 days of 2 MB with spikes on day 10 (40 MB), day 300 (40 MB) and day 449 (30 MB).
    const first = '2023-01-01';
    const bytes = (day: number) =>
      day === 10 ? 40 * MB : day === 300 ? 40 * MB : day === 449 ? 30 * MB : 2 * MB;
    await store.usage.upsertDaily(
      Array.from({ length: 450 }, (_, day) => ({
        cardId: id,
        date: addDays(first, day),
        bytes: bytes(day),
      })),
    );
    const dates = (spikes: { key: string }[]) => spikes.map((spike) => spike.key);
    const end = cstStartOfDay(addDays(first, 450));
    expect(dates(await store.cardTimeline.usageSpikes(id, end, 10))).toEqual([
      `usage:${addDays(first, 449)}`,
      `usage:${addDays(first, 300)}`,
      `usage:${addDays(first, 10)}`,
    ]);
    // The limit stops the scan; `before` excludes days starting at or after it.
    expect(dates(await store.cardTimeline.usageSpikes(id, end, 1))).toEqual([
      `usage:${addDays(first, 449)}`,
    ]);
    const day449 = cstStartOfDay(addDays(first, 449));
    expect(dates(await store.cardTimeline.usageSpikes(id, day449, 1))).toEqual([
      `usage:${addDays(first, 300)}`,
    ]);
    expect(dates(await store.cardTimeline.usageSpikes(id, day449 + 1, 1))).toEqual([
      `usage:${addDays(first, 449)}`,
    ]);
    const [spike] = await store.cardTimeline.usageSpikes(id, end, 1);
    expect(spike).toEqual({
      kind: 'usage',
      key: `usage:${addDays(first, 449)}`,
      at: day449,
      date: addDays(first, 449),
      bytes: 30 * MB,
      averageBytes: 2 * MB,
    });
  });

  it('needs three previous days and 10 MiB above their mean for a spike', async () => {
    const { store } = context.current;
    const id = await oneCard();
    await store.usage.upsertDaily([
      // Two days of history only: 2024-01-03 is no spike, however large.
      { cardId: id, date: '2024-01-01', bytes: 1 * MB },
      { cardId: id, date: '2024-01-02', bytes: 1 * MB },
      { cardId: id, date: '2024-01-03', bytes: 500 * MB },
      // 9× a tiny mean but only 8 MiB above it: no spike.
      { cardId: id, date: '2024-02-01', bytes: 9 * MB },
    ]);
    expect(await store.cardTimeline.usageSpikes(id, cstStartOfDay('2024-03-01'), 10)).toEqual([]);
    await store.usage.upsertDaily([{ cardId: id, date: '2024-02-02', bytes: 520 * MB }]);
    const spikes = await store.cardTimeline.usageSpikes(id, cstStartOfDay('2024-03-01'), 10);
    expect(spikes.map((spike) => spike.key)).toEqual(['usage:2024-02-02']);
  });

  it('merges every kind newest first within [from, before), audit by tenant', async () => {
    const { store, clock } = context.current;
    const id = await oneCard();
    const start = clock.now();
    clock.advance(1000);
    await store.cards.updateStatuses([{ id, status: 'suspended', statusRaw: 'x' }], 'job:pause');
    clock.advance(1000);
    const tagged = await store.audit.record({
      actor: 'user:a',
      action: 'cards.pause',
      targetType: 'card',
      targetId: String(id),
      outcome: 'succeeded',
    });
    await store.audit.tagTenant(tagged, '/root/acme/');
    await store.audit.record({
      actor: 'cli',
      action: 'cards.tags',
      targetType: 'card',
      targetId: String(id),
      outcome: 'failed',
    });
    // Another target with the same id is not this card.
    await store.audit.record({
      actor: 'cli',
      action: 'bulk.pause',
      targetType: 'job',
      targetId: String(id),
      outcome: 'succeeded',
    });
    clock.advance(1000);
    await store.alerts.raise({
      cardId: id,
      account: 'a',
      cycle: '2024-11',
      dedupeKey: 'k',
      source: 'rule',
      kind: 'imei',
      severity: 'warning',
      message: 'IMEI changed',
    });
    clock.advance(1000);
    await store.sms.recordInbound([
      {
        account: 'a',
        cardId: id,
        supplierMessageId: 'm1',
        msisdn: null,
        iccid: null,
        text: 'hi',
        supplierAt: null,
      },
    ]);
    const everything = await store.cardTimeline.page({
      cardId: id,
      before: clock.now() + 1,
      limit: 10,
      kinds: STORE_TIMELINE_KINDS,
      tenantPath: null,
    });
    expect(everything.map((item) => [item.kind, item.at - start])).toEqual([
      ['sms', 4000],
      ['alert', 3000],
      ['action', 2000],
      ['action', 2000],
      ['status', 1000],
    ]);
    const acme = await store.cardTimeline.page({
      cardId: id,
      before: clock.now() + 1,
      limit: 10,
      kinds: ['action'],
      tenantPath: '/root/acme/',
    });
    expect(acme.map((item) => (item.kind === 'action' ? item.actor : null))).toEqual(['user:a']);
    const window = await store.cardTimeline.page({
      cardId: id,
      before: start + 3000,
      from: start + 2000,
      limit: 10,
      kinds: STORE_TIMELINE_KINDS,
      tenantPath: null,
    });
    expect(window.map((item) => item.kind)).toEqual(['action', 'action']);
  });
});
