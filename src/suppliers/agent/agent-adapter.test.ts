import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { hasDeviceOperations } from '../spec/device-spec.js';
import type { CardRef } from '../spec/index.js';
import type { AgentAdapter } from './agent-adapter.js';
import { agentDefinition } from './agent-definition.js';
import { createAgentSimulator } from './agent-simulator.js';

const START = Date.UTC(2025, 8, 18, 2, 0, 0);
const STOPS = '/openapi/iot/batchStopCard';
const RESTORES = '/openapi/iot/batchRestoreCard';
const RECORDS = '/openapi/iot/queryCardOperationRecords';

function setup(options: { autoAdvance?: boolean; settleTimeoutMs?: number } = {}) {
  const clock = new ManualClock(START, { autoAdvance: options.autoAdvance ?? true });
  const simulator = createAgentSimulator({
    appId: 'app001',
    secret: 'SECRETKEY123',
    size: 600,
    devices: 2,
    clock,
  });
  const settings = agentDefinition.parseSettings({
    baseUrl: 'http://agent.test/admin',
    appId: 'app001',
    secret: 'SECRETKEY123',
    settleTimeoutMs: options.settleTimeoutMs,
  });
  const adapter = agentDefinition.create('agent-1', settings, {
    fetch: simulator.fetch,
    clock,
  }) as AgentAdapter;
  /** Fleet cards whose simulated status is `simStatus`, as card refs. */
  const cardsWithStatus = (simStatus: number, count: number, from = 10): CardRef[] => {
    const found: CardRef[] = [];
    for (let index = from; found.length < count && index < simulator.fleet.cards.size; index += 1) {
      const card = simulator.fleet.cards.card(index);
      if (simulator.fleet.card({ iccid: card.iccid })?.simStatus === simStatus) {
        found.push({ key: `card-${index}`, iccid: card.iccid, msisdn: card.msisdn });
      }
    }
    return found;
  };
  return { clock, simulator, adapter, cardsWithStatus };
}

const flush = async (rounds = 20) => {
  for (let round = 0; round < rounds; round += 1) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
};

describe('agent adapter: pause and resume', () => {
  it('follows a batch stop to completion on the clock, without sleeping', async () => {
    const { clock, simulator, adapter, cardsWithStatus } = setup({ autoAdvance: false });
    const cards = cardsWithStatus(4, 3);
    let done = false;
    const pausing = adapter.doChangeStatus({ action: 'pause', cards }).then((result) => {
      done = true;
      return result;
    });
    let polls = 0;
    while (!done) {
      await flush();
      if (done) break;
      expect(clock.pending).toBe(1);
      clock.advance(5_000);
      polls += 1;
      expect(polls).toBeLessThan(20);
    }
    const result = await pausing;
    // The simulator settles 30 s after the stop: the sixth read sees it done.
    expect(polls).toBe(6);
    expect(simulator.calls.count(RECORDS)).toBe(6);
    expect(simulator.calls.count(STOPS)).toBe(1);
    expect(result.items).toHaveLength(3);
    for (const item of result.items) {
      expect(item).toMatchObject({ ok: true, value: { status: 'suspended', raw: '5' } });
    }
    for (const card of cards)
      expect(simulator.fleet.card({ iccid: card.iccid! })?.simStatus).toBe(5);
  });

  it('never stops a stopped card twice: a no-op with a reason', async () => {
    const { simulator, adapter, cardsWithStatus } = setup();
    const active = cardsWithStatus(4, 2);
    const stopped = cardsWithStatus(5, 1);
    const unknown = { key: 'nowhere', iccid: '89861199999999999999' };
    const result = await adapter.doChangeStatus({
      action: 'pause',
      cards: [...active, ...stopped, unknown],
    });
    const byKey = new Map(result.items.map((item) => [item.key, item]));
    expect(byKey.get(stopped[0]!.key)).toMatchObject({ ok: true, value: { status: 'suspended' } });
    expect(result.warnings).toContainEqual(
      expect.objectContaining({ key: stopped[0]!.key, message: 'already suspended: no stop sent' }),
    );
    expect(byKey.get('nowhere')).toMatchObject({
      ok: false,
      error: { code: 'supplier_card_unknown' },
    });
    expect(simulator.calls.count(STOPS)).toBe(1);
    expect(simulator.calls.entries.find((entry) => entry.path === STOPS)?.params.iccids).toBe(
      active.map((card) => card.iccid).join(','),
    );
    // Pausing the same cards again sends no stop at all.
    const again = await adapter.doChangeStatus({ action: 'pause', cards: active });
    expect(again.items.every((item) => item.ok)).toBe(true);
    expect(again.warnings).toHaveLength(2);
    expect(simulator.calls.count(STOPS)).toBe(1);
  });

  it('pauses 250 cards in 3 stop batches and resumes them', async () => {
    const { simulator, adapter, cardsWithStatus } = setup();
    const cards = cardsWithStatus(4, 250, 0);
    expect(cards).toHaveLength(250);
    const paused = await adapter.doChangeStatus({ action: 'pause', cards });
    expect(simulator.calls.count(STOPS)).toBe(3);
    expect(paused.items.filter((item) => item.ok)).toHaveLength(250);
    const resumed = await adapter.doChangeStatus({ action: 'resume', cards });
    expect(simulator.calls.count(RESTORES)).toBe(3);
    expect(resumed.items.every((item) => item.ok && item.value.status === 'active')).toBe(true);
  });

  it('refuses to resume a card that is not stopped, and actions it does not offer', async () => {
    const { simulator, adapter, cardsWithStatus } = setup();
    const inventory = cardsWithStatus(1, 1);
    const result = await adapter.doChangeStatus({ action: 'resume', cards: inventory });
    expect(result.items[0]).toMatchObject({ ok: false, error: { code: 'supplier_rejected' } });
    expect(simulator.calls.count(RESTORES)).toBe(0);
    const activate = await adapter.doChangeStatus({ action: 'activate', cards: inventory });
    expect(activate.items[0]).toMatchObject({ ok: false, error: { code: 'unsupported' } });
  });

  it('gives up an unsettled batch after the settle timeout, as a retryable item', async () => {
    const { adapter, cardsWithStatus } = setup({ settleTimeoutMs: 10_000 });
    const result = await adapter.doChangeStatus({ action: 'pause', cards: cardsWithStatus(4, 1) });
    expect(result.items[0]).toMatchObject({
      ok: false,
      error: { code: 'supplier_timeout', retryable: true },
    });
  });
});

describe('agent adapter: reads', () => {
  it('reads the latest status at most 3 times per card per minute, without a 4th call', async () => {
    const { clock, simulator, adapter, cardsWithStatus } = setup({ autoAdvance: false });
    const cards = cardsWithStatus(4, 2);
    for (let read = 0; read < 3; read += 1) {
      const result = await adapter.doGetStatus({ cards });
      expect(result.items.every((item) => item.ok && item.value.status === 'active')).toBe(true);
    }
    const fourth = await adapter.doGetStatus({ cards });
    expect(fourth.items.map((item) => !item.ok && item.error.code)).toEqual([
      'rate_limited',
      'rate_limited',
    ]);
    expect(simulator.calls.count('/openapi/iot/batchQueryCardStatus')).toBe(3);
    clock.advance(60_000);
    const later = await adapter.doGetStatus({ cards });
    expect(later.items.every((item) => item.ok)).toBe(true);
    expect(later.items[0]).toMatchObject({
      ok: true,
      value: {
        connectivity: {
          powered: null,
          online: null,
          raw: { onlineStatus: '2', internetStatus: '2', lastSimStatusAt: '2025-09-18 10:01:00' },
        },
      },
    });
  });

  it('reads monthly usage in bytes by number as well as by ICCID, 10 cards a call', async () => {
    const { simulator, adapter } = setup();
    const cards = Array.from({ length: 12 }, (_, index) => {
      const card = simulator.fleet.cards.card(index);
      return { key: `m${index}`, msisdn: card.msisdn };
    });
    const result = await adapter.doGetMonthlyUsage({ month: '2025-08', cards });
    expect(simulator.calls.count('/openapi/iot/batchQueryCardMonthFlow')).toBe(2);
    const first = simulator.fleet.card({ simNo: cards[0]!.msisdn });
    expect(result.items[0]).toEqual({
      key: 'm0',
      ok: true,
      value: { bytes: simulator.fleet.usedBytes(first!, '2025-08', START) },
    });
  });

  it('returns identities with the device a card sits in', async () => {
    const { adapter } = setup();
    const result = await adapter.doGetIdentities({
      cards: [{ key: 'doc', msisdn: '1442549810999' }],
    });
    expect(result.items[0]).toMatchObject({
      ok: true,
      value: {
        iccid: '8986032142201828602',
        msisdn: '1442549810999',
        imsi: null,
        imei: '865214078636124',
        status: { status: 'active', raw: '4' },
        extra: { deviceNo: '865214078636124', vice: 2 },
      },
    });
  });
});

describe('agent definition', () => {
  it('declares its capabilities and the device extension', () => {
    const { adapter } = setup();
    expect([...adapter.capabilities].sort()).toEqual([
      'identities',
      'lifecycle',
      'status',
      'usage.monthly',
    ]);
    expect(adapter.limits.batchSize).toEqual({
      identities: 100,
      status: 10,
      'usage.monthly': 10,
      lifecycle: 100,
    });
    expect(hasDeviceOperations(adapter)).toBe(true);
    expect(agentDefinition.credentialFields.find((field) => field.kind === 'secret')?.name).toBe(
      'secret',
    );
  });

  it('refuses bad settings with a config error', () => {
    const good = { baseUrl: 'https://x.cn/admin', appId: 'qwe123', secret: 's' };
    expect(agentDefinition.parseSettings(good).baseUrl).toBe('https://x.cn/admin');
    expect(() => agentDefinition.parseSettings({ ...good, baseUrl: 'x.cn' })).toThrow(
      /config|baseUrl/,
    );
    expect(() => agentDefinition.parseSettings({ ...good, secret: '' })).toThrow(/secret/);
    expect(() => agentDefinition.parseSettings({ ...good, paths: { nope: '/x' } })).toThrow(
      /unknown operation/,
    );
  });
});
