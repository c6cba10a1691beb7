import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../domain/index.js';
import { AGENT_CODES, AGENT_RECORD_STATUS, AGENT_SIM_STATUS } from './agent-protocol.js';
import { createAgentSimulator } from './agent-simulator.js';

const START = Date.UTC(2025, 8, 18, 2, 0, 0); // 2025-09-18 10:00 CST

function setup(size = 1_000) {
  const clock = new ManualClock(START);
  const simulator = createAgentSimulator({
    appId: 'app001',
    secret: 'SECRETKEY123',
    size,
    devices: 0,
    clock,
    settleDelayMs: 30_000,
  });
  /** One signed form call, with the traceID given (signed here, apart from the client). */
  const call = async (path: string, form: Record<string, string>, traceId: string) => {
    const timestamp = String(Math.floor(clock.now() / 1000));
    const sign = createHash('md5')
      .update(`app0012.0.0${traceId}${timestamp}SECRETKEY123`)
      .digest('hex');
    const response = await simulator.fetch(`http://agent.test${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        appID: 'app001',
        apiVersion: '2.0.0',
        traceID: traceId,
        timestamp,
        sign,
      },
      body: new URLSearchParams(form).toString(),
    });
    return (await response.json()) as { code: number; data: Record<string, unknown> | null };
  };
  return { clock, simulator, call, paths: simulator.paths };
}

const trace = (index: number) => index.toString(16).padStart(32, '0');

describe('agent simulator at scale', () => {
  it('refuses a traceID reused after more than 10,000 others, and forgets it past the window', async () => {
    const { clock, call, paths } = setup();
    const assets = paths.queryAccountAssets;
    expect((await call(assets, {}, trace(0))).code).toBe(AGENT_CODES.success);
    for (let index = 1; index <= 10_001; index += 1) await call(assets, {}, trace(index));
    expect((await call(assets, {}, trace(0))).code).toBe(AGENT_CODES.traceIdReused);
    expect((await call(assets, {}, trace(10_001))).code).toBe(AGENT_CODES.traceIdReused);
    // Past twice the ±10 min window no timestamp can carry the old traceIDs: they are dropped
    // (the next call over the threshold prunes them), and only then may the value come again.
    clock.advance(21 * 60_000);
    expect((await call(assets, {}, trace(20_000))).code).toBe(AGENT_CODES.success);
    expect((await call(assets, {}, trace(0))).code).toBe(AGENT_CODES.success);
  }, 30_000);

  it('keeps a card in a pending stop out of a second batch, and settles records by batch', async () => {
    const { clock, simulator, call, paths } = setup();
    const active = Array.from({ length: 1_000 }, (_, index) => simulator.fleet.cards.card(index))
      .filter(
        (card) =>
          simulator.fleet.card({ iccid: card.iccid })?.simStatus === AGENT_SIM_STATUS.active,
      )
      .slice(0, 150);
    const first = await call(
      paths.batchStopCard,
      {
        iccids: active
          .slice(0, 100)
          .map((card) => card.iccid)
          .join(','),
      },
      trace(1),
    );
    const second = await call(
      paths.batchStopCard,
      {
        iccids: active
          .slice(50, 150)
          .map((card) => card.iccid)
          .join(','),
      },
      trace(2),
    );
    expect(first.data?.list).toHaveLength(100);
    expect(second.data?.list).toHaveLength(50);
    expect(second.data?.failList).toHaveLength(50);
    const records = (batchNo: unknown, traceId: number) =>
      call(
        paths.queryCardOperationRecords,
        { batchNo: String(batchNo), pageSize: '100' },
        trace(traceId),
      );
    const before = await records(first.data?.batchNo, 3);
    expect(before.data?.total).toBe(100);
    expect(
      (before.data!.list as { status: number }[]).every(
        (record) => record.status === AGENT_RECORD_STATUS.processing,
      ),
    ).toBe(true);
    clock.advance(30_000);
    const after = await records(second.data?.batchNo, 4);
    expect(after.data?.total).toBe(50);
    expect(
      (after.data!.list as { status: number }[]).every(
        (record) => record.status === AGENT_RECORD_STATUS.succeeded,
      ),
    ).toBe(true);
    const byCard = await call(
      paths.queryCardOperationRecords,
      { iccid: active[60]!.iccid },
      trace(5),
    );
    expect(byCard.data?.total).toBe(1);
    expect(simulator.fleet.card({ simNo: active[60]!.msisdn })?.simStatus).toBe(
      AGENT_SIM_STATUS.stopped,
    );
    expect((await records('B000', 6)).code).toBe(AGENT_CODES.batchNotFound);
  });
});
