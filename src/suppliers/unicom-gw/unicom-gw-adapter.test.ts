import { describe, expect, it } from 'vitest';
import { addDays, BYTES_PER_MB, mbToBytes } from '../../domain/index.js';
import { SupplierError, withRetry } from '../spec/index.js';
import { simulatedDailyKb as dailyKb } from '../spec/simulator-kit.js';
import {
  APP_ID,
  APP_SECRET,
  BASE_URL,
  cardsWithStatus,
  OPEN_ID,
  START,
  unicomGwBench,
} from './unicom-gw.test-support.js';
import { UNICOM_GW_DETAILS_BATCH, unicomGwTimestamp, unicomGwToken } from './unicom-gw-protocol.js';

const refs = (bench: ReturnType<typeof unicomGwBench>, count: number, from = 0) =>
  Array.from({ length: count }, (_, offset) => ({
    key: `k${from + offset}`,
    iccid: bench.simulator.state.fleet.card(from + offset).iccid,
  }));

const cst = (y: number, m: number, d: number, h = 0) => Date.UTC(y, m - 1, d, h - 8);

describe('unicom-gw adapter against its simulator', () => {
  it('reads identities and statuses 50 ICCIDs a call, an unknown card failing alone', async () => {
    const bench = unicomGwBench();
    const cards = [...refs(bench, 120), { key: 'ghost', iccid: '89860124999999999999' }];
    const result = await bench.adapter.doGetIdentities({ cards });
    expect(bench.simulator.calls.count('wsGetTerminalDetails')).toBe(
      Math.ceil(121 / UNICOM_GW_DETAILS_BATCH),
    );
    const byKey = new Map(result.items.map((item) => [item.key, item]));
    const first = byKey.get('k0')!;
    if (!first.ok) throw first.error;
    expect(first.value.iccid).toBe(bench.simulator.state.fleet.card(0).iccid);
    expect(first.value.imei).toBe(bench.simulator.state.fleet.card(0).imei);
    expect(first.value.status?.raw).toBe(bench.simulator.state.status(0));
    const ghost = byKey.get('ghost')!;
    expect(ghost.ok).toBe(false);
    if (!ghost.ok) expect(ghost.error.code).toBe('supplier_card_unknown');
    const status = await bench.adapter.doGetStatus({
      cards: [{ key: 'm', msisdn: '14640000000001' }],
    });
    const missing = status.items[0]!;
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.code).toBe('invalid_argument');
  });

  it('declares the Unicom billing cycle and reads this cycle’s usage from card details', async () => {
    const bench = unicomGwBench();
    expect(bench.adapter.limits.billingCycleStartDay).toBe(27);
    const cards = refs(bench, 3);
    const result = await bench.adapter.doGetMonthlyUsage({ month: '2024-11', cards });
    expect(bench.simulator.calls.count('wsGetTerminalDetails')).toBe(1);
    expect(bench.simulator.calls.count('wsGetTerminalUsage')).toBe(0);
    for (const [offset, item] of result.items.entries()) {
      if (!item.ok) throw item.error;
      const kb = bench.simulator.state.cycleKb(offset, '2024-11');
      expect(item.value.bytes).toBe(mbToBytes((kb / 1024).toFixed(3)));
    }
  });

  it('counts a card’s usage on the 28th in the new cycle', async () => {
    const bench = unicomGwBench({ start: cst(2024, 11, 28, 18) });
    const card = bench.simulator.state.fleet.card(0);
    expect(bench.simulator.state.status(0)).toBe('2');
    const current = await bench.adapter.doGetMonthlyUsage({
      month: '2024-12',
      cards: [{ key: 'a', iccid: card.iccid }],
    });
    const item = current.items[0]!;
    if (!item.ok) throw item.error;
    // The 2024-12 cycle so far: the 27th and the 28th of November.
    const kb = Math.min(
      dailyKb(card.iccid, '2024-11-27') + dailyKb(card.iccid, '2024-11-28'),
      bench.simulator.state.ratePlan(0).limitMb * 1024,
    );
    expect(item.value.bytes).toBe(mbToBytes((kb / 1024).toFixed(3)));
    // The cycle that closed on the 26th is read per card with wsGetTerminalUsage.
    const closed = await bench.adapter.doGetMonthlyUsage({
      month: '2024-11',
      cards: [{ key: 'a', iccid: card.iccid }],
    });
    const closedItem = closed.items[0]!;
    if (!closedItem.ok) throw closedItem.error;
    let closedKb = 0;
    for (let date = '2024-10-27'; date <= '2024-11-26'; date = addDays(date, 1)) {
      closedKb += dailyKb(card.iccid, date);
    }
    closedKb = Math.min(closedKb, bench.simulator.state.ratePlan(0).limitMb * 1024);
    expect(closedItem.value.bytes).toBe(mbToBytes((closedKb / 1024).toFixed(3)));
    expect(bench.simulator.calls.count('wsGetTerminalUsage')).toBe(1);
  });

  it('answers 1074 for a billing month out of range, per card, and refuses a future month', async () => {
    const bench = unicomGwBench();
    const result = await bench.adapter.doGetMonthlyUsage({
      month: '2023-01',
      cards: refs(bench, 1),
    });
    const item = result.items[0]!;
    expect(item.ok).toBe(false);
    if (!item.ok) {
      expect(item.error.code).toBe('invalid_argument');
      expect(item.error.supplierCode).toBe('1074');
    }
    await expect(
      bench.adapter.doGetMonthlyUsage({ month: '2025-03', cards: refs(bench, 1) }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('pauses and resumes asynchronously, following the cards until the change lands', async () => {
    const bench = unicomGwBench();
    const cards = cardsWithStatus(bench.simulator, '2', 3);
    const startedAt = bench.clock.now();
    const paused = await bench.adapter.doChangeStatus({ action: 'pause', cards });
    for (const item of paused.items) {
      if (!item.ok) throw item.error;
      expect(item.value).toEqual({ status: 'suspended', raw: '3' });
    }
    // Three edits, then reads until the simulator's 20 s settle delay had passed.
    expect(bench.simulator.calls.count('wsEditTerminal')).toBe(3);
    expect(bench.simulator.calls.count('wsGetTerminalDetails')).toBeGreaterThan(1);
    expect(bench.clock.now() - startedAt).toBeGreaterThanOrEqual(20_000);
    const resumed = await bench.adapter.doChangeStatus({ action: 'resume', cards });
    expect(resumed.items.every((item) => item.ok && item.value.status === 'active')).toBe(true);
  });

  it('fails a refused change per card (conflict), and one that never lands as retryable', async () => {
    const bench = unicomGwBench({ adapter: { settleTimeoutMs: 5_000 } });
    const [stock] = cardsWithStatus(bench.simulator, '7', 1);
    const [suspended] = cardsWithStatus(bench.simulator, '3', 1);
    const [active] = cardsWithStatus(bench.simulator, '2', 1);
    const result = await bench.adapter.doChangeStatus({
      action: 'pause',
      cards: [stock!, suspended!, active!],
    });
    const byKey = new Map(result.items.map((item) => [item.key, item]));
    const refused = byKey.get(stock!.key)!;
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('conflict');
      expect(refused.error.supplierCode).toBe('1020');
    }
    // Pausing a card that is already paused is refused by the gateway but is no failure.
    expect(byKey.get(suspended!.key)).toMatchObject({ ok: true, value: { status: 'suspended' } });
    const late = byKey.get(active!.key)!;
    expect(late.ok).toBe(false);
    if (!late.ok) {
      expect(late.error.code).toBe('supplier_timeout');
      expect(late.error.retryable).toBe(true);
    }
    // A second change while the first is still pending is refused by the gateway.
    const again = await bench.adapter.doChangeStatus({ action: 'pause', cards: [active!] });
    const item = again.items[0]!;
    expect(!item.ok && item.error.code).toBe('conflict');
    await expect(
      bench.adapter.doChangeStatus({ action: 'reset', cards: [active!] }),
    ).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('retries a throttled edit with backoff instead of failing the batch', async () => {
    const bench = unicomGwBench({ simulator: { rateLimit: 1 } });
    const cards = cardsWithStatus(bench.simulator, '2', 3);
    const result = await bench.adapter.doChangeStatus({ action: 'pause', cards });
    expect(result.items.map((item) => item.ok)).toEqual([true, true, true]);
    expect(cards.every((card) => bench.simulator.state.status(card.index) === '3')).toBe(true);
  });

  it('sets, reads back and cancels the carrier-side cap with changeType 7', async () => {
    const bench = unicomGwBench();
    const [card] = cardsWithStatus(bench.simulator, '2', 1);
    const plan = bench.simulator.state.ratePlan(card!.index);
    const cancelled = await bench.adapter.doSetDataCap({ cards: [card!], capBytes: null });
    expect(cancelled.items[0]?.ok).toBe(true);
    expect(bench.simulator.state.override(card!.index)).toBe('PERMANENT_OVERRIDE');
    const none = (await bench.adapter.doGetDataCap({ cards: [card!] })).items[0]!;
    if (!none.ok) throw none.error;
    expect(none.value.capBytes).toBeNull();
    expect(none.value.details).toMatchObject({ overageLimitOverride: 'PERMANENT_OVERRIDE' });

    const wrong = await bench.adapter.doSetDataCap({ cards: [card!], capBytes: 7 * BYTES_PER_MB });
    const refused = wrong.items[0]!;
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('invalid_argument');
    expect(bench.simulator.state.override(card!.index)).toBe('PERMANENT_OVERRIDE');

    const set = await bench.adapter.doSetDataCap({
      cards: [card!],
      capBytes: plan.limitMb * BYTES_PER_MB,
    });
    expect(set.items[0]?.ok).toBe(true);
    const read = (await bench.adapter.doGetDataCap({ cards: [card!] })).items[0]!;
    if (!read.ok) throw read.error;
    expect(read.value.capBytes).toBe(plan.limitMb * BYTES_PER_MB);
    expect(typeof read.value.reached).toBe('boolean');
  });

  it('stops a capped card’s usage at its plan limit, and lets it run on under an override', async () => {
    const bench = unicomGwBench({ simulator: { size: 2000 } });
    const state = bench.simulator.state;
    let index = 0;
    while (index < 2000 && !state.limitReached(index, '2024-11')) index += 1;
    expect(index).toBeLessThan(2000);
    const card = { key: 'capped', iccid: state.fleet.card(index).iccid };
    const limitBytes = state.ratePlan(index).limitMb * BYTES_PER_MB;
    const capped = (await bench.adapter.doGetMonthlyUsage({ month: '2024-11', cards: [card] }))
      .items[0]!;
    expect(capped).toMatchObject({ ok: true, value: { bytes: limitBytes } });
    const cap = (await bench.adapter.doGetDataCap({ cards: [card] })).items[0]!;
    expect(cap).toMatchObject({ ok: true, value: { capBytes: limitBytes, reached: true } });
    await bench.adapter.doSetDataCap({ cards: [card], capBytes: null });
    const freed = (await bench.adapter.doGetMonthlyUsage({ month: '2024-11', cards: [card] }))
      .items[0]!;
    if (!freed.ok) throw freed.error;
    expect(freed.value.bytes).toBeGreaterThan(limitBytes);
  });

  it('lists the fleet and the cards changed since a time from wsGetModifiedTerminals', async () => {
    const bench = unicomGwBench({ simulator: { size: 120 } });
    const listed: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await bench.adapter.doListCards(cursor === undefined ? {} : { cursor });
      listed.push(...page.cards.map((card) => card.iccid!));
      cursor = page.nextCursor;
    } while (cursor);
    expect(listed).toHaveLength(120);
    expect(new Set(listed).size).toBe(120);

    const since = bench.clock.now();
    const nothing = await bench.adapter.doListChangedCards({ since });
    expect(nothing.cards).toEqual([]);
    const [card] = cardsWithStatus(bench.simulator, '2', 1);
    await bench.adapter.doChangeStatus({ action: 'pause', cards: [card!] });
    const changed = await bench.adapter.doListChangedCards({ since });
    expect(changed.cards.map((entry) => entry.iccid)).toEqual([card!.iccid]);
    expect(changed.nextCursor).toBeUndefined();
    // `since` travels with whole seconds (floored): a change in the same second is listed again.
    const later = await bench.adapter.doListChangedCards({ since: bench.clock.now() + 1_000 });
    expect(later.cards).toEqual([]);
  });

  it('reads sessions and the audit trail of a card, newest first', async () => {
    const bench = unicomGwBench();
    const [card] = cardsWithStatus(bench.simulator, '2', 1);
    const session = (await bench.adapter.doGetSession({ cards: [card!] })).items[0]!;
    if (!session.ok) throw session.error;
    expect(session.value.ip).toMatch(/^10\./);
    expect(typeof session.value.online).toBe('boolean');
    expect(session.value.startedAt).toBeLessThanOrEqual(bench.clock.now());

    await bench.adapter.doChangeStatus({ action: 'pause', cards: [card!] });
    await bench.adapter.doChangeStatus({ action: 'resume', cards: [card!] });
    const history = (await bench.adapter.doGetCardHistory({ cards: [card!] })).items[0]!;
    if (!history.ok) throw history.error;
    expect(history.value.map((event) => event.status?.status)).toEqual(['active', 'suspended']);
    expect(history.value[0]!.at).toBeGreaterThan(history.value[1]!.at!);
    const unknown = (
      await bench.adapter.doGetCardHistory({ cards: [{ key: 'x', iccid: '89860124999999999999' }] })
    ).items[0]!;
    expect(!unknown.ok && unknown.error.code).toBe('supplier_card_unknown');
  });
});

describe('unicom-gw simulator strictness', () => {
  const post = async (
    bench: ReturnType<typeof unicomGwBench>,
    operation: string,
    envelope: Record<string, unknown>,
  ) => {
    const response = await bench.simulator.app.request(
      `${BASE_URL}/api/${operation}/V1/1Main/vV1.1`,
      {
        method: 'POST',
        body: JSON.stringify(envelope),
        headers: { 'content-type': 'application/json' },
      },
    );
    return {
      http: response.status,
      body: (await response.json()) as { status: string; data?: Record<string, unknown> },
    };
  };
  const signed = (
    bench: ReturnType<typeof unicomGwBench>,
    data: Record<string, unknown>,
    change = {},
  ) => {
    const timestamp = unicomGwTimestamp(bench.clock.now());
    const transId = `${timestamp.replace(/\D/g, '')}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
    return {
      app_id: APP_ID,
      timestamp,
      trans_id: transId,
      token: unicomGwToken({ appId: APP_ID, timestamp, transId, appSecret: APP_SECRET }),
      data: { messageId: '1', openId: OPEN_ID, version: '1.0', ...data },
      ...change,
    };
  };

  it('refuses a bad token, a foreign openId, a stale timestamp and a reused trans_id', async () => {
    const bench = unicomGwBench();
    const iccids = [bench.simulator.state.fleet.card(0).iccid];
    const good = signed(bench, { iccids });
    expect((await post(bench, 'wsGetTerminalDetails', good)).body.status).toBe('0000');
    expect((await post(bench, 'wsGetTerminalDetails', good)).body.status).toBe('1004');
    expect(
      (
        await post(
          bench,
          'wsGetTerminalDetails',
          signed(bench, { iccids }, { token: 'f'.repeat(64) }),
        )
      ).body.status,
    ).toBe('1001');
    expect(
      (await post(bench, 'wsGetTerminalDetails', signed(bench, { iccids, openId: 'other' }))).body
        .status,
    ).toBe('1006');
    const stale = unicomGwTimestamp(START - 3_600_000);
    const transId = `${stale.replace(/\D/g, '')}000001`;
    const old = {
      ...signed(bench, { iccids }),
      timestamp: stale,
      trans_id: transId,
      token: unicomGwToken({ appId: APP_ID, timestamp: stale, transId, appSecret: APP_SECRET }),
    };
    expect((await post(bench, 'wsGetTerminalDetails', old)).body.status).toBe('1003');
    // The dotted millisecond form one port sends is accepted too.
    const dotted = unicomGwTimestamp(bench.clock.now()).replace(/ (\d{3})$/, '.$1');
    const dottedId = `${dotted.replace(/\D/g, '')}000002`;
    const alt = {
      ...signed(bench, { iccids }),
      timestamp: dotted,
      trans_id: dottedId,
      token: unicomGwToken({
        appId: APP_ID,
        timestamp: dotted,
        transId: dottedId,
        appSecret: APP_SECRET,
      }),
    };
    expect((await post(bench, 'wsGetTerminalDetails', alt)).body.status).toBe('0000');
  });

  it('enforces the 50-ICCID limit, and the client refuses 51 before calling', async () => {
    const bench = unicomGwBench();
    const iccids = Array.from(
      { length: 51 },
      (_, index) => bench.simulator.state.fleet.card(index).iccid,
    );
    const answer = await post(bench, 'wsGetTerminalDetails', signed(bench, { iccids }));
    expect(answer.body.data).toMatchObject({
      resultCode: '1011',
      resultMsg: '批量查询仅支持50位号码',
    });
    const calls = bench.simulator.calls.total;
    await expect(bench.adapter.client.getTerminalDetails(iccids)).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect(bench.simulator.calls.total).toBe(calls);
  });

  it('fails on a wrong secret with a non-retryable supplier_auth_failed', async () => {
    const bench = unicomGwBench({ adapter: { appSecret: 'nope' } });
    await expect(bench.adapter.doGetStatus({ cards: refs(bench, 1) })).rejects.toMatchObject({
      code: 'supplier_auth_failed',
      retryable: false,
      supplierCode: '1001',
    });
  });
});

describe('unicom-gw throttling (HTTP 429)', () => {
  it('turns 429 into a retryable supplier_throttled that the retry machinery rides out', async () => {
    const bench = unicomGwBench({ simulator: { rateLimit: 2 } });
    const cards = refs(bench, 1);
    await bench.adapter.doGetStatus({ cards });
    await bench.adapter.doGetStatus({ cards });
    const error = await bench.adapter.doGetStatus({ cards }).catch((caught: unknown) => caught);
    expect(SupplierError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'supplier_throttled', retryable: true, httpStatus: 429 });
    const retried: number[] = [];
    const result = await withRetry(() => bench.adapter.doGetStatus({ cards }), {
      clock: bench.clock,
      onRetry: ({ delayMs }) => retried.push(delayMs),
    });
    expect(result.items[0]?.ok).toBe(true);
    expect(retried.length).toBeGreaterThanOrEqual(1);
  });

  it('stays under the gateway’s limit with the account’s token bucket', async () => {
    const bench = unicomGwBench({ simulator: { rateLimit: 5 }, adapter: { rateLimit: 5 } });
    const cards = refs(bench, 1);
    for (let call = 0; call < 12; call += 1) {
      const result = await bench.adapter.doGetStatus({ cards });
      expect(result.items[0]?.ok).toBe(true);
    }
  });

  it('defaults to 5 calls a second when the account sets no rate limit', async () => {
    const bench = unicomGwBench({ simulator: { rateLimit: 5 }, adapter: { rateLimit: undefined } });
    const cards = refs(bench, 1);
    const startedAt = bench.clock.now();
    for (let call = 0; call < 11; call += 1) await bench.adapter.doGetStatus({ cards });
    expect(bench.clock.now() - startedAt).toBeGreaterThanOrEqual(1_000);
  });
});
