import { expect, it } from 'vitest';
import { describeEachDialect, useTestStore } from './store.test-support.js';

describeEachDialect('repositories reached from Store on $dialect', (target) => {
  const context = useTestStore(target);

  async function cards(count: number) {
    const { store } = context.current;
    await store.cards.importCards(
      'a',
      'quectel',
      Array.from({ length: count }, (_, index) => ({
        iccid: `8986000000000000${String(index).padStart(4, '0')}`,
      })),
    );
    return store.cards.listForSync('a', { limit: count });
  }

  it('reads cards by ids and by ICCIDs, and the status changes a sync recorded', async () => {
    const { store, clock } = context.current;
    const [first, second, third] = await cards(3);
    const byId = await store.cards.getMany([third!.id, first!.id, first!.id, 999_999]);
    expect([...byId.keys()]).toEqual([first!.id, third!.id]);
    expect(byId.get(third!.id)).toMatchObject({ iccid: third!.iccid, status: 'unknown' });
    expect(
      (await store.cards.idsByIccid('a', [second!.iccid!, 'ABSENT'])).sort((x, y) => x - y),
    ).toEqual([second!.id]);
    expect(await store.cards.idsByIccid('b', [second!.iccid!])).toEqual([]);

    const since = clock.now();
    await store.cards.updateStatuses([{ id: first!.id, status: 'active', statusRaw: '1' }], 'sync');
    clock.advance(1000);
    await store.cards.updateStatuses(
      [{ id: first!.id, status: 'suspended', statusRaw: '4' }],
      'sync:quectel',
    );
    await store.cards.updateStatuses(
      [{ id: second!.id, status: 'active', statusRaw: '1' }],
      'job:resume',
    );
    const changes = await store.cards.syncStatusChanges([first!.id, second!.id], since);
    expect(changes.map((change) => [change.cardId, change.previousStatus, change.status])).toEqual([
      [first!.id, 'unknown', 'active'],
      [first!.id, 'active', 'suspended'],
    ]);
  });

  it('reads many cards’ usage since a day and a month', async () => {
    const { store } = context.current;
    const [first, second] = await cards(2);
    await store.usage.upsertDaily([
      { cardId: first!.id, date: '2024-10-31', bytes: 1 },
      { cardId: first!.id, date: '2024-11-01', bytes: 2 },
      { cardId: second!.id, date: '2024-11-02', bytes: 3 },
    ]);
    await store.usage.upsertMonthly([
      { cardId: first!.id, month: '2024-10', bytes: 10 },
      { cardId: second!.id, month: '2024-11', bytes: 20 },
    ]);
    const usage = await store.usage.since([first!.id, second!.id], {
      fromDate: '2024-11-01',
      fromMonth: '2024-11',
    });
    expect(usage.daily.sort((x, y) => x.bytes - y.bytes)).toEqual([
      { cardId: first!.id, date: '2024-11-01', bytes: 2 },
      { cardId: second!.id, date: '2024-11-02', bytes: 3 },
    ]);
    expect(usage.monthly).toEqual([{ cardId: second!.id, month: '2024-11', bytes: 20 }]);
  });

  it('appends audit entries in bulk and lists them by tenant subtree', async () => {
    const { store } = context.current;
    await store.audit.recordMany(
      [1, 2, 3].map((id) => ({
        actor: 'user:li',
        action: 'cards.pause',
        targetType: 'card',
        targetId: String(id),
        outcome: 'succeeded' as const,
        details: { job: 7 },
      })),
      1_700_000_000_000,
    );
    const all = await store.audit.listInSubtree(null, { limit: 10 });
    expect(all.map((entry) => entry.targetId)).toEqual(['3', '2', '1']);
    expect(all[0]).toMatchObject({ at: 1_700_000_000_000, details: { job: 7 } });
    await store.audit.tagTenant(all[1]!.id, '/root/acme/');
    expect(
      (await store.audit.listInSubtree('/root/', { limit: 10 })).map((entry) => entry.targetId),
    ).toEqual(['2']);
    expect(await store.audit.listInSubtree('/root/other/', { limit: 10 })).toEqual([]);
  });

  it('emits events in bulk once per event id', async () => {
    const { store } = context.current;
    const event = (id: string) => ({
      type: 'card.status_changed' as const,
      eventId: id,
      subject: id,
      data: { id },
    });
    await store.events.emitMany([event('e1'), event('e2')], 5);
    await store.events.emitMany([event('e2'), event('e3')], 6);
    const stored = await store.events.after(0, { limit: 10 });
    expect(stored.map((item) => [item.eventId, item.createdAt])).toEqual([
      ['e1', 5],
      ['e2', 5],
      ['e3', 6],
    ]);
  });

  it('keeps rule pauses and the IMEIs cards were last seen with', async () => {
    const { store } = context.current;
    const [card] = await cards(1);
    const rule = await store.rules.create({
      scope: 'card',
      targetId: String(card!.id),
      kind: 'usage',
      thresholds: { percent: 100, resumeNextCycle: true },
      actions: [{ type: 'pause' }],
      createdBy: 'cli',
    });
    const pause = { ruleId: rule.id, cardId: card!.id, cycle: '2024-11', pausedAt: 1 };
    await store.rulePauses.record({ ...pause, resumeOn: '2024-12-01' });
    await store.rulePauses.record({ ...pause, resumeOn: '2024-12-01' });
    expect(await store.rulePauses.due('2024-11-30')).toEqual([]);
    const due = await store.rulePauses.due('2024-12-01');
    expect(due).toEqual([{ id: due[0]!.id, cardId: card!.id, ruleId: rule.id }]);
    await store.rulePauses.markResumed(due[0]!.id, 2);
    expect(await store.rulePauses.due('2024-12-02')).toEqual([]);

    expect(await store.ruleCardState.lastImeis([card!.id])).toEqual(new Map());
    await store.ruleCardState.rememberImeis([{ id: card!.id, imei: '860000000000001' }], 10);
    await store.ruleCardState.rememberImeis([{ id: card!.id, imei: '860000000000002' }], 20);
    expect(await store.ruleCardState.lastImeis([card!.id])).toEqual(
      new Map([[card!.id, { imei: '860000000000002', observedAt: 20 }]]),
    );
  });
});
