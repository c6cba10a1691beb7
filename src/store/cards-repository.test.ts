import { expect, it } from 'vitest';
import type { CardStatus } from '../domain/status.js';
import type { StoredCard } from './index.js';
import { describeEachDialect, useTestStore } from './store.test-support.js';

const iccid = (index: number) => `898604${String(index).padStart(14, '0')}`;
const msisdn = (index: number) => `1064${String(index).padStart(9, '0')}`;
const imsi = (index: number) => `4600${String(index).padStart(11, '0')}`;

describeEachDialect('cards queries on $dialect', (target) => {
  const context = useTestStore(target);

  async function seed(account: string, count: number, start = 0): Promise<void> {
    const rows = Array.from({ length: count }, (_, offset) => ({
      iccid: iccid(start + offset),
      msisdn: msisdn(start + offset),
      imsi: imsi(start + offset),
    }));
    await context.current.store.cards.importCards(account, `${account}-type`, rows);
  }

  it('gets a card by id and null for an unknown id', async () => {
    const { store } = context.current;
    await seed('a', 1);
    const [card] = (await store.cards.list({ limit: 1 })).cards;
    expect(await store.cards.get(card!.id)).toEqual(card);
    expect(await store.cards.get(card!.id + 1000)).toBeNull();
  });

  it('finds cards by any identifier, ICCID in any case, across accounts', async () => {
    const { store } = context.current;
    await store.cards.importCards('a', 'onelink-v2', [
      { iccid: '898602B2221340000878', msisdn: '1064000000001', imei: '860000000000001' },
    ]);
    await store.cards.importCards('b', 'quectel', [
      { iccid: '898602B2221340000878', imsi: '460040000000001' },
    ]);
    expect(await store.cards.findByIdentifier('898602b2221340000878')).toHaveLength(2);
    expect((await store.cards.findByIdentifier(' 1064000000001 '))[0]?.account).toBe('a');
    expect((await store.cards.findByIdentifier('460040000000001'))[0]?.account).toBe('b');
    expect((await store.cards.findByIdentifier('860000000000001'))[0]?.account).toBe('a');
    expect(await store.cards.findByIdentifier('1064999999999')).toEqual([]);
    expect(await store.cards.findByIdentifier('  ')).toEqual([]);
  });

  it('walks an account for sync by keyset, without other accounts', async () => {
    const { store } = context.current;
    await seed('a', 5, 0);
    await seed('b', 3, 100);
    await seed('a', 5, 200);
    const seen: number[] = [];
    let afterId = 0;
    for (;;) {
      const page = await store.cards.listForSync('a', { afterId, limit: 3 });
      if (page.length === 0) break;
      expect(page.every((card) => card.account === 'a')).toBe(true);
      seen.push(...page.map((card) => card.id));
      afterId = page.at(-1)!.id;
    }
    expect(seen).toHaveLength(10);
    expect([...seen].sort((left, right) => left - right)).toEqual(seen);
    expect(new Set(seen).size).toBe(10);
    expect(await store.cards.listForSync('a', { limit: 100 })).toHaveLength(10);
  });

  it('pages through the whole list without gaps or repeats, even while cards are added', async () => {
    const { store } = context.current;
    await seed('a', 25, 0);
    await seed('b', 12, 100);
    const ids: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { cards: StoredCard[]; nextCursor: string | null } = await store.cards.list({
        limit: 7,
        cursor,
      });
      ids.push(...page.cards.map((card) => card.id));
      cursor = page.nextCursor;
      pages += 1;
      if (pages === 2) await seed('a', 3, 500);
    } while (cursor);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    expect(pages).toBe(Math.ceil(40 / 7));
    const exact = await store.cards.list({ limit: 40 });
    expect(exact.cards).toHaveLength(40);
    expect(exact.nextCursor).toBeNull();
  });

  it('filters the list by account, supplier, status and search', async () => {
    const { store } = context.current;
    await seed('a', 10, 0);
    await seed('b', 10, 100);
    const listed = await store.cards.list({ account: 'a', limit: 100 });
    await store.cards.updateStatuses(
      listed.cards.slice(0, 4).map((card) => ({ id: card.id, status: 'active', statusRaw: '1' })),
      'test',
    );
    expect((await store.cards.list({ account: 'b', limit: 100 })).cards).toHaveLength(10);
    expect((await store.cards.list({ supplier: 'a-type', limit: 100 })).cards).toHaveLength(10);
    const active = await store.cards.list({ status: 'active', limit: 3 });
    expect(active.cards.map((card) => card.status)).toEqual(['active', 'active', 'active']);
    const rest = await store.cards.list({ status: 'active', limit: 3, cursor: active.nextCursor });
    expect(rest).toMatchObject({ cards: [{ status: 'active' }], nextCursor: null });
    expect(
      (await store.cards.list({ status: 'active', account: 'b', limit: 10 })).cards,
    ).toHaveLength(0);
    // Substring of an MSISDN, prefix of an IMSI, lower-case ICCID fragment.
    expect((await store.cards.list({ search: '00000105', limit: 100 })).cards).toHaveLength(1);
    expect((await store.cards.list({ search: imsi(7), limit: 100 })).cards[0]?.imsi).toBe(imsi(7));
    await store.cards.importCards('c', 'onelink-v2', [{ iccid: '898602B2221340000878' }]);
    expect((await store.cards.list({ search: 'b2221', limit: 100 })).cards).toHaveLength(1);
    // LIKE wildcards in the search are literal.
    expect((await store.cards.list({ search: '%', limit: 100 })).cards).toHaveLength(0);
    expect((await store.cards.list({ search: '_', limit: 100 })).cards).toHaveLength(0);
  });

  it('rejects a bad cursor, limit or status', async () => {
    const { store } = context.current;
    await expect(store.cards.list({ limit: 10, cursor: 'abc' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(store.cards.list({ limit: 0 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(
      store.cards.list({ limit: 5, status: 'paused' as CardStatus }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('counts cards by account and status', async () => {
    const { store } = context.current;
    await seed('a', 6, 0);
    await seed('b', 4, 100);
    const [first] = await store.cards.listForSync('b', { limit: 1 });
    await store.cards.updateStatuses([{ id: first!.id, status: 'suspended', statusRaw: '4' }], 't');
    expect(await store.cards.count()).toBe(10);
    expect(await store.cards.count({ account: 'a' })).toBe(6);
    expect(await store.cards.count({ status: 'unknown' })).toBe(9);
    expect(await store.cards.count({ account: 'b', status: 'suspended' })).toBe(1);
    expect(await store.cards.count({ account: 'absent' })).toBe(0);
  });
});

describeEachDialect('cards updates on $dialect', (target) => {
  const context = useTestStore(target);

  it('applies reported identities, counting only real changes', async () => {
    const { store, clock } = context.current;
    await store.cards.importCards('a', 'onelink-v2', [
      { msisdn: msisdn(1) },
      { iccid: iccid(2), msisdn: msisdn(2) },
      { iccid: iccid(3) },
    ]);
    const cards = (await store.cards.list({ limit: 10 })).cards;
    clock.advance(10_000);
    const changed = await store.cards.updateIdentities(
      [
        { id: cards[0]!.id, iccid: iccid(1).toLowerCase(), imsi: imsi(1), msisdn: null },
        { id: cards[1]!.id, iccid: iccid(2), msisdn: msisdn(2) },
        { id: cards[2]!.id, msisdn: msisdn(3), imei: '860000000000003' },
        { id: 999_999, iccid: iccid(9) },
      ],
      'sync',
    );
    expect(changed).toBe(2);
    const after = (await store.cards.list({ limit: 10 })).cards;
    expect(after[0]).toMatchObject({
      iccid: iccid(1),
      msisdn: msisdn(1),
      imsi: imsi(1),
      identitiesSyncedAt: clock.now(),
      updatedAt: clock.now(),
    });
    // Unchanged, but synced.
    expect(after[1]).toMatchObject({
      identitiesSyncedAt: clock.now(),
      updatedAt: cards[1]!.updatedAt,
    });
    expect(after[2]).toMatchObject({ msisdn: msisdn(3), imei: '860000000000003' });
    // Reported values replace stored ones.
    clock.advance(5_000);
    expect(
      await store.cards.updateIdentities(
        [{ id: cards[2]!.id, msisdn: msisdn(33), imei: '860000000000004' }],
        'sync:a',
      ),
    ).toBe(1);
    expect((await store.cards.get(cards[2]!.id))?.msisdn).toBe(msisdn(33));
    expect(await store.cards.updateIdentities([], 'sync')).toBe(0);
    // Replaced values are the card's identity history; values learned the first time are not.
    const history = await store.cardTimeline.page({
      cardId: cards[2]!.id,
      before: clock.now() + 1,
      limit: 10,
      kinds: ['identity'],
      tenantPath: null,
    });
    expect(history).toEqual([
      expect.objectContaining({
        kind: 'identity',
        at: clock.now(),
        identity: 'imei',
        value: '860000000000004',
        previous: '860000000000003',
        source: 'sync:a',
      }),
      expect.objectContaining({
        kind: 'identity',
        identity: 'msisdn',
        value: msisdn(33),
        previous: msisdn(3),
      }),
    ]);
    for (const card of cards.slice(0, 2)) {
      const none = await store.cardTimeline.page({
        cardId: card.id,
        before: clock.now() + 1,
        limit: 10,
        kinds: ['identity'],
        tenantPath: null,
      });
      expect(none).toEqual([]);
    }
  });

  it('leaves an ICCID with the card of the account that holds it', async () => {
    const { store } = context.current;
    await store.cards.importCards('a', 'quectel', [{ iccid: iccid(1) }, { msisdn: msisdn(2) }]);
    const [holder, other] = (await store.cards.list({ limit: 10 })).cards;
    expect(
      await store.cards.updateIdentities(
        [{ id: other!.id, iccid: iccid(1), imsi: imsi(2) }],
        'sync',
      ),
    ).toBe(1);
    expect(await store.cards.get(other!.id)).toMatchObject({ iccid: null, imsi: imsi(2) });
    expect((await store.cards.get(holder!.id))?.iccid).toBe(iccid(1));
  });

  it('records status changes in the history, and nothing for unchanged statuses', async () => {
    const { store, clock } = context.current;
    await store.cards.importCards('a', 'onelink-v5', [{ iccid: iccid(1) }, { iccid: iccid(2) }]);
    const [first, second] = (await store.cards.list({ limit: 10 })).cards;
    clock.advance(1000);
    const activatedAt = clock.now();
    expect(
      await store.cards.updateStatuses(
        [
          { id: first!.id, status: 'active', statusRaw: '02' },
          { id: second!.id, status: 'unknown', statusRaw: null },
          { id: 424_242, status: 'active', statusRaw: '02' },
        ],
        'sync:a',
      ),
    ).toBe(1);
    clock.advance(1000);
    expect(
      await store.cards.updateStatuses(
        [{ id: first!.id, status: 'active', statusRaw: '02' }],
        'sync:a',
      ),
    ).toBe(0);
    clock.advance(1000);
    // Same normalized status, another raw code: a change the supplier reported.
    expect(
      await store.cards.updateStatuses(
        [{ id: first!.id, status: 'suspended', statusRaw: '04' }],
        'job:pause',
      ),
    ).toBe(1);
    expect(await store.cards.get(first!.id)).toMatchObject({
      status: 'suspended',
      statusRaw: '04',
      statusChangedAt: clock.now(),
    });
    expect(await store.cards.get(second!.id)).toMatchObject({ statusChangedAt: null });
    expect(await store.cards.statusHistory(first!.id)).toEqual([
      {
        id: expect.any(Number),
        cardId: first!.id,
        at: activatedAt,
        status: 'active',
        statusRaw: '02',
        previousStatus: 'unknown',
        source: 'sync:a',
      },
      {
        id: expect.any(Number),
        cardId: first!.id,
        at: clock.now(),
        status: 'suspended',
        statusRaw: '04',
        previousStatus: 'active',
        source: 'job:pause',
      },
    ]);
    expect(await store.cards.statusHistory(second!.id)).toEqual([]);
  });

  it('rejects an unknown status without writing anything', async () => {
    const { store } = context.current;
    await store.cards.importCards('a', 'quectel', [{ iccid: iccid(1) }]);
    const [card] = (await store.cards.list({ limit: 1 })).cards;
    await expect(
      store.cards.updateStatuses(
        [
          { id: card!.id, status: 'active', statusRaw: '1' },
          { id: card!.id, status: 'paused' as CardStatus, statusRaw: 'x' },
        ],
        'sync',
      ),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    expect((await store.cards.get(card!.id))?.status).toBe('unknown');
  });

  it('updates many cards in bulk statements', async () => {
    const { store } = context.current;
    const rows = Array.from({ length: 12_000 }, (_, index) => ({ msisdn: msisdn(index) }));
    await store.cards.importCards('bulk', 'quectel', rows);
    const cards = await store.cards.listForSync('bulk', { limit: 20_000 });
    const statuses: CardStatus[] = ['active', 'suspended', 'inventory'];
    const changed = await store.cards.updateStatuses(
      cards.map((card, index) => ({
        id: card.id,
        status: statuses[index % 3]!,
        statusRaw: String(index % 3),
      })),
      'sync',
    );
    expect(changed).toBe(12_000);
    expect(await store.cards.count({ status: 'suspended' })).toBe(4000);
    const identities = await store.cards.updateIdentities(
      cards.map((card, index) => ({ id: card.id, iccid: iccid(index), imsi: imsi(index) })),
      'sync',
    );
    expect(identities).toBe(12_000);
    const [found] = await store.cards.findByIdentifier(iccid(11_999));
    expect(found).toMatchObject({
      msisdn: msisdn(11_999),
      imsi: imsi(11_999),
      status: 'inventory',
    });
  }, 60_000);
});
