import { afterEach, describe, expect, it } from 'vitest';
import { createBulkJob } from '../src/services/bulk/bulk-jobs.js';
import { runBulkJob } from '../src/services/bulk/bulk-runner.js';
import { type SupplierFixture, supplierFixture } from './faults/supplier-fixtures.js';

describe('bulk speed limits (agent open API)', () => {
  let fixture: SupplierFixture | undefined;
  afterEach(async () => fixture?.close());

  it('limits each card once, and a second change inside the cooldown fails before any call', async () => {
    fixture = await supplierFixture('agent', 5);
    const cards = await fixture.store.cards.listForSync('acct', { afterId: 0, limit: 10 });
    const cardIds = cards.slice(0, 3).map((card) => card.id);
    const first = await createBulkJob(fixture.context, {
      action: 'speed-limit',
      params: { speedCode: '1' },
      cards: { cardIds },
      actor: 'test',
    });
    const summary = await runBulkJob(fixture.context, first.job.id);
    expect(summary.job).toMatchObject({ done: 3, failed: 0 });

    const counter = fixture.context.callCounter('acct');
    const before = counter.total;
    const second = await createBulkJob(fixture.context, {
      action: 'speed-unlimit',
      cards: { cardIds },
      actor: 'test',
    });
    const refused = await runBulkJob(fixture.context, second.job.id);
    expect(refused.job).toMatchObject({ done: 0, failed: 3 });
    // Each card's reason names it; all are the client's cooldown refusal.
    expect(refused.reasons.every((reason) => reason.code === 'cooldown')).toBe(true);
    expect(refused.reasons.reduce((sum, reason) => sum + reason.count, 0)).toBe(3);
    expect(counter.total).toBe(before);

    await expect(
      createBulkJob(fixture.context, { action: 'speed-limit', cards: { cardIds }, actor: 'test' }),
    ).rejects.toThrow(/speed code/);
  });

  it('skips cards of suppliers without speed limits, with the reason', async () => {
    fixture = await supplierFixture('onelink-v2', 3);
    const cards = await fixture.store.cards.listForSync('acct', { afterId: 0, limit: 10 });
    const job = await createBulkJob(fixture.context, {
      action: 'speed-limit',
      params: { speedCode: '1' },
      cards: { cardIds: cards.map((card) => card.id) },
      actor: 'test',
    });
    expect((await runBulkJob(fixture.context, job.job.id)).job).toMatchObject({
      skipped: 3,
      done: 0,
    });
  });
});
