import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../domain/clock.js';
import { importCards } from '../services/card-import.js';
import { createServiceContext, saveAccounts } from '../services/context.js';
import { openStore, type Store } from '../store/index.js';
import { createSupplierCatalog } from '../suppliers/catalog.js';
import { createOnelinkV2Simulator } from '../suppliers/onelink-v2/index.js';
import { appFetch } from '../suppliers/spec/simulator-kit.js';
import { EmbeddedJobQueue } from './embedded-job-queue.js';
import { jobHandlers, type SyncJobResult } from './handlers.js';

const credentials = {
  appid: 'handlers',
  password: 'handlers-password',
  ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
};

async function setup(passwordOfSecond: string) {
  const clock = new ManualClock(Date.UTC(2024, 10, 26, 2), { autoAdvance: true });
  const simulator = createOnelinkV2Simulator({ ...credentials, size: 20, clock });
  const store = await openStore({ url: 'sqlite::memory:', secretKey: Buffer.alloc(32, 7), clock });
  const catalog = createSupplierCatalog();
  const account = (id: string, password: string) => ({
    id,
    type: 'onelink-v2',
    name: null,
    rateLimit: 0,
    settings: { baseUrl: 'http://sim/v2', ...credentials, password },
  });
  await saveAccounts(store, catalog, [
    account('east', credentials.password),
    account('west', passwordOfSecond),
  ]);
  const context = createServiceContext({ store, catalog, clock, fetch: appFetch(simulator.app) });
  const iccids = Array.from({ length: 20 }, (_, index) => simulator.fleet.card(index).iccid);
  await importCards(context, 'east', iccids.slice(0, 12).join('\n'));
  await importCards(context, 'west', iccids.slice(12).join('\n'));
  const queue = new EmbeddedJobQueue(store, { clock });
  return { store, context, queue, clock };
}

describe('the sync job', () => {
  let store: Store | undefined;
  afterEach(async () => store?.close());

  it('syncs one named account, or every enabled account, with progress and a result', async () => {
    const fixture = await setup(credentials.password);
    store = fixture.store;
    const { queue, context } = fixture;
    const one = await queue.enqueue({ name: 'sync', payload: { account: 'east', days: 2 } });
    const all = await queue.enqueue({ name: 'sync', payload: { days: 0 } });
    await queue.drain(jobHandlers(context));
    const oneDone = await queue.get(one.id);
    expect(oneDone?.state).toBe('succeeded');
    expect((oneDone?.result as SyncJobResult).accounts).toEqual([
      expect.objectContaining({ account: 'east', status: 'succeeded', cards: 12, synced: 12 }),
    ]);
    const allDone = await queue.get(all.id);
    expect((allDone?.result as SyncJobResult).accounts.map((item) => item.account)).toEqual([
      'east',
      'west',
    ]);
    expect(allDone?.progress?.message).toMatch(/^west \(2\/2\): /);
    const synced = await store.cards.list({ account: 'west', limit: 10 });
    expect(synced.cards.every((card) => card.msisdn !== null)).toBe(true);
  });

  it('fails (and so retries later) when an account cannot be synced, naming it', async () => {
    const fixture = await setup('wrong-password');
    store = fixture.store;
    const { queue, context } = fixture;
    const job = await queue.enqueue({ name: 'sync', payload: {}, maxAttempts: 2 });
    await queue.drain(jobHandlers(context));
    const failed = await queue.get(job.id);
    expect(failed).toMatchObject({ state: 'pending', attempts: 1 });
    expect(failed?.lastError).toMatch(/^sync failed for west \(/);
  });
});
