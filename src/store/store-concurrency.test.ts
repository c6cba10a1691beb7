import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './index.js';
import {
  openTestStore,
  POSTGRES_TEST_URL,
  TEST_SECRET_KEY,
  type TestStore,
} from './store.test-support.js';

const iccid = (index: number) => `898604${String(index).padStart(14, '0')}`;
const msisdn = (index: number) => `1064${String(index).padStart(9, '0')}`;

// Several processes share one PostgreSQL: here, several stores (each with its own pool) on one
// schema stand in for them.
describe.skipIf(!POSTGRES_TEST_URL)('several stores on one PostgreSQL schema', () => {
  let base: TestStore | undefined;
  const others: Store[] = [];
  afterEach(async () => {
    for (const store of others.splice(0)) await store.close();
    await base?.dispose();
    base = undefined;
  });

  async function stores(count: number): Promise<Store[]> {
    base = await openTestStore('postgres');
    const opened = await Promise.all(
      Array.from({ length: count }, () =>
        openStore({ url: base!.url, secretKey: TEST_SECRET_KEY }),
      ),
    );
    others.push(...opened);
    return opened;
  }

  it('open at once without running a migration twice', async () => {
    const [first] = await stores(4);
    expect(await first!.cards.count()).toBe(0);
  });

  it('import the same cards at once exactly once, even without ICCIDs', async () => {
    const parallel = await stores(3);
    const rows = Array.from({ length: 3000 }, (_, index) =>
      index % 2 === 0 ? { iccid: iccid(index) } : { msisdn: msisdn(index) },
    );
    const results = await Promise.all(
      parallel.map((store) => store.cards.importCards('shared', 'quectel', rows)),
    );
    expect(results.reduce((total, result) => total + result.inserted, 0)).toBe(3000);
    expect(results.reduce((total, result) => total + result.existing, 0)).toBe(6000);
    expect(await parallel[0]!.cards.count({ account: 'shared' })).toBe(3000);
  });

  it('record each real status change once when syncs overlap', async () => {
    const parallel = await stores(3);
    await parallel[0]!.cards.importCards('shared', 'quectel', [{ iccid: iccid(1) }]);
    const [card] = await parallel[0]!.cards.findByIdentifier(iccid(1));
    const changed = await Promise.all(
      parallel.map((store) =>
        store.cards.updateStatuses([{ id: card!.id, status: 'active', statusRaw: '2' }], 'sync'),
      ),
    );
    expect(changed.reduce((total, count) => total + count, 0)).toBe(1);
    expect(await parallel[0]!.cards.statusHistory(card!.id)).toHaveLength(1);
  });
});
