import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_PLAN } from '../src/cli/commands/demo/demo-plans.js';
import { addDays, cstToday } from '../src/domain/index.js';
import { openStore } from '../src/store/index.js';
import { CliSandbox } from './cli-harness.js';

interface DemoJson {
  accounts: { account: string; cards: number }[];
  plan: { id: number; name: string; quotaBytes: number; assigned: number };
}

describe('simdock demo puts its cards on a plan with expiry dates', () => {
  let sandbox: CliSandbox;
  beforeEach(() => {
    sandbox = new CliSandbox();
  });
  afterEach(() => sandbox.remove());

  it('creates the plan once and assigns each card once, dates within the next 90 days', async () => {
    const args = ['demo', '--once', '--cards', '4', '--database', 'sqlite:./data/plans.db'];
    const first = await sandbox.json<DemoJson>(...args);
    const cards = first.accounts.reduce((sum, account) => sum + account.cards, 0);
    expect(first.plan).toMatchObject({ name: DEMO_PLAN.name, quotaBytes: DEMO_PLAN.quotaBytes });
    expect(first.plan.assigned).toBe(cards);
    const again = await sandbox.json<DemoJson>(...args);
    expect(again.plan).toMatchObject({ id: first.plan.id, assigned: 0 });

    const store = await openStore({
      url: `sqlite:${join(sandbox.directory, 'data', 'plans.db')}`,
      secretKey: Buffer.alloc(32, 3),
    });
    try {
      const rows = await store.db
        .selectFrom('card_plans')
        .innerJoin('plans', 'plans.id', 'card_plans.plan_id')
        .select(['card_plans.expires_on', 'plans.name'])
        .execute();
      expect(rows).toHaveLength(cards);
      const today = cstToday(Date.now());
      const last = addDays(today, 89);
      for (const row of rows) {
        expect(row.name).toBe(DEMO_PLAN.name);
        expect(row.expires_on! >= today && row.expires_on! <= last).toBe(true);
      }
      // Spread, not bunched: the cards fall on many different days.
      expect(new Set(rows.map((row) => row.expires_on)).size).toBeGreaterThan(cards / 2);
    } finally {
      await store.close();
    }
  });
});
