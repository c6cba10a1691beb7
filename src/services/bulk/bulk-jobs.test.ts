import { afterEach, expect, it } from 'vitest';
import { BulkJobsRepository } from '../../store/repositories/bulk-repository.js';
import { EventOutbox } from '../../store/repositories/event-outbox.js';
import {
  describeEachDialect,
  openTestStore,
  type TestStore,
} from '../../store/store.test-support.js';
import { agentDefinition } from '../../suppliers/agent/index.js';
import { onelinkV5Definition } from '../../suppliers/onelink-v5/index.js';
import { bulkBench } from './bulk.test-support.js';
import { createBulkJob, planBulkSelection } from './bulk-jobs.js';
import { runBulkJob } from './bulk-runner.js';

describeEachDialect('bulk lifecycle jobs ($dialect)', ({ dialect }) => {
  let opened: TestStore;
  afterEach(async () => opened?.dispose());

  it('pauses the selected cards in batches, skipping cards already suspended and accounts that cannot', async () => {
    opened = await openTestStore(dialect);
    const bench = await bulkBench(opened.store, { onelinkV5: 250, agent: 120, quectel: 20 });
    const { context } = bench;
    const plan = await planBulkSelection(context, { filter: 'account=cmcc-v5,reseller' });
    expect(plan.accounts).toEqual([
      { account: 'cmcc-v5', supplier: onelinkV5Definition.type, cards: 250 },
      { account: 'reseller', supplier: agentDefinition.type, cards: 120 },
    ]);
    const { job } = await createBulkJob(context, {
      action: 'pause',
      cards: { filter: 'account=cmcc-v5,reseller' },
      actor: 'alice',
    });
    expect(job).toMatchObject({ state: 'pending', total: 370, createdBy: 'alice' });
    const progress: number[] = [];
    const summary = await runBulkJob(context, job.id, {
      progress: (step) => progress.push(step.settled),
    });
    expect(progress.at(-1)).toBe(370);
    const repository = new BulkJobsRepository(opened.store);
    const items = await repository.items(job.id);
    const cards = new Map(
      (await opened.store.cards.list({ limit: 1000 })).cards.map((card) => [card.id, card]),
    );
    for (const item of items) {
      expect(['done', 'skipped', 'failed']).toContain(item.state);
      const card = cards.get(item.cardId)!;
      if (item.state === 'done') expect(card.status).toBe('suspended');
      if (item.state === 'skipped') expect(item.message).toBe('already suspended');
      if (item.state === 'failed') {
        expect(item.code).toBeTruthy();
        expect(item.message).toBeTruthy();
      }
    }
    expect(summary.job.done + summary.job.skipped + summary.job.failed).toBe(370);
    expect(summary.job.done).toBeGreaterThan(250);
    // OneLink v5 takes 100 cards per change; cards already suspended were never sent.
    const skipped = items.filter((item) => item.state === 'skipped' && item.account === 'cmcc-v5');
    expect(bench.onelinkV5.calls.count('change/sim-status/batch')).toBe(
      Math.ceil((250 - skipped.length) / 100),
    );
    const audit = await opened.store.audit.list({ limit: 1000 });
    expect(audit.filter((entry) => entry.action === 'cards.pause')).toHaveLength(370);
    expect(audit[0]).toMatchObject({
      action: 'bulk.pause',
      actor: 'alice',
      targetId: String(job.id),
    });
    const events = await new EventOutbox(opened.store).after(0, {
      limit: 1000,
      type: 'card.status_changed',
    });
    expect(events).toHaveLength(summary.job.done);
    expect(events[0]!.data).toMatchObject({
      status: 'suspended',
      source: 'job:pause',
      job: job.id,
    });
  });
});
