import { ManualClock } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import {
  agentCardStatus,
  agentDefinition,
  createAgentSimulator,
} from '../../suppliers/agent/index.js';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import {
  createOnelinkV5Simulator,
  mapOnelinkV5Status,
  onelinkV5Definition,
} from '../../suppliers/onelink-v5/index.js';
import {
  createQuectelSimulator,
  QUECTEL_SIMULATOR_PATH,
  quectelDefinition,
} from '../../suppliers/quectel/index.js';
import { quectelStatus } from '../../suppliers/quectel/quectel-adapter-support.js';
import type { FetchFunction } from '../../suppliers/spec/index.js';
import { createServiceContext, type ServiceContext } from '../context.js';

/**
 * Three simulated suppliers behind one `fetch` (routed by host) on one auto-advancing
 * ManualClock, their accounts stored, and `n` cards of each imported with the status each
 * simulator holds (as a sync would have stored it).
 */
export async function bulkBench(
  store: Store,
  sizes: { onelinkV5?: number; agent?: number; quectel?: number } = {},
) {
  const clock = new ManualClock(Date.UTC(2026, 10, 26, 2, 0, 0), { autoAdvance: true });
  const onelinkV5 = createOnelinkV5Simulator({
    appid: 'bulk-v5',
    password: 'bulk-v5-password',
    size: sizes.onelinkV5 ?? 300,
    clock,
  });
  const agent = createAgentSimulator({
    appId: 'bulk-agent',
    secret: 'bulk-agent-secret',
    size: sizes.agent ?? 300,
    devices: 0,
    clock,
  });
  const quectel = createQuectelSimulator({
    appKey: 'bulk-quectel',
    secret: 'bulk-quectel-secret',
    size: sizes.quectel ?? 50,
    clock,
  });
  const routes: Record<string, FetchFunction> = {
    'v5.test': onelinkV5.fetch,
    'agent.test': agent.fetch,
    'quectel.test': quectel.fetch,
  };
  const fetch: FetchFunction = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const route = routes[url.host];
    if (!route) throw new TypeError(`fetch failed: no simulator at ${url.host}`);
    return route(input, init);
  };
  const accounts: {
    id: string;
    type: string;
    settings: Record<string, unknown>;
    secrets: Record<string, string>;
  }[] = [
    {
      id: 'cmcc-v5',
      type: onelinkV5Definition.type,
      settings: { baseUrl: 'http://v5.test/v5/ec' },
      secrets: { appid: 'bulk-v5', password: 'bulk-v5-password' },
    },
    {
      id: 'reseller',
      type: agentDefinition.type,
      settings: { baseUrl: 'http://agent.test', appId: 'bulk-agent' },
      secrets: { secret: 'bulk-agent-secret' },
    },
    {
      id: 'quectel-main',
      type: quectelDefinition.type,
      settings: { baseUrl: `http://quectel.test${QUECTEL_SIMULATOR_PATH}`, appKey: 'bulk-quectel' },
      secrets: { secret: 'bulk-quectel-secret' },
    },
  ];
  for (const account of accounts) {
    await store.accounts.upsert({ ...account, name: null, enabled: true });
  }
  const v5Cards = Array.from({ length: sizes.onelinkV5 ?? 300 }, (_, index) => ({
    ...onelinkV5.state.fleet.card(index),
    status: mapOnelinkV5Status(onelinkV5.state.status(index)),
  }));
  const agentCards = Array.from({ length: sizes.agent ?? 300 }, (_, index) => {
    const card = agent.fleet.cards.card(index);
    return { ...card, status: agentCardStatus(agent.fleet.card({ iccid: card.iccid })!.simStatus) };
  });
  const quectelCards = Array.from({ length: sizes.quectel ?? 50 }, (_, index) => ({
    ...quectel.fleet.pattern.card(index),
    status: quectelStatus(quectel.fleet.state(index).status),
  }));
  for (const [account, supplier, cards] of [
    ['cmcc-v5', onelinkV5Definition.type, v5Cards],
    ['reseller', agentDefinition.type, agentCards],
    ['quectel-main', quectelDefinition.type, quectelCards],
  ] as const) {
    await store.cards.importCards(
      account,
      supplier,
      cards.map((card) => ({ iccid: card.iccid, msisdn: card.msisdn, imsi: card.imsi })),
    );
    const stored = await store.cards.listForSync(account, { limit: 100_000 });
    const byIccid = new Map(cards.map((card) => [card.iccid.toUpperCase(), card.status]));
    await store.cards.updateStatuses(
      stored.map((card) => {
        const status = byIccid.get(card.iccid!)!;
        return { id: card.id, status: status.status, statusRaw: status.raw };
      }),
      'sync',
    );
  }
  const context: ServiceContext = createServiceContext({
    store,
    catalog: createSupplierCatalog(),
    clock,
    fetch,
  });
  return { clock, context, fetch, onelinkV5, agent, quectel };
}
