import { expect, it } from 'vitest';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import { describeEachDialect, useTestStore } from '../../store/store.test-support.js';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import { onelinkV2Definition } from '../../suppliers/onelink-v2/index.js';
import { createServiceContext } from '../context.js';
import { ScopedCards } from './access-cards.js';
import { ApiKeysRepository } from './access-keys.js';

describeEachDialect('card pages on $dialect', (target) => {
  const test = useTestStore(target);

  it('shows each page row with the tenant and sorted tags that one card shows', async () => {
    const { store, clock } = test.current;
    const now = () => clock.now();
    const context = createServiceContext({ store, catalog: createSupplierCatalog(), clock });
    await store.accounts.upsert({
      id: 'a',
      type: onelinkV2Definition.type,
      settings: {},
      secrets: {},
    });
    await store.cards.importCards(
      'a',
      onelinkV2Definition.type,
      Array.from({ length: 5 }, (_, index) => ({ iccid: `898604100000000000${index}0` })),
    );
    const tenants = new TenantsRepository(store, now);
    await tenants.root();
    await tenants.create({ id: 'acme', parentId: 'root', name: 'Acme', kind: 'customer' });
    const { key } = await new ApiKeysRepository(store, now).create({
      name: 'o',
      role: 'owner',
      tenantId: 'root',
    });
    const owner = (await new ApiKeysRepository(store, now).authenticate(key))!;
    const cards = new ScopedCards(context, owner);
    const ids = (await cards.list({ sort: 'iccid' })).cards.map((card) => card.id);
    await cards.assign([ids[1]!, ids[3]!], 'acme');
    await cards.changeTags(ids[1]!, { add: ['zone:b', 'Alpha', 'zone-a', 'beta.2'] });
    await cards.changeTags(ids[2]!, { add: ['solo'] });

    const page = await cards.list({ sort: 'iccid', order: 'desc', limit: 4 });
    expect(page.cards.map((card) => card.id)).toEqual([ids[4], ids[3], ids[2], ids[1]]);
    expect(page.cards.map((card) => card.tenant)).toEqual([null, 'acme', null, 'acme']);
    expect(page.cards[2]!.tags).toEqual(['solo']);
    expect(page.cards[0]!.tags).toEqual([]);
    for (const card of page.cards) expect(card).toEqual(await cards.view(card.id));
    const rest = await cards.list({ sort: 'iccid', order: 'desc', cursor: page.nextCursor! });
    expect(rest.cards.map((card) => card.id)).toEqual([ids[0]]);
    expect(rest.nextCursor).toBeNull();
  });
});

describeEachDialect('API key authentication on $dialect', (target) => {
  const test = useTestStore(target);

  it('remembers a valid key, refuses a wrong secret and sees a revocation at once', async () => {
    const { store, clock } = test.current;
    const now = () => clock.now();
    await new TenantsRepository(store, now).root();
    const keys = new ApiKeysRepository(store, now);
    const { key, apiKey } = await keys.create({ name: 'k', role: 'viewer', tenantId: 'root' });
    const first = await keys.authenticate(key);
    expect(first).toMatchObject({ kind: 'api_key', id: apiKey.id, role: 'viewer', isRoot: true });
    const usedAt = (await keys.listInScope('/root/'))[0]!.lastUsedAt;
    expect(usedAt).toBe(clock.now());
    expect(await keys.authenticate(key)).toEqual(first);
    const wrongSecret = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    expect(await keys.authenticate(wrongSecret)).toBeNull();
    await keys.revoke(apiKey.id, '/root/');
    expect(await keys.authenticate(key)).toBeNull();
  });
});
