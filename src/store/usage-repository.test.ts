import { expect, it } from 'vitest';
import { describeEachDialect, useTestStore } from './store.test-support.js';

describeEachDialect('usage on $dialect', (target) => {
  const context = useTestStore(target);

  async function twoCards(): Promise<[number, number]> {
    const { store } = context.current;
    await store.cards.importCards('a', 'onelink-v2', [
      { msisdn: '1064000000001' },
      { msisdn: '1064000000002' },
    ]);
    const [first, second] = await store.cards.listForSync('a', { limit: 2 });
    return [first!.id, second!.id];
  }

  it('writes daily rows, and an identical re-run writes nothing', async () => {
    const { store } = context.current;
    const [first, second] = await twoCards();
    const rows = [
      { cardId: first, date: '2024-11-24', bytes: 1024 },
      { cardId: first, date: '2024-11-25', bytes: 0 },
      { cardId: second, date: '2024-11-25', bytes: 5 * 1024 * 1024 },
    ];
    expect(await store.usage.upsertDaily(rows)).toEqual({ written: 3 });
    expect(await store.usage.upsertDaily(rows)).toEqual({ written: 0 });
    expect(
      await store.usage.upsertDaily([
        { cardId: first, date: '2024-11-25', bytes: 2048 },
        { cardId: second, date: '2024-11-25', bytes: 5 * 1024 * 1024 },
        { cardId: second, date: '2024-11-26', bytes: 7 },
      ]),
    ).toEqual({ written: 2 });
    expect(await store.usage.daily(first)).toEqual([
      { date: '2024-11-24', bytes: 1024 },
      { date: '2024-11-25', bytes: 2048 },
    ]);
    expect(await store.usage.daily(second, { from: '2024-11-26' })).toEqual([
      { date: '2024-11-26', bytes: 7 },
    ]);
    expect(await store.usage.daily(second, { to: '2024-11-25' })).toEqual([
      { date: '2024-11-25', bytes: 5 * 1024 * 1024 },
    ]);
    expect(await store.usage.daily(first, { from: '2024-11-25', to: '2024-11-25' })).toEqual([
      { date: '2024-11-25', bytes: 2048 },
    ]);
    expect(await store.usage.daily(first, { from: '2024-12-01' })).toEqual([]);
  });

  it('keeps byte counts exact up to 2^53 as numbers', async () => {
    const { store } = context.current;
    const [card] = await twoCards();
    const huge = Number.MAX_SAFE_INTEGER;
    await store.usage.upsertDaily([{ cardId: card, date: '2024-01-01', bytes: huge }]);
    await store.usage.upsertMonthly([{ cardId: card, month: '2024-01', bytes: huge - 1 }]);
    const [daily] = await store.usage.daily(card);
    const [monthly] = await store.usage.monthly(card);
    expect(daily?.bytes).toBe(huge);
    expect(typeof daily?.bytes).toBe('number');
    expect(monthly?.bytes).toBe(huge - 1);
  });

  it('takes the last of duplicate rows in one call', async () => {
    const { store } = context.current;
    const [card] = await twoCards();
    expect(
      await store.usage.upsertDaily([
        { cardId: card, date: '2024-11-01', bytes: 1 },
        { cardId: card, date: '2024-11-01', bytes: 2 },
      ]),
    ).toEqual({ written: 1 });
    expect(await store.usage.daily(card)).toEqual([{ date: '2024-11-01', bytes: 2 }]);
  });

  it('writes monthly rows idempotently and reads them in order', async () => {
    const { store } = context.current;
    const [first, second] = await twoCards();
    const rows = [
      { cardId: first, month: '2024-11', bytes: 300 },
      { cardId: first, month: '2024-09', bytes: 100 },
      { cardId: first, month: '2024-10', bytes: 200 },
      { cardId: second, month: '2024-11', bytes: 9 },
    ];
    expect(await store.usage.upsertMonthly(rows)).toEqual({ written: 4 });
    expect(await store.usage.upsertMonthly(rows)).toEqual({ written: 0 });
    expect(
      await store.usage.upsertMonthly([{ cardId: first, month: '2024-11', bytes: 301 }]),
    ).toEqual({ written: 1 });
    expect(await store.usage.monthly(first)).toEqual([
      { month: '2024-09', bytes: 100 },
      { month: '2024-10', bytes: 200 },
      { month: '2024-11', bytes: 301 },
    ]);
    expect(await store.usage.monthly(first, { from: '2024-10', to: '2024-10' })).toEqual([
      { month: '2024-10', bytes: 200 },
    ]);
  });

  it('rejects bad dates, months, byte counts and unknown cards, writing nothing', async () => {
    const { store } = context.current;
    const [card] = await twoCards();
    const invalid = { code: 'invalid_argument' };
    await expect(
      store.usage.upsertDaily([{ cardId: card, date: '2024-02-30', bytes: 1 }]),
    ).rejects.toMatchObject(invalid);
    await expect(
      store.usage.upsertDaily([{ cardId: card, date: '2024-02-01', bytes: 1.5 }]),
    ).rejects.toMatchObject(invalid);
    await expect(
      store.usage.upsertDaily([{ cardId: card, date: '2024-02-01', bytes: -1 }]),
    ).rejects.toMatchObject(invalid);
    await expect(
      store.usage.upsertMonthly([{ cardId: card, month: '2024-13', bytes: 1 }]),
    ).rejects.toMatchObject(invalid);
    await expect(
      store.usage.upsertDaily([
        { cardId: card, date: '2024-02-01', bytes: 1 },
        { cardId: 987_654, date: '2024-02-01', bytes: 1 },
      ]),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await store.usage.daily(card)).toEqual([]);
    expect(await store.usage.upsertDaily([])).toEqual({ written: 0 });
  });

  it('writes a week of a 10,000-card fleet in one call, then nothing on a re-run', async () => {
    const { store } = context.current;
    const rows = Array.from({ length: 10_000 }, (_, index) => ({
      msisdn: `1064${String(index).padStart(9, '0')}`,
    }));
    await store.cards.importCards('fleet', 'onelink-v2', rows);
    const cards = await store.cards.listForSync('fleet', { limit: 10_000 });
    const week = ['2024-11-18', '2024-11-19', '2024-11-20', '2024-11-21', '2024-11-22'];
    const usage = cards.flatMap((card) =>
      week.map((date, day) => ({ cardId: card.id, date, bytes: card.id * 1024 + day })),
    );
    expect(await store.usage.upsertDaily(usage)).toEqual({ written: 50_000 });
    expect(await store.usage.upsertDaily(usage)).toEqual({ written: 0 });
  }, 60_000);
});
