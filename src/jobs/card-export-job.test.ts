import { readFile, rm } from 'node:fs/promises';
import { afterEach, expect, it } from 'vitest';
import type { Principal } from '../services/access/access-roles.js';
import { createServiceContext, saveAccounts } from '../services/context.js';
import {
  CARD_EXPORT_JOB_NAME,
  cancelCardExport,
  cardExportDirectory,
  createCardExport,
  enqueueCardExport,
} from '../services/inventory/card-export-jobs.js';
import type { JobQueue } from '../services/job-queue.js';
import { CardExportsRepository } from '../store/repositories/card-exports-repository.js';
import { describeEachDialect, openTestStore, type TestStore } from '../store/store.test-support.js';
import { createSupplierCatalog } from '../suppliers/catalog.js';
import { createJobQueue } from './create-job-queue.js';
import { jobHandlers } from './handlers.js';

const OPERATOR: Principal = {
  kind: 'user',
  id: 1,
  name: 'owner@example.test',
  role: 'owner',
  tenantId: 'root',
  tenantPath: '/root/',
  isRoot: true,
  actor: 'user:owner@example.test',
};

/** The `card-export` job on each queue: the embedded one on SQLite, graphile-worker on PostgreSQL. */
describeEachDialect('the card-export job ($dialect)', (target) => {
  let test: TestStore | undefined;
  let queue: JobQueue | undefined;
  afterEach(async () => {
    await queue?.close();
    await test?.dispose();
    queue = undefined;
    test = undefined;
  });

  async function setup() {
    test = await openTestStore(target.dialect);
    const catalog = createSupplierCatalog();
    const context = createServiceContext({ store: test.store, catalog, clock: test.clock });
    await saveAccounts(test.store, catalog, [
      {
        id: 'east',
        type: 'onelink-v2',
        name: null,
        rateLimit: 0,
        settings: {
          baseUrl: 'http://sim/v2',
          appid: 'a',
          password: 'p',
          ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
        },
      },
    ]);
    await test.store.tenants.root();
    await test.store.cards.importCards(
      'east',
      'onelink-v2',
      Array.from({ length: 2_345 }, (_, index) => ({
        iccid: `8986990${String(index).padStart(13, '0')}`,
      })),
    );
    queue = await createJobQueue(test.store, { clock: test.clock, databaseUrl: test.url });
    return { context, queue };
  }

  it('writes the file, reports rows of the count as progress, and returns the outcome', async () => {
    const { context, queue } = await setup();
    const created = await createCardExport(context, {
      caller: OPERATOR,
      format: 'csv',
      query: { account: 'east' },
    });
    await enqueueCardExport(context, queue, created.id, OPERATOR.actor);
    await queue.drain(jobHandlers(context, { queue }));
    const [job] = await queue.list({ name: CARD_EXPORT_JOB_NAME });
    expect(job).toMatchObject({
      state: 'succeeded',
      progress: { done: 2_345, total: 2_345 },
      result: { export: created.id, state: 'succeeded', rows: 2_345 },
    });
    const done = await new CardExportsRepository(context.store).require(created.id);
    expect(done).toMatchObject({ state: 'succeeded', rowsWritten: 2_345, total: 2_345 });
    const text = await readFile(done.filePath!, 'utf8');
    expect(text.trimEnd().split('\r\n')).toHaveLength(2_346);
    await rm(cardExportDirectory(context), { recursive: true, force: true });
  });

  it('does not run an export cancelled while queued', async () => {
    const { context, queue } = await setup();
    const created = await createCardExport(context, {
      caller: OPERATOR,
      format: 'xlsx',
      query: {},
    });
    await enqueueCardExport(context, queue, created.id, OPERATOR.actor);
    const cancelled = await cancelCardExport(context, created.id, { queue });
    expect(cancelled).toMatchObject({ state: 'cancelled', filePath: null });
    await queue.drain(jobHandlers(context, { queue }));
    const after = await new CardExportsRepository(context.store).require(created.id);
    expect(after).toMatchObject({ state: 'cancelled', rowsWritten: 0, filePath: null });
    await expect(cancelCardExport(context, created.id, { queue })).rejects.toMatchObject({
      code: 'conflict',
    });
  });
});
