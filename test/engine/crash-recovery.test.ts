import { describe, expect, it } from 'vitest';
import { runCrashRecovery } from '../../scripts/crash-recovery-run.js';
import { POSTGRES_TEST_URL } from '../../src/store/store.test-support.js';

/**
 * Issue 9.3's crash recovery, small: three SIGKILLs of the worker at seeded random points of a
 * sync (`npm run test:crash` runs twenty).
 */
describe.skipIf(!POSTGRES_TEST_URL)('crash recovery: SIGKILL three times mid-sync', () => {
  // Generous time: a slice killed twice waits out the queue's retry backoff (e^attempts s).
  it('ends with every run closed, no finished batch fetched again, no row twice', async () => {
    const figures = await runCrashRecovery({
      kills: 3,
      cards: 5000,
      days: 2,
      latencyMs: 20,
      seed: 11,
    });
    expect(figures).toMatchObject({
      kills: 3,
      runsSucceeded: figures.runs,
      finishedBatchesRepeated: 0,
      duplicateUsageRows: 0,
      jobsUnfinished: 0,
    });
    expect(figures.killsMidSync).toBe(3);
    // At most the batches answered but not yet stored at each kill are fetched again: a slice
    // stores its batches together (keep-buffer.ts), at most one phase of a 2,000-card slice
    // (20 batches a day), and the worker runs 2 slices at once.
    expect(figures.repeatedCalls).toBeLessThanOrEqual(3 * 2 * 20 * 2);
    expect(figures.calls).toBe(figures.minimumCalls + figures.repeatedCalls);
  }, 600_000);
});
