import { expect, it } from 'vitest';
import { TenantsRepository } from '../../store/repositories/tenants-repository.js';
import { describeEachDialect, useTestStore } from '../../store/store.test-support.js';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import { onelinkV2Definition } from '../../suppliers/onelink-v2/index.js';
import { createServiceContext } from '../context.js';
import { ScopedCards } from './access-cards.js';
import { ApiKeysRepository } from './access-keys.js';
import { UsersRepository } from './access-users.js';

describeEachDialect('access on $dialect', (target) => {
  const test = useTestStore(target);

  it('scopes cards by tenant subtree, sorts by usage with a cursor, tags, assigns and totals', async () => {
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
      Array.from({ length: 6 }, (_, index) => ({ iccid: `898604100000000000${index}0` })),
    );
    const ids = (await store.cards.list({ limit: 10 })).cards.map((card) => card.id);
    const month = new Date(clock.now() + 8 * 3600_000).toISOString().slice(0, 7);
    await store.usage.upsertMonthly(
      ids.map((cardId, index) => ({ cardId, month, bytes: index * 100 })),
    );
    const tenants = new TenantsRepository(store, now);
    await tenants.root();
    await tenants.create({ id: 'acme', parentId: 'root', name: 'Acme', kind: 'customer' });
    await tenants.create({ id: 'globex', parentId: 'root', name: 'Globex', kind: 'customer' });
    const acmeKey = await new ApiKeysRepository(store, now).create({
      name: 'k',
      role: 'admin',
      tenantId: 'acme',
    });
    const ownerKey = await new ApiKeysRepository(store, now).create({
      name: 'o',
      role: 'owner',
      tenantId: 'root',
    });
    const acme = (await new ApiKeysRepository(store, now).authenticate(acmeKey.key))!;
    const owner = (await new ApiKeysRepository(store, now).authenticate(ownerKey.key))!;
    expect(acme).toMatchObject({ tenantPath: '/root/acme/', isRoot: false });

    const root = new ScopedCards(context, owner);
    await root.assign(ids.slice(0, 3), 'acme');
    await root.assign(ids.slice(3, 4), 'globex');
    const scoped = new ScopedCards(context, acme);
    const first = await scoped.list({ sort: 'usage', order: 'desc', limit: 2 });
    expect(first.cards.map((card) => card.usageThisMonth)).toEqual([200, 100]);
    const second = await scoped.list({
      sort: 'usage',
      order: 'desc',
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second.cards.map((card) => card.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();
    await expect(scoped.get(ids[3]!)).rejects.toMatchObject({ code: 'not_found' });
    expect(await scoped.changeTags(ids[0]!, { add: ['x', 'y'] })).toEqual(['x', 'y']);
    expect((await scoped.list({ tag: 'x', q: '89860410' })).cards.map((card) => card.id)).toEqual([
      ids[0],
    ]);
    expect((await scoped.list({ usageMin: 150 })).cards.map((card) => card.id)).toEqual([ids[2]]);
    expect(await root.usageTotals(month, 'tenant')).toEqual([
      ...(target.dialect === 'postgres' ? [] : [{ key: null, cards: 2, bytes: 900 }]),
      { key: 'acme', cards: 3, bytes: 300 },
      { key: 'globex', cards: 1, bytes: 300 },
      ...(target.dialect === 'postgres' ? [{ key: null, cards: 2, bytes: 900 }] : []),
    ]);

    const users = new UsersRepository(store, now);
    await users.create({
      email: 'u@acme.test',
      password: 'password123',
      role: 'viewer',
      tenantId: 'acme',
    });
    const session = await users.login('u@acme.test', 'password123');
    expect((await users.authenticateSession(session.token))?.principal.tenantId).toBe('acme');
    clock.advance(13 * 3600_000);
    expect(await users.authenticateSession(session.token)).toBeNull();
  });
});
