import { expect, it } from 'vitest';
import { describeEachDialect, useTestStore } from './store.test-support.js';

describeEachDialect('audit log on $dialect', (target) => {
  const context = useTestStore(target);

  it('records who did what, and lists newest first by target or account', async () => {
    const { store, clock } = context.current;
    const first = await store.audit.record({
      actor: 'cli',
      action: 'cards.import',
      targetType: 'account',
      targetId: 'quectel-main',
      account: 'quectel-main',
      outcome: 'succeeded',
      details: { inserted: 3, existing: 0 },
    });
    clock.advance(1000);
    await store.audit.record({
      actor: 'user:li',
      action: 'cards.pause',
      targetType: 'card',
      targetId: '42',
      account: 'quectel-main',
      outcome: 'failed',
      details: { code: 'supplier_rejected' },
    });
    clock.advance(1000);
    await store.audit.record({
      actor: 'scheduler',
      action: 'rules.evaluate',
      targetType: 'rule',
      targetId: 'r1',
      outcome: 'skipped',
    });
    const all = await store.audit.list();
    expect(all.map((entry) => entry.action)).toEqual([
      'rules.evaluate',
      'cards.pause',
      'cards.import',
    ]);
    expect(all[2]).toEqual({
      id: first,
      at: clock.now() - 2000,
      actor: 'cli',
      action: 'cards.import',
      targetType: 'account',
      targetId: 'quectel-main',
      account: 'quectel-main',
      outcome: 'succeeded',
      details: { inserted: 3, existing: 0 },
    });
    expect(all[0]).toMatchObject({ account: null, details: null, outcome: 'skipped' });
    expect((await store.audit.list({ targetId: '42' })).map((entry) => entry.actor)).toEqual([
      'user:li',
    ]);
    expect(
      (await store.audit.list({ account: 'quectel-main', limit: 1 })).map((entry) => entry.action),
    ).toEqual(['cards.pause']);
  });

  it('rejects an unknown outcome or a missing actor', async () => {
    const { store } = context.current;
    const entry = {
      actor: 'cli',
      action: 'sync',
      targetType: 'account',
      targetId: 'a',
      outcome: 'succeeded' as const,
    };
    await expect(
      store.audit.record({ ...entry, outcome: 'done' as 'succeeded' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(store.audit.record({ ...entry, actor: '' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect(await store.audit.list()).toEqual([]);
  });
});
