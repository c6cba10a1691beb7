import pg from 'pg';
import { expect, it } from 'vitest';
import type { CardScope } from './card-scope.js';
import type { Store } from './index.js';
import {
  describeEachDialect,
  expectUsageOrderCurrent,
  useTestStore,
} from './store.test-support.js';

const ROOT: CardScope = { tenantPath: '/root/', isRoot: true };
const ACME: CardScope = { tenantPath: '/root/acme/', isRoot: false };
const AT = { cycle: '2026-12', today: '2026-12-04' };
const GB = 1024 ** 3;
const MB = 1024 ** 2;

const iccid = (account: string, index: number) =>
  `8986${account === 'a' ? '01' : '02'}${String(index).padStart(14, '0')}`;

/** Every figure of the scopes the test uses equals a full recount from the data. */
async function expectKeptEqualsRecount(store: Store): Promise<void> {
  for (const scope of [ROOT, ACME, { tenantPath: '/root/acme/east/', isRoot: false }]) {
    expect(await store.fleetStats.figures(scope, AT)).toEqual(
      await store.fleetStats.recount(scope, AT),
    );
    expect(await store.fleetStats.daily(scope, '2026-11-01', '2026-12-31')).toEqual(
      await store.fleetStats.recountDaily(scope, '2026-11-01', '2026-12-31'),
    );
  }
  await expectUsageOrderCurrent(store);
}

async function idsOf(store: Store, account: string): Promise<number[]> {
  return store.cards.idsOfAccount(account, 10_000);
}

describeEachDialect('fleet statistics on $dialect', (target) => {
  const context = useTestStore(target);

  async function seed(store: Store) {
    await store.tenants.create({ id: 'acme', parentId: 'root', name: 'Acme', kind: 'customer' });
    await store.tenants.create({ id: 'east', parentId: 'acme', name: 'East', kind: 'agent' });
    await store.tenants.create({ id: 'beta', parentId: 'root', name: 'Beta', kind: 'customer' });
    const small = await store.plans.create({ name: 'small', quotaBytes: GB });
    const big = await store.plans.create({ name: 'big', quotaBytes: 10 * GB });
    // Import 40 cards to account a, then a sync lists 30 of them with statuses and 20 new ones.
    await store.cards.importCards(
      'a',
      'onelink-v2',
      Array.from({ length: 40 }, (_, index) => ({ iccid: iccid('a', index) })),
    );
    await store.cards.upsertFromSupplier(
      'a',
      'onelink-v2',
      Array.from({ length: 50 }, (_, index) => ({
        iccid: iccid('a', index + 10),
        status: { status: index % 3 === 0 ? 'suspended' : 'active', raw: String(index % 3) },
      })),
    );
    await store.cards.upsertFromSupplier(
      'b',
      'quectel',
      Array.from({ length: 30 }, (_, index) => ({
        iccid: iccid('b', index),
        status: { status: 'active', raw: '1' },
      })),
    );
    return { small, big, a: await idsOf(store, 'a'), b: await idsOf(store, 'b') };
  }

  it('keeps every figure equal to a full recount through syncs, jobs, imports and reassignments', async () => {
    const { store } = context.current;
    const { small, big, a, b } = await seed(store);
    await expectKeptEqualsRecount(store);

    // Plans, expiry and tenants (划卡).
    await store.plans.assign(a.slice(0, 30), { planId: small.id, expiresOn: '2026-12-08' });
    await store.plans.assign(a.slice(30), { planId: big.id, expiresOn: '2026-12-30' });
    await store.plans.assign(b.slice(0, 10), { expiresOn: '2026-12-03' });
    await store.scopedCards(ROOT).assign(a.slice(0, 25), { id: 'acme', path: '/root/acme/' }, 1);
    await store
      .scopedCards(ROOT)
      .assign(a.slice(25, 35), { id: 'east', path: '/root/acme/east/' }, 1);
    await store.scopedCards(ROOT).assign(b.slice(0, 15), { id: 'beta', path: '/root/beta/' }, 1);
    await expectKeptEqualsRecount(store);

    // Usage: days of two months, then month figures that take over some cards' days.
    const days = ['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03'];
    await store.usage.upsertDaily(
      [...a, ...b].flatMap((cardId, index) =>
        days.map((date) => ({ cardId, date, bytes: Math.round((index % 7) * 0.06 * GB) + 1000 })),
      ),
    );
    await store.usage.upsertMonthly(
      a.slice(0, 12).map((cardId, index) => ({
        cardId,
        month: '2026-12',
        bytes: Math.round(index * 0.1 * GB),
      })),
    );
    await store.usage.upsertMonthly(
      b.slice(0, 5).map((cardId) => ({ cardId, month: '2026-11', bytes: 3 * GB })),
    );
    await expectKeptEqualsRecount(store);

    // A second sync changes some figures and statuses; alerts are raised and acknowledged.
    await store.usage.upsertDaily(
      a.slice(5, 20).map((cardId) => ({ cardId, date: '2026-12-03', bytes: 2 * GB })),
    );
    await store.usage.upsertMonthly(
      a.slice(0, 3).map((cardId) => ({ cardId, month: '2026-12', bytes: 11 * GB })),
    );
    await store.cards.updateStatuses(
      b.slice(0, 8).map((id) => ({ id, status: 'deactivated', statusRaw: '9' })),
      'sync',
    );
    await expectKeptEqualsRecount(store);
    // One batch mixing new statuses, a raw-only change, a card answered unchanged and cards
    // moving both ways between two statuses (the SQLite batch keeps its own figures, 0024).
    await store.cards.updateStatuses(
      [
        { id: b[0]!, status: 'deactivated', statusRaw: '10' },
        { id: b[1]!, status: 'deactivated', statusRaw: '9' },
        { id: b[2]!, status: 'active', statusRaw: '1' },
        { id: b[8]!, status: 'suspended', statusRaw: '2' },
        { id: a[30]!, status: 'suspended', statusRaw: '2' },
        { id: a[31]!, status: 'deactivated', statusRaw: '9' },
      ],
      'sync',
    );
    await expectKeptEqualsRecount(store);
    for (const [index, cardId] of [a[0], a[26], b[1], b[20], null].entries()) {
      await store.alerts.raise({
        cardId,
        cycle: AT.cycle,
        dedupeKey: `k${index}`,
        source: 'rule',
        kind: 'usage',
        severity: index % 2 === 0 ? 'warning' : 'critical',
        message: 'over',
      });
    }
    const open = await store.alerts.list({ open: true });
    await store.alerts.acknowledge([Number(open[1]?.id)], 'ops');
    await expectKeptEqualsRecount(store);

    // Reassignments, an unassignment, a quota change, a plan deletion.
    await store.scopedCards(ROOT).assign(a.slice(20, 30), { id: 'beta', path: '/root/beta/' }, 2);
    await store
      .scopedCards(ROOT)
      .assign(b.slice(10, 20), { id: 'east', path: '/root/acme/east/' }, 2);
    await store.scopedCards(ROOT).unassign(a.slice(0, 5));
    await store.plans.updateColumns(small.id, { quota_bytes: 2 * GB });
    await expectKeptEqualsRecount(store);
    await store.plans.delete(big.id);
    await expectKeptEqualsRecount(store);

    // Folding the delta rows and rebuilding from scratch change no figure.
    const before = await store.fleetStats.figures(ROOT, AT);
    await store.fleetStats.compact();
    expect(await store.fleetStats.figures(ROOT, AT)).toEqual(before);
    await store.fleetStats.rebuild();
    expect(await store.fleetStats.figures(ROOT, AT)).toEqual(before);
    await expectKeptEqualsRecount(store);
    expect(before.cards.total).toBe(90);
    expect(before.alerts.open).toBe(4);
    expect(before.quota.atOrOver100).toBeGreaterThan(0);
  });

  it('loses nothing and counts nothing twice when a sync fails midway', async () => {
    const { store } = context.current;
    const { a, b } = await seed(store);
    await store.scopedCards(ROOT).assign(a.slice(0, 25), { id: 'acme', path: '/root/acme/' }, 1);
    await store.usage.upsertDaily(a.map((cardId) => ({ cardId, date: '2026-12-01', bytes: 5000 })));
    const before = await store.fleetStats.figures(ROOT, AT);
    // Thousands of rows, the last naming no card: earlier statements ran, then the whole
    // transaction rolls back, the kept figures with it.
    const rows = [...a, ...b].flatMap((cardId) =>
      Array.from({ length: 40 }, (_, day) => ({
        cardId,
        date: `2026-12-${String((day % 28) + 1).padStart(2, '0')}`,
        bytes: 7000 + day,
      })),
    );
    rows.push({ cardId: 999_999, date: '2026-12-02', bytes: 1 });
    await expect(store.usage.upsertDaily(rows)).rejects.toThrow();
    expect(await store.fleetStats.figures(ROOT, AT)).toEqual(before);
    await expectKeptEqualsRecount(store);
  });

  it('keeps counting writes of other paths after a usage batch kept the figures itself', async () => {
    const { store } = context.current;
    const { a, small } = await seed(store);
    await store.scopedCards(ROOT).assign(a.slice(0, 10), { id: 'acme', path: '/root/acme/' }, 1);
    await store.plans.assign(a.slice(0, 20), { planId: small.id });
    // A batch of new days, changed days, unchanged days and a month figure, twice over.
    for (const round of [1, 2]) {
      await store.usage.upsertDaily(
        a.flatMap((cardId, index) => [
          { cardId, date: '2026-11-30', bytes: 1000 * index },
          { cardId, date: '2026-12-01', bytes: (index % 2 === 0 ? 300 : 200) * MB * round },
          { cardId, date: '2026-12-03', bytes: 900 * MB },
        ]),
      );
      await store.usage.upsertMonthly(
        a
          .slice(0, 15)
          .map((cardId, index) => ({ cardId, month: '2026-12', bytes: index * 100 * MB * round })),
      );
      await expectKeptEqualsRecount(store);
    }
    // A failed batch leaves the triggers in charge: a plan change (another path, whose cycle
    // rows the triggers update) still counts.
    await expect(
      store.usage.upsertDaily([{ cardId: 999_999, date: '2026-12-02', bytes: 1 }]),
    ).rejects.toThrow();
    await store.plans.assign(a.slice(0, 5), { planId: null });
    await store.plans.assign(a.slice(30, 35), { planId: small.id });
    await expectKeptEqualsRecount(store);
  });

  it('stays exact under concurrent writers', async () => {
    const { store } = context.current;
    const { a, b } = await seed(store);
    await store.scopedCards(ROOT).assign(a.slice(0, 25), { id: 'acme', path: '/root/acme/' }, 1);
    const writers = Array.from({ length: 6 }, (_, worker) => async () => {
      for (let round = 0; round < 4; round += 1) {
        const cards = worker % 2 === 0 ? a : b;
        await store.usage.upsertDaily(
          cards.map((cardId) => ({
            cardId,
            date: `2026-12-0${(round % 3) + 1}`,
            bytes: 1000 * (worker + 1) * (round + 1),
          })),
        );
        await store.cards.updateStatuses(
          cards
            .slice(worker, worker + 10)
            .map((id) => ({ id, status: round % 2 ? 'active' : 'suspended', statusRaw: null })),
          `worker-${worker}`,
        );
        if (round === 2) await store.fleetStats.compact();
        // Folds of the usage order meet the other workers' writes of the same cycle rows.
        if (round % 2 === worker % 2) await store.fleetStats.foldUsageOrder();
      }
    });
    await Promise.all(writers.map((writer) => writer()));
    await expectKeptEqualsRecount(store);
  });

  /** The seeded fleet with its first 10 cards on the 1 GB plan, at 0, 15 %, … 135 % of it. */
  async function seedQuotaUse(store: Store) {
    const seeded = await seed(store);
    const { small, a } = seeded;
    await store.plans.assign(a.slice(0, 10), { planId: small.id });
    await store.usage.upsertMonthly(
      a.slice(0, 10).map((cardId, index) => ({
        cardId,
        month: '2026-12',
        bytes: Math.round(index * 0.15 * GB),
      })),
    );
    return seeded;
  }

  it('lists the cards nearest their quota from the kept cycle rows', async () => {
    const { store } = context.current;
    const { small, a } = await seedQuotaUse(store);
    const near = await store.fleetStats.quotaUse(ROOT, {
      at: AT,
      minPermille: 800,
      limit: 5,
    });
    expect(near.map((row) => row.cardId)).toEqual([a[9], a[8], a[7], a[6]]);
    expect(near[0]).toMatchObject({ planId: small.id, quotaBytes: GB, usedPermille: 1349 });
    const figures = await store.fleetStats.figures(ROOT, AT);
    expect(figures.quota).toMatchObject({ cards: 10, atOrOver80: 4, atOrOver100: 3 });
  });

  // PostgreSQL only: on SQLite a reader's fold takes the one write lock like any writer.
  it.runIf(target.dialect === 'postgres')(
    'does not keep a reader of the usage order waiting behind another fold under way',
    async () => {
      const { store, url } = context.current;
      const { a } = await seedQuotaUse(store);
      const near = async () =>
        (await store.fleetStats.quotaUse(ROOT, { at: AT, minPermille: 800, limit: 5 })).map(
          (row) => row.cardId,
        );
      expect(await near()).toEqual([a[9], a[8], a[7], a[6]]);
      // Another process's fold holds the turn (the end of a large sync's run) while a card
      // passes its quota.
      const folder = new pg.Client({ connectionString: url });
      await folder.connect();
      try {
        await folder.query('begin');
        await folder.query(
          `select pg_advisory_xact_lock(hashtext(current_schema() || ':usage-order'))`,
        );
        await store.usage.upsertMonthly([{ cardId: a[0]!, month: '2026-12', bytes: 2 * GB }]);
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('the reader waited for the other fold')),
            5_000,
          );
        });
        // The order as the last fold left it, at once.
        const read = await Promise.race([near(), waited]).finally(() => clearTimeout(timer));
        expect(read).toEqual([a[9], a[8], a[7], a[6]]);
      } finally {
        await folder.query('rollback');
        await folder.end();
      }
      expect(await near()).toEqual([a[0], a[9], a[8], a[7], a[6]]);
      await expectKeptEqualsRecount(store);
    },
  );

  it('pages the card list by this cycle’s usage through the kept rows, both ways, with filters', async () => {
    const { store } = context.current;
    const { small, a, b } = await seed(store);
    await store.scopedCards(ROOT).assign(a.slice(0, 20), { id: 'acme', path: '/root/acme/' }, 1);
    await store.plans.assign(a.slice(0, 30), { planId: small.id });
    // Ties on purpose: bytes repeat every 7 cards; a third of the cards has no figure.
    await store.usage.upsertDaily(
      [...a, ...b]
        .filter((_, index) => index % 3 !== 0)
        .map((cardId, index) => ({ cardId, date: '2026-12-02', bytes: (index % 7) * 200_000_000 })),
    );
    const usage = new Map<number, number | null>();
    for (const id of [...a, ...b]) usage.set(id, null);
    for (const id of [...a, ...b]) {
      const rows = await store.usage.daily(id, { from: '2026-12-01', to: '2026-12-31' });
      if (rows.length > 0)
        usage.set(
          id,
          rows.reduce((sum, row) => sum + row.bytes, 0),
        );
    }
    const expected = (ids: number[], order: 'asc' | 'desc') =>
      [...ids].sort((left, right) => {
        const key = (id: number) => usage.get(id) ?? -1;
        const byKey = key(left) - key(right) || left - right;
        return order === 'asc' ? byKey : -byKey;
      });
    for (const [scope, ids] of [
      [ROOT, [...a, ...b]],
      [ACME, a.slice(0, 20)],
    ] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const seen: number[] = [];
        let after: { key: string | number; id: number } | null = null;
        for (let page = 0; page < 100; page += 1) {
          const rows = await store.scopedCards(scope).page({
            month: '2026-12',
            sort: 'usage',
            order,
            after,
            limit: 7,
          });
          seen.push(...rows.map((row) => Number(row.id)));
          const last = rows.at(-1);
          if (rows.length < 7 || !last) break;
          after = { key: Number(last.sort_key), id: Number(last.id) };
        }
        expect(seen).toEqual(expected([...ids], order));
      }
    }
    // Quota use: at or over 80 % of 1 GiB this month, through the quota index.
    const over = await store.scopedCards(ROOT).page({
      month: '2026-12',
      sort: 'usage',
      order: 'desc',
      quotaMin: 80,
      limit: 100,
    });
    const overIds = a
      .slice(0, 30)
      .filter((id) => (usage.get(id) ?? 0) * 10 >= GB * 8)
      .sort((left, right) => (usage.get(right) ?? 0) - (usage.get(left) ?? 0) || right - left);
    expect(over.map((row) => Number(row.id))).toEqual(overIds);
    const byId = await store.scopedCards(ROOT).page({
      month: '2026-12',
      sort: 'id',
      order: 'asc',
      quotaMin: 80,
      limit: 100,
    });
    expect(byId.map((row) => Number(row.id))).toEqual([...overIds].sort((l, r) => l - r));
  });
});
