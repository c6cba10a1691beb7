import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentOpenApi, createAgentOpenApi } from '../src/api/agent-open-api/index.js';
import { createServiceContext, type ServiceContext } from '../src/services/context.js';
import { importCards } from '../src/services/inventory/card-import.js';
import { syncAccount } from '../src/services/sync/sync.js';
import { openStore, type Store } from '../src/store/index.js';
import { AgentAppsRepository } from '../src/store/repositories/agent-apps-repository.js';
import { TenantsRepository } from '../src/store/repositories/tenants-repository.js';
import { SecretBox } from '../src/store/secret-box.js';
import {
  AGENT_CODES,
  AGENT_SIM_STATUS,
  type AgentSimulator,
  agentHeaders,
  agentTimestamp,
  createAgentSimulator,
} from '../src/suppliers/agent/index.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';

/**
 * The cascade: simdock A holds cards from a (simulated) agent platform and serves its own agent
 * open API on loopback; simdock B has an `agent` account pointing at A, with the app ID and
 * secret of A's tenant `dealer`. B imports, syncs and pauses the dealer's cards through A, which
 * carries the pause out at its own supplier.
 */

const KEY = Buffer.alloc(32, 7);
const sealer = new SecretBox(async () => ({ key: KEY, origin: 'test' }));

interface Simdock {
  store: Store;
  context: ServiceContext;
}

async function openSimdock(fetch?: AgentSimulator['fetch']): Promise<Simdock> {
  const store = await openStore({ url: 'sqlite::memory:', secretKey: KEY });
  const context = createServiceContext({ store, catalog: createSupplierCatalog(), fetch });
  return { store, context };
}

describe('simdock as another simdock’s agent supplier', () => {
  let simulator: AgentSimulator;
  let a: Simdock;
  let b: Simdock;
  let openApi: AgentOpenApi;
  let server: ServerType;
  let origin: string;
  let app: { appId: string; secret: string };
  const dealerCards: string[] = [];
  let rootCard: string;

  beforeAll(async () => {
    simulator = createAgentSimulator({
      appId: 'upstream-app',
      secret: 'upstream-secret',
      size: 40,
      // 1 ms, not 0: the simulator applies a change only when a processing record settles.
      settleDelayMs: 1,
    });
    a = await openSimdock(simulator.fetch);
    await a.store.accounts.upsert({
      id: 'upstream',
      type: 'agent',
      settings: {
        baseUrl: 'http://agent.simulator.test',
        appId: 'upstream-app',
        pollIntervalMs: 1,
      },
      secrets: { secret: 'upstream-secret' },
    });
    const iccids = Array.from({ length: 8 }, (_, index) => simulator.fleet.cards.card(index).iccid);
    await importCards(a.context, 'upstream', iccids.join('\n'), 'test');
    expect((await syncAccount(a.context, 'upstream')).status).toBe('succeeded');

    // A's tenants: the dealer gets six cards (划卡); two stay with the operator.
    const tenants = new TenantsRepository(a.store);
    await tenants.root();
    const dealer = await tenants.create({
      id: 'dealer',
      parentId: 'root',
      name: 'Dealer',
      kind: 'agent',
    });
    for (const iccid of iccids.slice(0, 6)) {
      const [card] = await a.store.cards.findByIdentifier(iccid);
      await a.store.db
        .insertInto('card_tenants')
        .values({
          card_id: card!.id,
          tenant_id: 'dealer',
          tenant_path: dealer.path,
          assigned_at: 0,
        })
        .execute();
      dealerCards.push(card!.iccid!);
    }
    rootCard = iccids[7]!;
    const created = await new AgentAppsRepository(a.store, sealer).create({
      tenantId: 'dealer',
      name: 'downstream simdock',
      now: Date.now(),
    });
    app = { appId: created.app.appId, secret: created.secret };

    openApi = createAgentOpenApi(a.context, { sealer });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: openApi.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
        origin = `http://127.0.0.1:${(info as AddressInfo).port}`;
        resolve();
      });
    });

    b = await openSimdock();
    await b.store.accounts.upsert({
      id: 'via-a',
      type: 'agent',
      settings: { baseUrl: origin, appId: app.appId, pollIntervalMs: 5 },
      secrets: { secret: app.secret },
    });
  });

  afterAll(async () => {
    server?.close();
    await a?.store.close();
    await b?.store.close();
  });

  it('imports and syncs the tenant’s cards, and only those', async () => {
    const lines = [...dealerCards, rootCard].join('\n');
    const imported = await importCards(b.context, 'via-a', lines, 'test');
    expect(imported).toMatchObject({ inserted: 7 });
    const summary = await syncAccount(b.context, 'via-a');
    expect(summary.synced).toBe(6);
    expect(summary.failed).toBeGreaterThanOrEqual(1);
    for (const iccid of dealerCards) {
      const [mine] = await b.store.cards.findByIdentifier(iccid);
      const [upstream] = await a.store.cards.findByIdentifier(iccid);
      expect(mine).toMatchObject({
        msisdn: upstream!.msisdn,
        imsi: upstream!.imsi,
        status: upstream!.status,
      });
      expect(mine!.msisdn).not.toBeNull();
    }
    // The operator's own card does not exist for the dealer.
    const [foreign] = await b.store.cards.findByIdentifier(rootCard);
    expect(foreign!.msisdn).toBeNull();
  });

  it('pauses the tenant’s cards through A, down to A’s own supplier', async () => {
    const targets = dealerCards.slice(0, 3);
    const adapter = await b.context.adapter('via-a');
    const before = await Promise.all(targets.map((iccid) => a.store.cards.findByIdentifier(iccid)));
    expect(before.map(([card]) => card!.status)).toEqual(['active', 'active', 'active']);
    const result = await adapter.doChangeStatus!({
      action: 'pause',
      cards: targets.map((iccid, index) => ({ key: String(index), iccid })),
    });
    expect(result.items.map((item) => (item.ok ? item.value.status : item.error.code))).toEqual([
      'suspended',
      'suspended',
      'suspended',
    ]);
    await openApi.idle();
    // The simulated platform settles its batches when it next looks at its fleet.
    simulator.fleet.settle(Date.now());
    for (const iccid of targets) {
      expect(simulator.fleet.card({ iccid })!.simStatus).toBe(AGENT_SIM_STATUS.stopped);
      const [upstream] = await a.store.cards.findByIdentifier(iccid);
      expect(upstream!.status).toBe('suspended');
    }
    // B's next status read sees the paused cards as suspended (a full read: the planner would
    // leave statuses read within this hour alone).
    await syncAccount(b.context, 'via-a', { full: true });
    const [paused] = await b.store.cards.findByIdentifier(targets[0]!);
    expect(paused!.status).toBe('suspended');
    // A audited who paused them.
    const audit = await a.store.audit.list({ limit: 10 });
    expect(audit.some((entry) => entry.actor === `agent-app:${app.appId}`)).toBe(true);
  });

  it('refuses a wrong secret and a replayed traceID', async () => {
    await b.store.accounts.upsert({
      id: 'wrong-secret',
      type: 'agent',
      settings: { baseUrl: origin, appId: app.appId },
      secrets: { secret: 'not-the-secret' },
    });
    const wrong = await b.context.adapter('wrong-secret');
    await expect(
      wrong.doGetIdentities!({ cards: [{ key: '1', iccid: dealerCards[0]! }] }),
    ).rejects.toMatchObject({ code: 'supplier_auth_failed' });

    const traceId = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    const headers = {
      ...agentHeaders({
        appId: app.appId,
        secret: app.secret,
        traceId,
        timestamp: agentTimestamp(Date.now()),
      }),
      'content-type': 'application/x-www-form-urlencoded',
    };
    const call = async () => {
      const response = await fetch(`${origin}/openapi/iot/batchQueryCardInfo`, {
        method: 'POST',
        headers,
        body: new URLSearchParams({ iccids: dealerCards[0]! }).toString(),
      });
      return (await response.json()) as { code: number; traceID: string; data: unknown };
    };
    const first = await call();
    expect(first.code).toBe(AGENT_CODES.success);
    expect(first.traceID).toBe(traceId);
    expect((await call()).code).toBe(AGENT_CODES.traceIdReused);

    const stale = {
      ...agentHeaders({
        appId: app.appId,
        secret: app.secret,
        traceId: 'c0ffee00c0ffee00c0ffee00c0ffee01',
        timestamp: agentTimestamp(Date.now() - 11 * 60_000),
      }),
      'content-type': 'application/x-www-form-urlencoded',
    };
    const response = await fetch(`${origin}/openapi/iot/batchQueryCardInfo`, {
      method: 'POST',
      headers: stale,
      body: `iccids=${dealerCards[0]}`,
    });
    expect(((await response.json()) as { code: number }).code).toBe(AGENT_CODES.timestampExpired);
  });
});
