import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import { SecretBox } from '../../store/secret-box.js';
import type { SecretSealer } from '../../store/secret-sealer.js';
import { TEST_SECRET_KEY, type TestStore } from '../../store/store.test-support.js';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import { onelinkV2Definition } from '../../suppliers/onelink-v2/index.js';
import { createServiceContext, type ServiceContext } from '../context.js';

/** A sealer on the test store's fixed key (the store was opened with it explicitly). */
export function testSealer(): SecretSealer {
  return new SecretBox(async () => ({ key: TEST_SECRET_KEY, origin: 'test' }));
}

/**
 * A service context on a test store with the root tenant, two customer tenants (`acme`,
 * `globex`) and one card assigned to each, plus one unassigned card.
 */
export async function webhookFixture(test: TestStore) {
  const context: ServiceContext = createServiceContext({
    store: test.store,
    catalog: createSupplierCatalog(),
    clock: test.clock,
  });
  const tenants = new TenantsRepository(test.store, () => test.clock.now());
  await tenants.root();
  const acme = await tenants.create({
    id: 'acme',
    parentId: 'root',
    name: 'Acme',
    kind: 'customer',
  });
  const globex = await tenants.create({
    id: 'globex',
    parentId: 'root',
    name: 'Globex',
    kind: 'customer',
  });
  await test.store.accounts.upsert({
    id: 'east',
    type: onelinkV2Definition.type,
    settings: {},
    secrets: {},
    enabled: true,
  });
  await test.store.cards.importCards('east', onelinkV2Definition.type, [
    { iccid: '898602B2221340000001' },
    { iccid: '898602B2221340000002' },
    { iccid: '898602B2221340000003' },
  ]);
  const cardId = async (iccid: string) => (await test.store.cards.findByIdentifier(iccid))[0]!.id;
  const cards = {
    acme: await cardId('898602B2221340000001'),
    globex: await cardId('898602B2221340000002'),
    unassigned: await cardId('898602B2221340000003'),
  };
  await test.store.db
    .insertInto('card_tenants')
    .values([
      { card_id: cards.acme, tenant_id: 'acme', tenant_path: acme.path, assigned_at: 0 },
      { card_id: cards.globex, tenant_id: 'globex', tenant_path: globex.path, assigned_at: 0 },
    ])
    .execute();
  return { context, cards, sealer: testSealer() };
}
