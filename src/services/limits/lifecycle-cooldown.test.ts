import { afterEach, expect, it } from 'vitest';
import { BulkJobsRepository } from '../../store/repositories/bulk-repository.js';
import {
  describeEachDialect,
  openTestStore,
  type TestStore,
} from '../../store/store.test-support.js';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import { bulkBench } from '../bulk/bulk.test-support.js';
import { createBulkJob } from '../bulk/bulk-jobs.js';
import { type BulkProgress, runBulkJob } from '../bulk/bulk-runner.js';
import { createServiceContext } from '../context.js';
import { changeCardsStatus } from '../rules/rules-actions.js';

/** OneLink v5's status-change calls (single card and batch). */
const CHANGE_PATHS = new Set(['change/sim-status', 'change/sim-status/batch']);
/** OneLink v5's default per-card lock after a change (onelink-v5-protocol.ts). */
const COOLDOWN_MS = 3 * 60_000;

describeEachDialect('the lifecycle cooldown of a supplier ($dialect)', ({ dialect }) => {
  let opened: TestStore;
  afterEach(async () => opened?.dispose());

  it('a resume 8 s after a pause, in another process, waits for the cooldown instead of being sent', async () => {
    opened = await openTestStore(dialect);
    const bench = await bulkBench(opened.store, { onelinkV5: 6, agent: 0, quectel: 0 });
    const { clock, onelinkV5 } = bench;
    const { job: pause } = await createBulkJob(bench.context, {
      action: 'pause',
      cards: { filter: 'account=cmcc-v5 AND status=active' },
      actor: 'bob',
    });
    expect((await runBulkJob(bench.context, pause.id)).job).toMatchObject({ state: 'succeeded' });
    const repository = new BulkJobsRepository(opened.store);
    const cardIds = (await repository.items(pause.id)).map((item) => item.cardId);
    expect(cardIds.length).toBeGreaterThan(0);
    const pausedAt = clock.now();
    clock.advance(8_000);

    // Another process (the next CLI run): a new context whose adapter remembers nothing.
    const context = createServiceContext({
      store: opened.store,
      catalog: createSupplierCatalog(),
      clock,
      fetch: bench.fetch,
    });
    const { job: resume } = await createBulkJob(context, {
      action: 'resume',
      cards: { cardIds },
      actor: 'bob',
    });
    const changesBefore = onelinkV5.calls.entries.filter((entry) => CHANGE_PATHS.has(entry.path));
    const waiting: NonNullable<BulkProgress['waiting']>[] = [];
    const stop = new AbortController();
    const first = await runBulkJob(context, resume.id, {
      abortSignal: stop.signal,
      progress: (progress) => {
        if (progress.waiting) {
          waiting.push(progress.waiting);
          stop.abort();
        }
      },
    });
    // The job said it waits, for whom and until when; nothing went to the supplier.
    expect(waiting[0]).toMatchObject({ account: 'cmcc-v5', cards: cardIds.length });
    expect(waiting[0]!.until).toBeGreaterThanOrEqual(pausedAt - 8_000 + COOLDOWN_MS);
    expect(first.job).toMatchObject({ state: 'cancelled', failed: 0 });
    for (const item of await repository.items(resume.id)) {
      expect(item).toMatchObject({ state: 'pending', code: 'cooldown' });
      expect(item.message).toContain('waiting for the supplier');
    }
    expect(onelinkV5.calls.entries.filter((entry) => CHANGE_PATHS.has(entry.path))).toEqual(
      changesBefore,
    );

    // Run again: it waits out the rest of the cooldown, then every card resumes.
    const second = await runBulkJob(context, resume.id);
    expect(second.job).toMatchObject({ state: 'succeeded', done: cardIds.length, failed: 0 });
    const sent = onelinkV5.calls.entries
      .filter((entry) => CHANGE_PATHS.has(entry.path))
      .slice(changesBefore.length);
    expect(sent.length).toBeGreaterThan(0);
    for (const entry of sent) expect(entry.at).toBeGreaterThanOrEqual(pausedAt + COOLDOWN_MS);
    for (const cardId of cardIds) {
      expect(await opened.store.cards.get(cardId)).toMatchObject({ status: 'active' });
    }
  });

  it('a rule resuming a card inside its cooldown is refused with `cooldown` before any call', async () => {
    opened = await openTestStore(dialect);
    const bench = await bulkBench(opened.store, { onelinkV5: 6, agent: 0, quectel: 0 });
    const { clock, onelinkV5 } = bench;
    const active = (await opened.store.cards.listForSync('cmcc-v5', { limit: 100 })).filter(
      (card) => card.status === 'active',
    );
    const card = active[0]!;
    const paused = await changeCardsStatus(bench.context, [card], 'pause', {
      actor: 'rule:1',
      details: {},
    });
    expect(paused).toEqual([{ cardId: card.id, outcome: 'succeeded', reason: null }]);
    clock.advance(8_000);

    const context = createServiceContext({
      store: opened.store,
      catalog: createSupplierCatalog(),
      clock,
      fetch: bench.fetch,
    });
    const changes = onelinkV5.calls.entries.filter((entry) => CHANGE_PATHS.has(entry.path)).length;
    const stored = (await opened.store.cards.get(card.id))!;
    expect(stored.status).toBe('suspended');
    const refused = await changeCardsStatus(context, [stored], 'resume', {
      actor: 'rule:1',
      details: {},
    });
    expect(refused).toEqual([{ cardId: card.id, outcome: 'failed', reason: 'cooldown' }]);
    expect(onelinkV5.calls.entries.filter((entry) => CHANGE_PATHS.has(entry.path))).toHaveLength(
      changes,
    );

    clock.advance(COOLDOWN_MS);
    const resumed = await changeCardsStatus(context, [stored], 'resume', {
      actor: 'rule:1',
      details: {},
    });
    expect(resumed).toEqual([{ cardId: card.id, outcome: 'succeeded', reason: null }]);
  });
});
