import { sql } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { addDays, cycleUsageKey } from '../domain/index.js';
import type { CardScope } from './card-scope.js';
import type { Store } from './index.js';
import { planCycleKeySql } from './migrations/0029-plan-cycle-usage.js';
import {
  describeEachDialect,
  expectUsageOrderCurrent,
  useTestStore,
} from './store.test-support.js';
import { chunks } from './store-sql.js';

const ROOT: CardScope = { tenantPath: '/root/', isRoot: true };
const ACME: CardScope = { tenantPath: '/root/acme/', isRoot: false };
const MB = 1024 ** 2;

/** The kept figures equal a full recount on each day given (the plan cycles move with today). */
async function expectKeptEqualsRecount(store: Store, todays: readonly string[]): Promise<void> {
  for (const today of todays) {
    const at = { cycle: today.slice(0, 7), today };
    for (const scope of [ROOT, ACME]) {
      expect(await store.fleetStats.figures(scope, at)).toEqual(
        await store.fleetStats.recount(scope, at),
      );
    }
  }
  await expectUsageOrderCurrent(store);
}

/** `count` active OneLink cards of account `a`, as a sync lists them; their ids in order. */
async function activeCards(store: Store, count: number): Promise<number[]> {
  await store.cards.upsertFromSupplier(
    'a',
    'onelink-v2',
    Array.from({ length: count }, (_, index) => ({
      iccid: `898601${String(index).padStart(14, '0')}`,
      status: { status: 'active', raw: '1' },
    })),
  );
  return store.cards.idsOfAccount('a', count);
}

describeEachDialect('usage kept per plan cycle on $dialect (migration 0029)', (target) => {
  const context = useTestStore(target);

  it('computes in SQL the key the domain computes, for every day of three years and start day', async () => {
    const { store } = context.current;
    const db = store.db;
    await sql`create table key_probe (date text not null, day integer not null)`.execute(db);
    const rows: { date: string; day: number }[] = [];
    for (let date = '2027-01-01'; date <= '2029-12-31'; date = addDays(date, 1)) {
      for (let day = 2; day <= 31; day += 1) rows.push({ date, day });
    }
    for (const part of chunks(rows, 5_000)) {
      await sql`insert into key_probe (date, day) values ${sql.join(
        part.map((row) => sql`(${row.date}, ${row.day})`),
      )}`.execute(db);
    }
    const keys = await sql<{ date: string; day: number; key: string }>`select date, day,
      ${sql.raw(planCycleKeySql('date', 'day', store.dialect))} as key from key_probe`.execute(db);
    expect(keys.rows).toHaveLength(rows.length);
    const wrong = keys.rows.filter((row) => row.key !== cycleUsageKey(row.date, Number(row.day)));
    expect(wrong.slice(0, 5)).toEqual([]);
    // Spot checks: a leap February and start days past a month's end.
    expect(cycleUsageKey('2028-02-29', 30)).toBe('2028-02@30');
    expect(cycleUsageKey('2028-02-28', 30)).toBe('2028-01@30');
    expect(cycleUsageKey('2027-03-30', 31)).toBe('2027-02@31');
    expect(cycleUsageKey('2027-03-31', 31)).toBe('2027-03@31');
  });

  it('stays exact under concurrent writers of plan-cycle cards', async () => {
    const { store } = context.current;
    await store.tenants.create({ id: 'acme', parentId: 'root', name: 'Acme', kind: 'customer' });
    const ids = await activeCards(store, 60);
    const mid = await store.plans.create({ name: 'mid', quotaBytes: 100 * MB, cycleStartDay: 15 });
    await store.plans.assign(ids.slice(0, 40), { planId: mid.id });
    await store.scopedCards(ROOT).assign(ids.slice(0, 30), { id: 'acme', path: '/root/acme/' }, 1);
    // Six writers at once over the same cards and days (both sides of the cycle's first day),
    // each its own transaction; on PostgreSQL they run in parallel on the pool's connections.
    await Promise.all(
      Array.from({ length: 6 }, async (_, worker) => {
        for (let round = 0; round < 4; round += 1) {
          await store.usage.upsertDaily(
            ids.map((cardId, index) => ({
              cardId,
              date: addDays('2026-12-13', (worker + round) % 4),
              bytes: ((index + worker + round) % 5) * 9 * MB,
            })),
          );
        }
      }),
    );
    await expectKeptEqualsRecount(store, ['2026-12-14', '2026-12-16']);
  });

  // PostgreSQL only: SQLite has one writer at a time.
  it.runIf(target.dialect === 'postgres')(
    'loses no day a sync stores while a card moves to a plan with another start day, or the start day changes',
    async () => {
      const { store, url } = context.current;
      const ids = await activeCards(store, 4);
      const calendar = await store.plans.create({ name: 'calendar', quotaBytes: 100 * MB });
      const mid = await store.plans.create({
        name: 'mid',
        quotaBytes: 100 * MB,
        cycleStartDay: 15,
      });
      await store.plans.assign(ids, { planId: calendar.id });
      await store.usage.upsertDaily(
        ids.map((cardId) => ({ cardId, date: '2026-12-14', bytes: MB })),
      );
      const [mover, syncer] = [
        new pg.Client({ connectionString: url }),
        new pg.Client({ connectionString: url }),
      ];
      await mover.connect();
      await syncer.connect();
      try {
        // The move's transaction is open when a sync stores a day of the moving card: the sync
        // waits for it, then counts the day under the new start day.
        const race = async (move: string, params: unknown[], date: string) => {
          await mover.query('begin');
          await mover.query(move, params);
          const stored = syncer.query(
            'insert into usage_daily (card_id, date, bytes, updated_at) values ($1, $2, $3, 1)',
            [ids[0], date, 7 * MB],
          );
          await new Promise((resolve) => setTimeout(resolve, 200));
          await mover.query('commit');
          await stored;
        };
        await race(
          'update card_plans set plan_id = $1 where card_id = $2',
          [mid.id, ids[0]],
          '2026-12-16',
        );
        await expectKeptEqualsRecount(store, ['2026-12-16']);
        await race('update plans set cycle_start_day = 10 where id = $1', [mid.id], '2026-12-17');
        await expectKeptEqualsRecount(store, ['2026-12-17']);
        const at = { cycle: '2026-12', today: '2026-12-17' };
        expect((await store.fleetStats.figures(ROOT, at)).quota.usedBytes).toBe(
          (await store.fleetStats.recount(ROOT, at)).quota.usedBytes,
        );
      } finally {
        await mover.end();
        await syncer.end();
      }
    },
  );

  it('keeps quota use per plan cycle equal to a recount through syncs, moves, start-day changes and a rebuild', async () => {
    const { store } = context.current;
    await store.tenants.create({ id: 'acme', parentId: 'root', name: 'Acme', kind: 'customer' });
    const ids = await activeCards(store, 40);
    const mid = await store.plans.create({ name: 'mid', quotaBytes: 1000 * MB, cycleStartDay: 15 });
    const late = await store.plans.create({
      name: 'late',
      quotaBytes: 500 * MB,
      cycleStartDay: 31,
    });
    const calendar = await store.plans.create({ name: 'calendar', quotaBytes: 800 * MB });
    const open = await store.plans.create({ name: 'open', quotaBytes: null, cycleStartDay: 15 });
    await store.plans.assign(ids.slice(0, 15), { planId: mid.id });
    await store.plans.assign(ids.slice(15, 25), { planId: late.id });
    await store.plans.assign(ids.slice(25, 32), { planId: calendar.id });
    await store.plans.assign(ids.slice(32, 35), { planId: open.id });
    await store.scopedCards(ROOT).assign(ids.slice(0, 20), { id: 'acme', path: '/root/acme/' }, 1);
    // Three weeks of days over two plan cycles, through the store's usage path.
    const days = Array.from({ length: 22 }, (_, index) => addDays('2026-11-12', index));
    await store.usage.upsertDaily(
      ids.flatMap((cardId, index) =>
        days.map((date) => ({ cardId, date, bytes: (index % 9) * 7 * MB + 1000 })),
      ),
    );
    // Today's cycles: mid from 11-15, late from 11-30, calendar December; and a day later.
    const todays = ['2026-12-03', '2026-11-14', '2026-11-30'];
    await expectKeptEqualsRecount(store, todays);
    const figures = await store.fleetStats.figures(ROOT, { cycle: '2026-12', today: '2026-12-03' });
    expect(figures.quota.cards).toBe(32);
    expect(figures.quota.atOrOver80).toBeGreaterThan(0);

    // A second sync revises days; other writers change, add and delete days directly.
    await store.usage.upsertDaily(
      ids.slice(0, 20).map((cardId) => ({ cardId, date: '2026-12-02', bytes: 400 * MB })),
    );
    await sql`update usage_daily set bytes = bytes + 5 where card_id in (${sql.join(
      ids.slice(10, 18),
    )}) and date >= '2026-11-29'`.execute(store.db);
    await sql`delete from usage_daily where card_id in (${sql.join(ids.slice(0, 4))})
      and date = '2026-11-20'`.execute(store.db);
    await sql`insert into usage_daily (card_id, date, bytes, updated_at) values
      (${ids[1]}, '2026-12-04', ${900 * MB}, 1), (${ids[16]}, '2026-12-04', ${600 * MB}, 1)`.execute(
      store.db,
    );
    await expectKeptEqualsRecount(store, todays);

    // Cards move between plans: to another start day, to the same start day, to none.
    await store.plans.assign(ids.slice(0, 3), { planId: calendar.id });
    await store.plans.assign(ids.slice(3, 6), { planId: late.id });
    await store.plans.assign(ids.slice(6, 8), { planId: open.id });
    await store.plans.assign(ids.slice(25, 28), { planId: mid.id });
    await store.plans.assign(ids.slice(8, 10), { planId: null });
    await expectKeptEqualsRecount(store, todays);

    // A plan's start day changes, then back to the 1st; a plan cycling from the 15th is deleted.
    await store.plans.updateColumns(late.id, { cycle_start_day: 10 });
    await expectKeptEqualsRecount(store, [...todays, '2026-12-10']);
    await store.plans.updateColumns(mid.id, { cycle_start_day: 1 });
    await store.plans.updateColumns(calendar.id, { cycle_start_day: 20 });
    await expectKeptEqualsRecount(store, todays);
    await store.plans.delete(open.id);
    await expectKeptEqualsRecount(store, todays);

    // The fullest cards of every cycle, and a rebuild that changes no figure.
    const at = { cycle: '2026-12', today: '2026-12-03' };
    const near = await store.fleetStats.quotaUse(ROOT, { at, minPermille: 800, limit: 50 });
    const kept = await store.fleetStats.figures(ROOT, at);
    expect(near.length).toBe(kept.quota.atOrOver80);
    expect(new Set(near.map((row) => row.planId)).size).toBeGreaterThan(1);
    await store.fleetStats.rebuild();
    expect(await store.fleetStats.figures(ROOT, at)).toEqual(kept);
    await expectKeptEqualsRecount(store, todays);
    // Cards are never deleted through the store; a direct delete takes back what they counted.
    await sql`delete from cards where id in (${sql.join(ids.slice(20, 22))})`.execute(store.db);
    await expectKeptEqualsRecount(store, todays);
  });
});
