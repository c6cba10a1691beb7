import { describe, expect, it } from 'vitest';
import { runBulkCrashRecovery } from '../../scripts/crash-recovery-bulk.js';
import { POSTGRES_TEST_URL } from '../../src/store/store.test-support.js';

/**
 * Issue 9.3's crash recovery during a bulk pause, small: three SIGKILLs of the worker running
 * agent pause jobs at seeded random points (`npm run test:crash -- --bulk` runs twenty).
 */
describe.skipIf(!POSTGRES_TEST_URL)('crash recovery: SIGKILL three times mid bulk pause', () => {
  it('acts on no card twice and leaves every job finished', async () => {
    const figures = await runBulkCrashRecovery({
      kills: 3,
      cards: 1000,
      jobSize: 1000,
      latencyMs: 20,
      settleDelayMs: 300,
      seed: 7,
    });
    expect(figures).toMatchObject({
      kills: 3,
      jobsFinished: figures.jobs,
      cardsActedOnTwice: 0,
      extraStopRecords: 0,
      queueJobsUnfinished: 0,
    });
    expect(figures.killsMidJob).toBeGreaterThanOrEqual(1);
    // Every card of the job settled, and each one sent was sent once and is now stopped.
    expect(figures.itemsDone + figures.itemsSkipped + figures.itemsFailed).toBe(figures.cards);
    expect(figures.cardsSent).toBeGreaterThan(0);
    expect(figures.cardsStopped).toBeGreaterThanOrEqual(figures.cardsSent);
    // Only cards that cannot be paused (inventory, test) fail once the job is re-run.
    for (const reason of figures.reasons.filter((entry) => entry.state === 'failed')) {
      expect(reason.message).toMatch(/cannot pause a card that is (inventory|test)/);
    }
  }, 240_000);
});
