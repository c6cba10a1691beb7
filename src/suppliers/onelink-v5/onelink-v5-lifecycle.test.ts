import { describe, expect, it } from 'vitest';
import { SupplierError } from '../spec/index.js';
import { onelinkV5Bench } from './onelink-v5.test-support.js';

/** Cards the simulator holds as active (`00`), by index. */
function activeCards(bench: ReturnType<typeof onelinkV5Bench>, count: number) {
  const cards = [];
  for (let index = 0; cards.length < count; index += 1) {
    if (bench.simulator.state.status(index) !== '00') continue;
    const card = bench.simulator.state.fleet.card(index);
    cards.push({ key: `card-${index}`, msisdn: card.msisdn, iccid: card.iccid, index });
  }
  return cards;
}

describe('onelink-v5 lifecycle', () => {
  it('pauses 250 cards in 3 batch calls; every card ends suspended or failed with the reason', async () => {
    const bench = onelinkV5Bench({
      simulator: { size: 2000, faults: { partialFailureRate: 0.02 } },
    });
    const cards = activeCards(bench, 250);
    const startedAt = bench.clock.now();
    const result = await bench.adapter.doChangeStatus({ action: 'pause', cards });

    expect(bench.simulator.calls.count('change/sim-status/batch')).toBe(3);
    const submitted = bench.simulator.calls.entries
      .filter((entry) => entry.path === 'change/sim-status/batch')
      .map((entry) => entry.params.msisdns!.split('_').length);
    expect(submitted).toEqual([100, 100, 50]);
    expect(result.items.map((item) => item.key).sort()).toEqual(
      cards.map((card) => card.key).sort(),
    );

    const failed = result.items.filter((item) => !item.ok);
    expect(failed.length).toBeGreaterThan(0); // the injected partial failures
    for (const item of result.items) {
      if (item.ok) expect(item.value).toEqual({ status: 'suspended', raw: '02' });
      else {
        expect(item.error.supplierCode).toBe('99');
        expect(item.error.supplierMessage).toBe('系统错误');
      }
    }
    for (const card of cards) {
      const ok = result.items.find((item) => item.key === card.key)!.ok;
      expect(bench.simulator.state.status(card.index)).toBe(ok ? '02' : '00');
    }
    // Followed on the clock until the simulator's 30 s settle delay had passed.
    expect(bench.clock.now() - startedAt).toBeGreaterThanOrEqual(30_000);
    expect(bench.simulator.calls.count('query/sim-batch-result')).toBeGreaterThanOrEqual(3);
  });

  it('keeps polling an unsettled job on the clock, without real sleeping', async () => {
    const bench = onelinkV5Bench({
      autoAdvance: false,
      simulator: { settleDelayMs: 60_000 },
      adapter: { pollIntervalMs: 10_000 },
    });
    const [card] = activeCards(bench, 1);
    let done = false;
    const pending = bench.adapter
      .doChangeStatus({ action: 'pause', cards: [card!] })
      .then((result) => {
        done = true;
        return result;
      });
    for (let step = 0; step < 5; step += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      bench.clock.advance(10_000);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    expect(bench.simulator.state.status(card!.index)).toBe('00');
    for (let step = 0; step < 3 && !done; step += 1) {
      bench.clock.advance(10_000);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await pending;
    expect(result.items[0]).toMatchObject({ ok: true, value: { status: 'suspended', raw: '02' } });
    const statuses = result.response.bodies
      .map((body) => (body as { result: { jobStatus?: string }[] }).result[0]?.jobStatus)
      .filter(Boolean);
    expect(statuses.at(-1)).toBe('2');
    expect(statuses.slice(0, -1).every((status) => status === '0' || status === '1')).toBe(true);
  });

  it('makes a card wait out its cooldown instead of failing (no 12089 from the supplier)', async () => {
    const bench = onelinkV5Bench({ adapter: { cooldownMinutes: 3 } });
    const cards = activeCards(bench, 3);
    const pause = await bench.adapter.doChangeStatus({ action: 'pause', cards });
    expect(pause.items.every((item) => item.ok)).toBe(true);
    const pausedAt = bench.simulator.calls.entries.find(
      (entry) => entry.path === 'change/sim-status/batch',
    )!.at;

    const resume = await bench.adapter.doChangeStatus({ action: 'resume', cards });
    expect(resume.items.every((item) => item.ok)).toBe(true);
    const submissions = bench.simulator.calls.entries.filter(
      (entry) => entry.path === 'change/sim-status/batch',
    );
    expect(submissions).toHaveLength(2);
    expect(submissions[1]!.at - pausedAt).toBeGreaterThanOrEqual(3 * 60_000);
    for (const card of cards) expect(bench.simulator.state.status(card.index)).toBe('00');
  });

  it('submits cards that are free first and lets the locked ones wait their turn', async () => {
    const bench = onelinkV5Bench();
    const [locked, free] = activeCards(bench, 2);
    await bench.adapter.doChangeStatus({ action: 'pause', cards: [locked!] });
    const result = await bench.adapter.doChangeStatus({ action: 'pause', cards: [locked!, free!] });
    const submissions = bench.simulator.calls.entries.filter(
      (entry) => entry.path === 'change/sim-status/batch',
    );
    // One batch holding both: the client waited for the locked card rather than be refused.
    expect(submissions.map((entry) => entry.params.msisdns)).toEqual([
      locked!.msisdn,
      `${free!.msisdn}_${locked!.msisdn}`,
    ]);
    const byKey = new Map(result.items.map((item) => [item.key, item]));
    expect(byKey.get(free!.key)).toMatchObject({ ok: true });
    // Pausing an already paused card is the supplier's refusal, kept per card.
    const again = byKey.get(locked!.key)!;
    expect(again.ok).toBe(false);
    if (!again.ok) {
      expect(again.error.code).toBe('conflict');
      expect(again.error.supplierCode).toBe('12089');
    }
  });

  it('reports the supplier reason when a resume is not allowed (12098)', async () => {
    const bench = onelinkV5Bench();
    let index = 0;
    while (!bench.simulator.state.stoppedBySupplier(index)) index += 1;
    const card = bench.simulator.state.fleet.card(index);
    const result = await bench.adapter.doChangeStatus({
      action: 'resume',
      cards: [{ key: 'stopped', msisdn: card.msisdn }],
    });
    const item = result.items[0]!;
    expect(item.ok).toBe(false);
    if (!item.ok) {
      expect(SupplierError.isInstance(item.error)).toBe(true);
      expect(item.error.supplierCode).toBe('12098');
      expect(item.error.supplierMessage).toBe('停机原因不允许自主复机');
    }
  });

  it('refuses actions v5 does not offer with the typed unsupported error', async () => {
    const bench = onelinkV5Bench();
    await expect(
      bench.adapter.doChangeStatus({
        action: 'reset',
        cards: [{ key: 'a', msisdn: '1440000000001' }],
      }),
    ).rejects.toMatchObject({ code: 'unsupported' });
    expect(bench.simulator.calls.count()).toBe(0);
  });
  it('reads a paused card back in its own code set: a numeric-set card lands in "4", not "02"', async () => {
    // An account whose cards report the numeric set (2 已激活, 4 停机; PROTOCOL-NOTES.md).
    const numeric: Record<string, string> = { '00': '2', '02': '4' };
    let bench: ReturnType<typeof onelinkV5Bench>;
    bench = onelinkV5Bench({
      adapter: {
        fetch: async (input, init) => {
          const response = await bench.simulator.fetch(input, init);
          if (!String(input).includes('query/sim-status')) return response;
          const text = (await response.text()).replace(
            /"cardStatus":"(\d\d)"/g,
            (_, code: string) => `"cardStatus":"${numeric[code] ?? code}"`,
          );
          return new Response(text, { status: response.status, headers: response.headers });
        },
      },
    });
    const [card] = activeCards(bench, 1);
    const result = await bench.adapter.doChangeStatus({ action: 'pause', cards: [card!] });
    expect(result.items).toEqual([
      { key: card!.key, ok: true, value: { status: 'suspended', raw: '4' } },
    ]);
  });
});
