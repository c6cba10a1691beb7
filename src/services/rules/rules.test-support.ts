import type { ManualClock } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import {
  createQuectelSimulator,
  QUECTEL_SIMULATOR_PATH,
  quectelDefinition,
} from '../../suppliers/quectel/index.js';
import { quectelStatus } from '../../suppliers/quectel/quectel-adapter-support.js';
import { createServiceContext } from '../context.js';

/** 10:00 CST on 26 November 2026. */
export const RULES_TEST_START = Date.UTC(2026, 10, 26, 2, 0, 0);

/**
 * A Quectel account on its simulator (`size` cards, stored with the statuses the simulator holds,
 * as a sync would have stored them) and a service context on the store's own clock, so status
 * history and rules see one time. Card `index` of the simulator is `cardIds[index]`.
 */
export async function rulesFleet(store: Store, clock: ManualClock, size = 10) {
  clock.set(RULES_TEST_START);
  clock.autoAdvance = true;
  const quectel = createQuectelSimulator({
    appKey: 'rules-quectel',
    secret: 'rules-quectel-secret',
    size,
    clock,
  });
  await store.accounts.upsert({
    id: 'quectel-main',
    type: quectelDefinition.type,
    name: null,
    enabled: true,
    settings: { baseUrl: `http://quectel.test${QUECTEL_SIMULATOR_PATH}`, appKey: 'rules-quectel' },
    secrets: { secret: 'rules-quectel-secret' },
  });
  const seeded = Array.from({ length: size }, (_, index) => ({
    ...quectel.fleet.pattern.card(index),
    status: quectelStatus(quectel.fleet.state(index).status),
  }));
  await store.cards.importCards(
    'quectel-main',
    quectelDefinition.type,
    seeded.map((card) => ({ iccid: card.iccid, msisdn: card.msisdn, imsi: card.imsi })),
  );
  const stored = await store.cards.listForSync('quectel-main', { limit: size });
  await store.cards.updateStatuses(
    stored.map((card, index) => ({
      id: card.id,
      status: seeded[index]!.status.status,
      statusRaw: seeded[index]!.status.raw,
    })),
    'sync',
  );
  const context = createServiceContext({
    store,
    catalog: createSupplierCatalog(),
    clock,
    fetch: (input, init) => quectel.fetch(input, init),
  });
  return { context, quectel, cardIds: stored.map((card) => card.id) };
}
