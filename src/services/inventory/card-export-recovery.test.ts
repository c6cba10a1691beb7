import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CardExportsRepository } from '../../store/repositories/card-exports-repository.js';
import {
  describeEachDialect,
  openTestStore,
  type TestStore,
} from '../../store/store.test-support.js';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import type { Principal } from '../access/access-roles.js';
import { createServiceContext } from '../context.js';
import {
  CARD_EXPORT_LEASE_MS,
  createCardExport,
  recoverAbandonedExports,
  runCardExport,
  writerStopped,
} from './card-export-jobs.js';

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

/** Exports run in the API process (no job queue) whose process died part-way. */
describeEachDialect('card exports whose writer died ($dialect)', (target) => {
  let test: TestStore;
  let directory: string;
  const previous = process.env.SIMDOCK_EXPORT_DIR;
  beforeEach(async () => {
    test = await openTestStore(target.dialect);
    directory = await mkdtemp(path.join(tmpdir(), 'simdock-exports-'));
    process.env.SIMDOCK_EXPORT_DIR = directory;
    await test.store.tenants.root();
  });
  afterEach(async () => {
    await test.dispose();
    await rm(directory, { recursive: true, force: true });
    if (previous === undefined) delete process.env.SIMDOCK_EXPORT_DIR;
    else process.env.SIMDOCK_EXPORT_DIR = previous;
  });

  function context() {
    return createServiceContext({
      store: test.store,
      catalog: createSupplierCatalog(),
      clock: test.clock,
    });
  }

  /** What a SIGKILLed process leaves: the export `running`, its partial file, a lease. */
  async function leftRunning(rows: number) {
    const created = await createCardExport(context(), {
      caller: OPERATOR,
      format: 'csv',
      query: {},
    });
    const file = path.join(directory, `card-export-${created.id}-dead.csv`);
    await writeFile(file, 'iccid\r\n8986\r\n');
    const repository = new CardExportsRepository(test.store);
    await repository.updateIf(created.id, ['pending'], {
      state: 'running',
      startedAt: test.clock.now(),
      leaseUntil: test.clock.now() + CARD_EXPORT_LEASE_MS,
      rowsWritten: rows,
      filePath: file,
    });
    return { id: created.id, file };
  }

  it('is left alone while its lease runs, then failed with the reason and its file removed', async () => {
    const dead = await leftRunning(1_000);
    const repository = new CardExportsRepository(test.store);
    test.clock.advance(CARD_EXPORT_LEASE_MS - 1);
    expect(await recoverAbandonedExports(context())).toBe(0);
    expect(await repository.require(dead.id)).toMatchObject({ state: 'running' });

    test.clock.advance(2);
    expect(await recoverAbandonedExports(context())).toBe(1);
    const failed = await repository.require(dead.id);
    expect(failed).toMatchObject({
      state: 'failed',
      filePath: null,
      rowsWritten: 1_000,
      error: 'the process writing this export stopped before it finished',
      finishedAt: test.clock.now(),
    });
    expect(existsSync(dead.file)).toBe(false);
    expect(writerStopped(failed)).toBe(true);
    // Settled once: a second sweep finds nothing, and a late run of it does nothing.
    expect(await recoverAbandonedExports(context())).toBe(0);
    expect(await runCardExport(context(), dead.id)).toMatchObject({ state: 'failed' });
  });

  it('fails an export recorded but never started (its process died before the run)', async () => {
    const created = await createCardExport(context(), {
      caller: OPERATOR,
      format: 'xlsx',
      query: {},
    });
    test.clock.advance(CARD_EXPORT_LEASE_MS + 1);
    // Found by the next export created (as by a list or a read).
    await createCardExport(context(), { caller: OPERATOR, format: 'csv', query: {} });
    expect(await new CardExportsRepository(test.store).require(created.id)).toMatchObject({
      state: 'failed',
      error: 'the process writing this export stopped before it finished',
    });
  });

  it('takes a lease renewed meanwhile as alive: the sweep leaves it', async () => {
    const alive = await leftRunning(10);
    const repository = new CardExportsRepository(test.store);
    test.clock.advance(CARD_EXPORT_LEASE_MS + 1);
    const [found] = await repository.leaseExpired(test.clock.now(), CARD_EXPORT_LEASE_MS);
    // The writer renews between the sweep's read and its write.
    await repository.updateIf(alive.id, ['running'], {
      leaseUntil: test.clock.now() + CARD_EXPORT_LEASE_MS,
    });
    expect(await repository.settleLeaseExpired(found!, { state: 'failed' })).toBe(false);
    expect(await repository.require(alive.id)).toMatchObject({ state: 'running' });
    expect(existsSync(alive.file)).toBe(true);
  });

  it('an export run to the end keeps no lease to expire', async () => {
    const created = await createCardExport(context(), {
      caller: OPERATOR,
      format: 'csv',
      query: {},
    });
    expect(await runCardExport(context(), created.id)).toMatchObject({ state: 'succeeded' });
    expect(writerStopped(await new CardExportsRepository(test.store).require(created.id))).toBe(
      false,
    );
    test.clock.advance(CARD_EXPORT_LEASE_MS * 10);
    expect(await recoverAbandonedExports(context())).toBe(0);
    expect(await new CardExportsRepository(test.store).require(created.id)).toMatchObject({
      state: 'succeeded',
    });
  });
});
