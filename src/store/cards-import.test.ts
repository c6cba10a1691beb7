import { describe, expect, it } from 'vitest';
import { describeEachDialect, useTestStore } from './store.test-support.js';

const iccid = (index: number) => `898604${String(index).padStart(14, '0')}`;
const msisdn = (index: number) => `1064${String(index).padStart(9, '0')}`;
const imsi = (index: number) => `4600${String(index).padStart(11, '0')}`;

describeEachDialect('cards.importCards on $dialect', (target) => {
  const context = useTestStore(target);

  it('inserts new cards with unknown status and counts existing ones on a second import', async () => {
    const { store, clock } = context.current;
    const rows = [
      { iccid: '898602b2221340000878', msisdn: '1064000000001' },
      { msisdn: '1064000000002', imsi: '460040000000002' },
      { imsi: '460040000000003', imei: '860000000000003' },
    ];
    expect(await store.cards.importCards('onelink-a', 'onelink-v2', rows)).toEqual({
      inserted: 3,
      existing: 0,
    });
    expect(await store.cards.importCards('onelink-a', 'onelink-v2', rows)).toEqual({
      inserted: 0,
      existing: 3,
    });
    const { cards } = await store.cards.list({ limit: 10 });
    expect(cards).toHaveLength(3);
    expect(cards[0]).toMatchObject({
      account: 'onelink-a',
      supplier: 'onelink-v2',
      iccid: '898602B2221340000878',
      msisdn: '1064000000001',
      imsi: null,
      imei: null,
      status: 'unknown',
      statusRaw: null,
      statusChangedAt: null,
      identitiesSyncedAt: null,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
  });

  it('matches an existing card by any identifier, and duplicates within one call', async () => {
    const { store } = context.current;
    await store.cards.importCards('a', 'quectel', [
      { iccid: iccid(1) },
      { msisdn: msisdn(2) },
      { imsi: imsi(3) },
      { imei: '860000000000004' },
    ]);
    const result = await store.cards.importCards('a', 'quectel', [
      { iccid: iccid(1).toLowerCase(), msisdn: msisdn(99) },
      { msisdn: msisdn(2), imsi: imsi(98) },
      { iccid: iccid(97), imsi: imsi(3) },
      { imei: ' 860000000000004 ' },
      { iccid: iccid(5) },
      { iccid: iccid(6), msisdn: msisdn(6) },
      { msisdn: msisdn(6) },
    ]);
    expect(result).toEqual({ inserted: 2, existing: 5 });
    expect(await store.cards.count({ account: 'a' })).toBe(6);
    // An existing card is not changed by an import.
    const [first] = await store.cards.findByIdentifier(iccid(1));
    expect(first?.msisdn).toBeNull();
  });

  it('keeps accounts apart', async () => {
    const { store } = context.current;
    await store.cards.importCards('a', 'quectel', [{ iccid: iccid(1) }]);
    expect(await store.cards.importCards('b', 'quectel', [{ iccid: iccid(1) }])).toEqual({
      inserted: 1,
      existing: 0,
    });
    expect(await store.cards.findByIdentifier(iccid(1))).toHaveLength(2);
  });

  it('rejects a row without any identifier and writes nothing', async () => {
    const { store } = context.current;
    await expect(
      store.cards.importCards('a', 'quectel', [{ iccid: iccid(1) }, { msisdn: '  ', imsi: null }]),
    ).rejects.toMatchObject({ code: 'invalid_argument', details: { row: 2 } });
    expect(await store.cards.count()).toBe(0);
    expect(await store.cards.importCards('a', 'quectel', [])).toEqual({
      inserted: 0,
      existing: 0,
    });
  });

  it('imports 100,000 cards in one call, and again as existing', async () => {
    const { store } = context.current;
    const rows = Array.from({ length: 100_000 }, (_, index) => ({
      iccid: iccid(index),
      msisdn: msisdn(index),
      imsi: imsi(index),
    }));
    expect(await store.cards.importCards('bulk', 'onelink-v2', rows)).toEqual({
      inserted: 100_000,
      existing: 0,
    });
    expect(await store.cards.importCards('bulk', 'onelink-v2', rows)).toEqual({
      inserted: 0,
      existing: 100_000,
    });
    expect(await store.cards.count({ account: 'bulk' })).toBe(100_000);
    const [card] = await store.cards.findByIdentifier(msisdn(54_321));
    expect(card).toMatchObject({ iccid: iccid(54_321), imsi: imsi(54_321) });
  }, 120_000);
});

describeEachDialect('cards.upsertFromSupplier on $dialect', (target) => {
  const context = useTestStore(target);

  it('inserts listed cards with their status and identities, and a repeat changes nothing', async () => {
    const { store, clock } = context.current;
    const listed = [
      {
        iccid: iccid(1),
        msisdn: msisdn(1),
        imsi: imsi(1),
        imei: null,
        status: { status: 'active' as const, raw: '2' },
      },
      { iccid: iccid(2), msisdn: null, imsi: null, imei: null },
    ];
    expect(await store.cards.upsertFromSupplier('q', 'quectel', listed)).toEqual({
      inserted: 2,
      updated: 0,
    });
    const [card] = await store.cards.findByIdentifier(iccid(1));
    expect(card).toMatchObject({
      status: 'active',
      statusRaw: '2',
      statusChangedAt: null,
      identitiesSyncedAt: clock.now(),
    });
    expect(await store.cards.statusHistory(card!.id)).toEqual([]);
    clock.advance(1000);
    expect(await store.cards.upsertFromSupplier('q', 'quectel', listed)).toEqual({
      inserted: 0,
      updated: 0,
    });
    expect((await store.cards.get(card!.id))?.updatedAt).toBe(card!.updatedAt);
  });

  it('matches by ICCID, else MSISDN, else IMSI, and fills missing identifiers', async () => {
    const { store, clock } = context.current;
    await store.cards.importCards('q', 'quectel', [
      { iccid: iccid(1) },
      { msisdn: msisdn(2) },
      { imsi: imsi(3) },
    ]);
    clock.advance(5000);
    const result = await store.cards.upsertFromSupplier('q', 'quectel', [
      { iccid: iccid(1).toLowerCase(), msisdn: msisdn(1), imsi: null, imei: '860000000000001' },
      { iccid: iccid(2), msisdn: msisdn(2), imsi: imsi(2), imei: null },
      { iccid: null, msisdn: msisdn(3), imsi: imsi(3), imei: null },
    ]);
    expect(result).toEqual({ inserted: 0, updated: 3 });
    const { cards } = await store.cards.list({ limit: 10 });
    expect(cards.map(({ iccid, msisdn, imsi, imei }) => ({ iccid, msisdn, imsi, imei }))).toEqual([
      { iccid: iccid(1), msisdn: msisdn(1), imsi: null, imei: '860000000000001' },
      { iccid: iccid(2), msisdn: msisdn(2), imsi: imsi(2), imei: null },
      { iccid: null, msisdn: msisdn(3), imsi: imsi(3), imei: null },
    ]);
    expect(cards[0]).toMatchObject({ identitiesSyncedAt: clock.now(), updatedAt: clock.now() });
  });

  it('never replaces a known identifier and never merges a card with another ICCID', async () => {
    const { store } = context.current;
    await store.cards.importCards('q', 'quectel', [{ iccid: iccid(1), msisdn: msisdn(1) }]);
    // Same MSISDN, another ICCID: another card (a recycled number), inserted beside it.
    expect(
      await store.cards.upsertFromSupplier('q', 'quectel', [
        { iccid: iccid(2), msisdn: msisdn(1), imsi: null, imei: null },
      ]),
    ).toEqual({ inserted: 1, updated: 0 });
    // Matched by ICCID with a different MSISDN: the stored MSISDN stays.
    expect(
      await store.cards.upsertFromSupplier('q', 'quectel', [
        { iccid: iccid(1), msisdn: msisdn(9), imsi: null, imei: null },
      ]),
    ).toEqual({ inserted: 0, updated: 0 });
    expect((await store.cards.findByIdentifier(iccid(1)))[0]?.msisdn).toBe(msisdn(1));
    expect(await store.cards.findByIdentifier(msisdn(1))).toHaveLength(2);
  });

  it('updates statuses with history only on real changes', async () => {
    const { store, clock } = context.current;
    const list = (status: 'active' | 'suspended', raw: string) => [
      { iccid: iccid(1), msisdn: null, imsi: null, imei: null, status: { status, raw } },
    ];
    await store.cards.upsertFromSupplier('q', 'quectel', list('active', '2'));
    clock.advance(60_000);
    expect(await store.cards.upsertFromSupplier('q', 'quectel', list('suspended', '3'))).toEqual({
      inserted: 0,
      updated: 1,
    });
    clock.advance(60_000);
    await store.cards.upsertFromSupplier('q', 'quectel', list('suspended', '3'), {
      source: 'quectel:list',
    });
    const [card] = await store.cards.findByIdentifier(iccid(1));
    expect(card).toMatchObject({ status: 'suspended', statusRaw: '3' });
    expect(card?.statusChangedAt).toBe(clock.now() - 60_000);
    const history = await store.cards.statusHistory(card!.id);
    expect(history).toEqual([
      {
        id: expect.any(Number),
        cardId: card!.id,
        at: clock.now() - 60_000,
        status: 'suspended',
        statusRaw: '3',
        previousStatus: 'active',
        source: 'sync',
      },
    ]);
  });

  it('merges duplicates within one listing into one card', async () => {
    const { store } = context.current;
    expect(
      await store.cards.upsertFromSupplier('q', 'quectel', [
        { iccid: iccid(1), msisdn: null, imsi: null, imei: null },
        { iccid: iccid(1), msisdn: msisdn(1), imsi: null, imei: null },
        { iccid: null, msisdn: msisdn(1), imsi: imsi(1), imei: null },
      ]),
    ).toEqual({ inserted: 1, updated: 0 });
    const [card] = await store.cards.findByIdentifier(imsi(1));
    expect(card).toMatchObject({ iccid: iccid(1), msisdn: msisdn(1), imsi: imsi(1) });
  });

  it('rejects a card it cannot match, and an unknown status', async () => {
    const { store } = context.current;
    await expect(
      store.cards.upsertFromSupplier('q', 'quectel', [
        { iccid: null, msisdn: null, imsi: null, imei: '860000000000001' },
      ]),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(
      store.cards.upsertFromSupplier('q', 'quectel', [
        { iccid: iccid(1), status: { status: 'paused' as 'active', raw: 'x' } },
      ]),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('identifier helpers', () => {
  it('build distinct valid-looking identifiers', () => {
    expect(iccid(1)).toHaveLength(20);
    expect(msisdn(1)).toHaveLength(13);
    expect(imsi(1)).toHaveLength(15);
  });
});
