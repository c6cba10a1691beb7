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
    // At most the batches in flight at each kill are fetched again (2 slices × 4 batches).
    expect(figures.repeatedCalls).toBeLessThanOrEqual(3 * 8);
    expect(figures.calls).toBe(figures.minimumCalls + figures.repeatedCalls);
  }, 600_000);
});
