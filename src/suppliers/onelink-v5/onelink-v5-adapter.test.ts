import { describe, expect, it } from 'vitest';
import { kbToBytes, SimdockError } from '../../domain/index.js';
import { simulatedDailyKb } from '../spec/simulator-kit.js';
import { APPID, BASE_URL, onelinkV5Bench, PASSWORD } from './onelink-v5.test-support.js';
import { onelinkV5Definition } from './onelink-v5-definition.js';

describe('onelink-v5 adapter', () => {
  it('reads daily usage of 250 cards in 3 calls, as whole bytes from KB', async () => {
    const { adapter, simulator, yesterday, callCounter } = onelinkV5Bench();
    const cards = Array.from({ length: 250 }, (_, index) => {
      const card = simulator.state.fleet.card(index);
      return { key: `c${index}`, iccid: card.iccid };
    });
    const result = await adapter.doGetDailyUsage({ cards, date: yesterday });
    expect(simulator.calls.count('query/sim-data-usage-daily/batch')).toBe(3);
    expect(callCounter.byPath.get('/v5/ec/query/sim-data-usage-daily/batch')).toBe(3);
    for (const item of result.items) {
      if (!item.ok) throw item.error;
      const index = Number(item.key.slice(1));
      const kb = simulatedDailyKb(simulator.state.fleet.card(index).iccid, yesterday);
      expect(item.value.bytes).toBe(kbToBytes(kb));
    }
  });

  it('reads monthly usage and location, and reports cards without an identifier per item', async () => {
    const { adapter, simulator, yesterday } = onelinkV5Bench();
    const card = simulator.state.fleet.card(4);
    const monthly = await adapter.doGetMonthlyUsage({
      month: yesterday.slice(0, 7),
      cards: [{ key: 'a', msisdn: card.msisdn }, { key: 'none' }],
    });
    const byKey = new Map(monthly.items.map((item) => [item.key, item]));
    expect(byKey.get('a')).toMatchObject({ ok: true });
    expect(byKey.get('none')).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });

    const cards = Array.from({ length: 21 }, (_, index) => ({
      key: `p${index}`,
      msisdn: simulator.state.fleet.card(index).msisdn,
    }));
    const location = await adapter.doGetLocation({ cards });
    expect(simulator.calls.count('query/last-position-location')).toBe(2);
    for (const item of location.items) {
      if (!item.ok) throw item.error;
      expect(item.value.latitude).toBeGreaterThan(22);
      expect(item.value.longitude).toBeGreaterThan(113);
      expect(item.value.at).toBeLessThanOrEqual(Date.UTC(2024, 10, 26, 2, 0, 0));
    }
  });

  it('reads each card’s session and status history, one card a call, and fails an unknown card alone', async () => {
    const { adapter, simulator } = onelinkV5Bench();
    const cards = Array.from({ length: 8 }, (_, index) => ({
      key: `s${index}`,
      iccid: simulator.state.fleet.card(index).iccid,
    }));
    const unknown = { key: 'unknown', iccid: '89860400000000999999' };
    const sessions = await adapter.doGetSession({ cards: [...cards, unknown] });
    expect(simulator.calls.count('query/sim-session')).toBe(9);
    const byKey = new Map(sessions.items.map((item) => [item.key, item]));
    expect(byKey.get('unknown')).toMatchObject({ ok: false });
    const known = cards.map((card) => byKey.get(card.key)!);
    for (const item of known) {
      if (!item.ok) throw item.error;
      expect(item.value.apn).toBe('CMIOT');
      // Online sessions carry an address and a start; offline ones neither.
      expect(item.value.ip !== null).toBe(item.value.online);
      expect(item.value.startedAt !== null).toBe(item.value.online);
    }
    expect(known.some((item) => item.ok && item.value.online)).toBe(true);

    // An online card is active (正常): pause it, and its history names the change.
    const card = cards.find((_, index) => {
      const item = known[index]!;
      return item.ok && item.value.online;
    })!;
    const paused = await adapter.doChangeStatus({ action: 'pause', cards: [card] });
    expect(paused.items[0]).toMatchObject({ ok: true });
    const history = await adapter.doGetCardHistory({ cards: [card] });
    const [entry] = history.items;
    if (!entry?.ok) throw entry?.error;
    expect(entry.value[0]).toMatchObject({
      kind: 'status',
      status: { status: 'suspended', raw: '02' },
      description: '00 → 02',
    });
    const times = entry.value.map((event) => event.at ?? 0);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('reads inbound (MO) texts for the given cards, 20 per call, each with a stable id', async () => {
    const { adapter, simulator } = onelinkV5Bench();
    const cards = Array.from({ length: 30 }, (_, index) => ({
      key: `m${index}`,
      msisdn: simulator.state.fleet.card(index).msisdn,
    }));
    const first = await adapter.doReadInboundSms({ cards });
    expect(simulator.calls.count('query/sim-mo-sms/batch')).toBe(2);
    expect(first.messages.length).toBeGreaterThan(0);
    const again = await adapter.doReadInboundSms({ cards, limit: 3 });
    expect(again.messages.map((message) => message.messageId)).toEqual(
      first.messages.slice(0, 3).map((message) => message.messageId),
    );
    const none = await adapter.doReadInboundSms({});
    expect(none.messages).toEqual([]);
    expect(none.warnings[0]?.type).toBe('partial-data');
  });

  it('declares status one card per call (the card-info batch carries no status)', () => {
    const { adapter } = onelinkV5Bench();
    expect(adapter.limits.batchSize.status).toBe(1);
    expect(adapter.limits.batchSize.lifecycle).toBe(100);
    expect(adapter.limits.lifecycleActions).toEqual(['pause', 'resume', 'activate']);
  });
});

describe('onelinkV5Definition', () => {
  it('parses settings, coercing the cooldown, and creates a working adapter', async () => {
    const settings = onelinkV5Definition.parseSettings({
      baseUrl: BASE_URL,
      appid: APPID,
      password: PASSWORD,
      cooldownMinutes: '5',
    });
    expect(settings.cooldownMinutes).toBe(5);
    const { simulator, clock } = onelinkV5Bench();
    const adapter = onelinkV5Definition.create('acct-1', settings, {
      fetch: simulator.fetch,
      clock,
    });
    expect(adapter.accountId).toBe('acct-1');
    const card = simulator.state.fleet.card(0);
    const result = await adapter.doGetIdentities!({ cards: [{ key: 'x', msisdn: card.msisdn }] });
    expect(result.items[0]).toMatchObject({
      ok: true,
      value: { iccid: card.iccid, imsi: card.imsi },
    });
  });

  it('refuses incomplete settings with a config error naming the field', () => {
    const error = (() => {
      try {
        onelinkV5Definition.parseSettings({ appid: APPID });
      } catch (caught) {
        return caught;
      }
    })();
    expect(SimdockError.isInstance(error)).toBe(true);
    expect((error as SimdockError).code).toBe('config_error');
    expect((error as SimdockError).message).toMatch(/password/);
    expect(
      onelinkV5Definition.credentialFields.find((field) => field.name === 'password')?.kind,
    ).toBe('secret');
  });
});
