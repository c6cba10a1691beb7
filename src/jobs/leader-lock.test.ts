import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it, vi } from 'vitest';
import { describeEachDialect, useTestStore } from '../store/store.test-support.js';
import { acquireLeadership } from './leader-lock.js';

describeEachDialect('leader lock ($dialect)', (target) => {
  const test = useTestStore(target);
  const name = () => `test-${randomBytes(4).toString('hex')}`;

  it('is exclusive until released, per name', async () => {
    const { store, url } = test.current;
    const lock = name();
    const first = await acquireLeadership(store, { name: lock, databaseUrl: url });
    expect(first).not.toBeNull();
    expect(await acquireLeadership(store, { name: lock, databaseUrl: url })).toBeNull();
    const other = await acquireLeadership(store, { name: name(), databaseUrl: url });
    expect(other).not.toBeNull();
    await first!.release();
    expect(first!.signal.aborted).toBe(true);
    const second = await acquireLeadership(store, { name: lock, databaseUrl: url });
    expect(second).not.toBeNull();
    expect(second!.signal.aborted).toBe(false);
    await second!.release();
    await other!.release();
  });

  it.skipIf(target.dialect !== 'postgres')(
    'is lost with the connection holding it, and another node takes it',
    async () => {
      const { store, url } = test.current;
      const lock = name();
      const leader = await acquireLeadership(store, {
        name: lock,
        databaseUrl: url,
        checkIntervalMs: 20,
      });
      expect(leader).not.toBeNull();
      await sql`select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = ${`simdock-leader:${lock}`}`.execute(store.db);
      await vi.waitFor(() => expect(leader!.signal.aborted).toBe(true), { timeout: 5_000 });
      await vi.waitFor(
        async () => {
          const next = await acquireLeadership(store, { name: lock, databaseUrl: url });
          expect(next).not.toBeNull();
          await next!.release();
        },
        { timeout: 5_000, interval: 50 },
      );
    },
  );
});
