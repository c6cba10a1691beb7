import { sql } from 'kysely';
import { cstMonth } from '../src/domain/index.js';
import { saveAccounts } from '../src/services/context.js';
import type { Store } from '../src/store/index.js';
import type { createSupplierCatalog } from '../src/suppliers/catalog.js';

const CHUNK = 100_000;
/** The statuses the filled fleet cycles through, so the table is not one colour. */
export const FLEET_STATUSES = [
  'active',
  'active',
  'active',
  'suspended',
  'inventory',
  'test',
  'deactivated',
];

/**
 * Fills a store with `cards` OneLink v2 cards of account `bench` (imported in chunks of
 * 100,000), gives them cycling statuses and one `usage_monthly` row each for this month.
 * Returns the seconds it took.
 */
export async function fillBenchFleet(
  store: Store,
  catalog: ReturnType<typeof createSupplierCatalog>,
  cards: number,
  log: (line: string) => void = console.log,
): Promise<number> {
  await saveAccounts(store, catalog, [
    {
      id: 'bench',
      type: 'onelink-v2',
      name: null,
      rateLimit: 0,
      settings: {
        baseUrl: 'http://onelink.simulator/v2',
        appid: 'bench',
        password: 'bench-password',
        ebids: { batchquerycardinfo: '1', batchgprsusedbydate: '2' },
      },
    },
  ]);
  const started = performance.now();
  for (let start = 0; start < cards; start += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, cards - start) }, (_, offset) => {
      const index = start + offset;
      // A scattered ICCID order, so sorting by ICCID is not the same as sorting by id.
      const scattered = cards % 7_919 === 0 ? index : (index * 7_919) % cards;
      return {
        iccid: `898604${String(scattered).padStart(14, '0')}`,
        msisdn: `1064${String(index).padStart(9, '0')}`,
      };
    });
    await store.cards.importCards('bench', 'onelink-v2', rows);
    log(`filled ${Math.min(start + CHUNK, cards).toLocaleString('en')} cards`);
  }
  const statuses = FLEET_STATUSES.map((status, index) => `when ${index} then '${status}'`).join(
    ' ',
  );
  await sql`update cards set status = case id % ${sql.lit(FLEET_STATUSES.length)} ${sql.raw(statuses)} end`.execute(
    store.db,
  );
  // This month's usage of every card, so each row of a page carries a figure to show.
  const month = cstMonth(Date.now());
  await sql`insert into usage_monthly (card_id, month, bytes, updated_at)
    select id, ${month}, (id * 7919) % 2000000000, ${Date.now()} from cards`.execute(store.db);
  return (performance.now() - started) / 1000;
}
