import { afterEach, expect, it } from 'vitest';
import { BulkJobsRepository } from '../../store/repositories/bulk-repository.js';
import {
  describeEachDialect,
  openTestStore,
  type TestStore,
} from '../../store/store.test-support.js';
import { bulkBench } from './bulk.test-support.js';
import { createBulkJob } from './bulk-jobs.js';
import { runBulkJob } from './bulk-runner.js';

/**
 * Issue 6.3's acceptance: a bulk pause of 10,000 cards with 10 % injected supplier failures
 * ends with every card paused or failed with its reason; re-running the job pauses the failed
 * ones and touches no card twice.
 */
describeEachDialect('bulk pause of 10,000 cards ($dialect)', ({ dialect }) => {
  let opened: TestStore;
  afterEach(async () => opened?.dispose());

  it('ends with every card paused or failed with its reason, and a re-run pauses the rest once', async () => {
    opened = await openTestStore(dialect);
    const bench = await bulkBench(opened.store, { onelinkV5: 12_700, agent: 0, quectel: 0 });
    const { context, onelinkV5 } = bench;
    onelinkV5.faults.set({ partialFailureRate: 0.1 });
    const { job } = await createBulkJob(context, {
      action: 'pause',
      cards: { filter: 'account=cmcc-v5 AND status=active' },
      actor: 'ops',
    });
    expect(job.total).toBeGreaterThanOrEqual(10_000);
    const first = await runBulkJob(context, job.id);
    const repository = new BulkJobsRepository(opened.store);
    const firstItems = await repository.items(job.id);
    const simulatorIndex = new Map<number, number>();
    const cards = new Map<number, string>();
    for (let afterId = 0; ; ) {
      const page = await opened.store.cards.listForSync('cmcc-v5', { afterId, limit: 5000 });
      if (page.length === 0) break;
      for (const card of page) {
        cards.set(card.id, card.status);
        simulatorIndex.set(card.id, onelinkV5.state.fleet.find('iccid', card.iccid!)!);
      }
      afterId = page.at(-1)!.id;
    }
    let failed = 0;
    for (const item of firstItems) {
      const index = simulatorIndex.get(item.cardId)!;
      if (item.state === 'done') {
        expect(onelinkV5.state.status(index)).toBe('02');
        expect(cards.get(item.cardId)).toBe('suspended');
      } else {
        expect(item.state).toBe('failed');
        expect(item).toMatchObject({ code: 'supplier_unavailable', supplierCode: '99' });
        expect(item.message).toContain('系统错误');
        expect(onelinkV5.state.status(index)).toBe('00');
        failed += 1;
      }
    }
    expect(failed / job.total).toBeGreaterThan(0.07);
    expect(failed / job.total).toBeLessThan(0.13);
    expect(first.job).toMatchObject({ state: 'partial', failed, done: job.total - failed });
    expect(first.reasons[0]).toMatchObject({
      state: 'failed',
      code: 'supplier_unavailable',
      count: failed,
    });

    onelinkV5.faults.set({});
    const submittedBefore = onelinkV5.calls.entries
      .filter((entry) => entry.path === 'change/sim-status/batch')
      .flatMap((entry) => (entry.params.msisdns ?? entry.params.iccids ?? '').split(/[_,]/));
    const second = await runBulkJob(context, job.id);
    expect(second.job).toMatchObject({ state: 'succeeded', done: job.total, failed: 0, runs: 2 });
    const submittedAgain = onelinkV5.calls.entries
      .filter((entry) => entry.path === 'change/sim-status/batch')
      .flatMap((entry) => (entry.params.msisdns ?? entry.params.iccids ?? '').split(/[_,]/))
      .slice(submittedBefore.length);
    // Only the failed cards went to the supplier again, each once.
    expect(submittedAgain).toHaveLength(failed);
    expect(new Set(submittedAgain).size).toBe(failed);
    // No card changed twice at the supplier.
    for (const item of firstItems) {
      expect(onelinkV5.state.history(simulatorIndex.get(item.cardId)!)).toHaveLength(1);
    }
  }, 120_000);
});
