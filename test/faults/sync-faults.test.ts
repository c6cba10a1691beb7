import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { syncAccount } from '../../src/services/sync/sync.js';
import { FIXTURE_SUPPLIERS, type SupplierFixture, supplierFixture } from './supplier-fixtures.js';

/** Cards per supplier: small in the everyday suite, larger through `npm run test:faults`. */
const CARDS = Number(process.env.SIMDOCK_FAULT_CARDS ?? 200);

async function usageRowsPerCard(fixture: SupplierFixture) {
  const daily = await sql<{ card_id: number; rows: number }>`
    select card_id, count(*) as rows from usage_daily group by card_id`.execute(fixture.store.db);
  const monthly = await sql<{ card_id: number; rows: number }>`
    select card_id, count(*) as rows from usage_monthly group by card_id`.execute(fixture.store.db);
  return {
    daily: new Map(daily.rows.map((row) => [Number(row.card_id), Number(row.rows)])),
    monthly: new Map(monthly.rows.map((row) => [Number(row.card_id), Number(row.rows)])),
  };
}

/** The invariants of every sync: each card synced or failed with a reason, figures adding up. */
async function expectAccounted(
  fixture: SupplierFixture,
  summary: Awaited<ReturnType<typeof syncAccount>>,
) {
  expect(summary.cards).toBe(CARDS);
  expect(summary.synced + summary.failed).toBe(summary.cards);
  const failures = await fixture.store.syncRuns.failures(summary.runId);
  const failedCards = new Set(failures.map((failure) => failure.cardId));
  expect(failedCards.size).toBe(summary.failed);
  for (const failure of failures) expect(failure.code).toMatch(/^[a-z_]+$/);
  expect(Object.values(summary.failuresByReason).reduce((sum, count) => sum + count, 0)).toBe(
    summary.failed,
  );
  // Nothing lost: every synced card has all its usage rows; nothing doubled: never more.
  const rows = await usageRowsPerCard(fixture);
  const cards = await fixture.store.cards.listForSync('acct', { afterId: 0, limit: CARDS + 10 });
  const run = await fixture.store.syncRuns.get(summary.runId);
  expect(run?.status).toBe(summary.status);
  const days = summary.phases.includes('usage.daily') ? 7 : 0;
  const months = summary.phases.includes('usage.monthly') ? 1 : 0;
  for (const card of cards) {
    if (failedCards.has(card.id)) continue;
    expect(rows.daily.get(card.id) ?? 0).toBe(days);
    expect(rows.monthly.get(card.id) ?? 0).toBe(months);
  }
}

describe.each(FIXTURE_SUPPLIERS)('sync under faults: %s', (supplier) => {
  let fixture: SupplierFixture;
  afterEach(async () => fixture?.close());

  it('finishes with every card synced or failed with its reason (5 % timeouts, 5xx, throttling, malformed, partial)', async () => {
    fixture = await supplierFixture(supplier, CARDS);
    fixture.faults.set({
      timeoutRate: 0.05,
      serverErrorRate: 0.05,
      throttleRate: 0.05,
      malformedRate: 0.05,
      partialFailureRate: 0.05,
    });
    const summary = await syncAccount(fixture.context, 'acct', { retry: { maxAttempts: 8 } });
    await expectAccounted(fixture, summary);
    expect(summary.status).not.toBe('failed');
    // Retrying after the faults cleared fixes what failed and duplicates nothing.
    fixture.faults.set({});
    const again = await syncAccount(fixture.context, 'acct', {});
    await expectAccounted(fixture, again);
    expect(again.failed).toBe(0);
  });

  it('rides out a supplier down for a minute', async () => {
    fixture = await supplierFixture(supplier, CARDS);
    fixture.faults.set({ downUntil: fixture.clock.now() + 60_000 });
    const summary = await syncAccount(fixture.context, 'acct', { retry: { maxAttempts: 10 } });
    await expectAccounted(fixture, summary);
    expect(summary.stoppedBy).toBeNull();
  });
});
