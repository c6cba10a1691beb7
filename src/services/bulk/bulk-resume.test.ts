import { afterEach, expect, it } from 'vitest';
import { BulkJobsRepository } from '../../store/repositories/bulk-repository.js';
import {
  describeEachDialect,
  openTestStore,
  type TestStore,
} from '../../store/store.test-support.js';
import type { JobContext, JobRecord } from '../job-queue.js';
import { bulkBench } from './bulk.test-support.js';
import { bulkJobHandler, createBulkJob } from './bulk-jobs.js';
import { orderingAccount, productName } from './bulk-orders.js';
import { runBulkJob } from './bulk-runner.js';

describeEachDialect('resuming and re-running bulk jobs ($dialect)', ({ dialect }) => {
  let opened: TestStore;
  afterEach(async () => opened?.dispose());

  it('reads back cards left sending by a crashed run instead of sending them again', async () => {
    opened = await openTestStore(dialect);
    const { context, agent } = await bulkBench(opened.store, {
      onelinkV5: 0,
      agent: 60,
      quectel: 0,
    });
    const { job } = await createBulkJob(context, {
      action: 'pause',
      cards: { filter: 'account=reseller AND status=active' },
      actor: 'bob',
    });
    const repository = new BulkJobsRepository(opened.store);
    const items = await repository.items(job.id);
    // A run crashed after marking four cards `sending`: two of them reached the supplier.
    const crashed = items.slice(0, 4);
    await repository.markSending(crashed.map((item) => item.id));
    const adapter = await context.adapter('reseller');
    const cards = await Promise.all(crashed.map((item) => opened.store.cards.get(item.cardId)));
    const reached = cards
      .slice(0, 2)
      .map((card) => ({ key: String(card!.id), iccid: card!.iccid }));
    const sent = await adapter.doChangeStatus!({ action: 'pause', cards: reached });
    expect(sent.items.every((item) => item.ok)).toBe(true);
    const stopsBefore = agent.calls.count('/openapi/iot/batchStopCard');

    const summary = await runBulkJob(context, job.id);
    const after = new Map((await repository.items(job.id)).map((item) => [item.id, item]));
    expect(after.get(crashed[0]!.id)).toMatchObject({
      state: 'done',
      attempts: 1,
      message: 'confirmed by a status read: suspended',
    });
    expect(after.get(crashed[2]!.id)).toMatchObject({
      state: 'failed',
      code: 'unconfirmed',
      attempts: 1,
    });
    expect(after.get(crashed[2]!.id)!.message).toContain('not sent again: the card is active');
    // The crashed four were never sent by this run: one stop call for the other cards only.
    expect(agent.calls.count('/openapi/iot/batchStopCard')).toBe(stopsBefore + 1);
    expect(summary.job).toMatchObject({ state: 'partial', failed: 2, done: job.total - 2 });

    // Re-running retries only the two unconfirmed cards.
    const again = await runBulkJob(context, job.id);
    expect(again.job).toMatchObject({ state: 'succeeded', done: job.total, failed: 0 });
    expect(after.get(crashed[2]!.id)!.attempts).toBe(1);
    const retried = (await repository.items(job.id)).filter((item) => item.attempts === 2);
    expect(retried.map((item) => item.id).sort()).toEqual([crashed[2]!.id, crashed[3]!.id].sort());
    for (const card of cards) {
      const simulated = agent.fleet.card({ iccid: card!.iccid! })!;
      expect(agent.fleet.records.filter((record) => record.iccid === simulated.iccid)).toHaveLength(
        1,
      );
    }
  });

  it('stops between chunks when aborted, and a later run finishes the rest', async () => {
    opened = await openTestStore(dialect);
    const { context, onelinkV5 } = await bulkBench(opened.store, {
      onelinkV5: 400,
      agent: 0,
      quectel: 0,
    });
    const { job } = await createBulkJob(context, {
      action: 'pause',
      cards: { filter: 'account=cmcc-v5 AND status=active' },
      actor: 'bob',
    });
    const controller = new AbortController();
    const stopped = await runBulkJob(context, job.id, {
      abortSignal: controller.signal,
      progress: (progress) => {
        if (progress.settled >= 100) controller.abort(new Error('stop'));
      },
    });
    expect(stopped.job.state).toBe('cancelled');
    expect(stopped.job.done).toBe(100);
    expect(onelinkV5.calls.count('change/sim-status/batch')).toBe(1);
    const finished = await runBulkJob(context, job.id);
    expect(finished.job).toMatchObject({ state: 'succeeded', done: job.total, runs: 2 });
    expect(onelinkV5.calls.count('change/sim-status/batch')).toBe(Math.ceil(job.total / 100));
  });

  it('sends SMS once per card with its idempotency key and orders once even after a crash', async () => {
    opened = await openTestStore(dialect);
    const { context, quectel } = await bulkBench(opened.store, {
      onelinkV5: 5,
      agent: 0,
      quectel: 12,
    });
    const sms = await createBulkJob(context, {
      action: 'sms',
      params: { text: 'hello' },
      cards: { filter: 'supplier=quectel,onelink-v5' },
      actor: 'carol',
    });
    const result = await runBulkJob(context, sms.job.id);
    expect(result.job).toMatchObject({ done: 12, skipped: 5, failed: 0, state: 'succeeded' });
    expect(result.reasons).toEqual([
      {
        state: 'skipped',
        code: 'unsupported',
        message: 'account cmcc-v5 (onelink-v5) cannot send SMS',
        count: 5,
      },
    ]);
    const repository = new BulkJobsRepository(opened.store);
    const sent = (await repository.items(sms.job.id)).filter((item) => item.state === 'done');
    expect(new Set(sent.map((item) => item.supplierRef)).size).toBe(12);
    expect(sent[0]!.idempotencyKey).toBe(`simdock-${sms.job.id}-${sent[0]!.cardId}`);

    // Card 3 is a China Mobile card; product 50 is a China Mobile flow package.
    const iccid = quectel.fleet.pattern.card(3).iccid;
    const name = await productName(context, 'quectel-main', '50');
    const order = await createBulkJob(context, {
      action: 'recharge',
      params: { productId: '50', productName: name },
      cards: { identifiers: [iccid] },
      actor: 'carol',
    });
    // The first run reached Quectel and then crashed before writing the outcome.
    const [item] = await repository.items(order.job.id);
    await repository.markSending([item!.id]);
    const adapter = await orderingAccount(context, 'quectel-main');
    const placedFirst = await adapter.doPlaceOrders({
      kind: 'recharge',
      cards: [{ key: 'first', iccid }],
      productId: '50',
      productName: name,
      idempotencyKeys: { first: item!.idempotencyKey },
    });
    const first = { orderNo: placedFirst.items[0]?.ok ? placedFirst.items[0].value.orderNo : null };
    expect(first.orderNo).toBeTruthy();
    const placed = quectel.commerce.orders.size;
    const resumed = await runBulkJob(context, order.job.id);
    expect(resumed.job).toMatchObject({ state: 'succeeded', done: 1 });
    expect((await repository.items(order.job.id))[0]).toMatchObject({ supplierRef: first.orderNo });
    expect(quectel.commerce.orders.size).toBe(placed);
  });

  it('runs as the queue handler, reporting progress to the queue job', async () => {
    opened = await openTestStore(dialect);
    const { context } = await bulkBench(opened.store, { onelinkV5: 0, agent: 30, quectel: 0 });
    const { job } = await createBulkJob(context, {
      action: 'resume',
      cards: { filter: 'account=reseller' },
      actor: 'scheduler',
    });
    const reported: { done: number; total: number }[] = [];
    const jobContext: JobContext = {
      job: { id: 'q1', name: 'bulk' } as JobRecord,
      abortSignal: new AbortController().signal,
      progress: async (progress) => {
        reported.push(progress);
      },
    };
    const result = await bulkJobHandler(context)({ jobId: job.id }, jobContext);
    expect(result).toMatchObject({ job: job.id, total: 30 });
    expect(reported.at(-1)).toMatchObject({ done: 30, total: 30 });
    const skipped = (await new BulkJobsRepository(opened.store).items(job.id)).filter(
      (item) => item.state === 'skipped',
    );
    expect(skipped.every((item) => item.message === 'already active')).toBe(true);
  });
});
