import { afterEach, describe, expect, it } from 'vitest';
import { SimdockError } from '../../domain/index.js';
import { BulkJobsRepository } from '../../store/repositories/bulk-repository.js';
import { createBulkJob } from '../bulk/bulk-jobs.js';
import { runBulkJob } from '../bulk/bulk-runner.js';
import { carrierFixture } from './carrier.test-support.js';
import { changeCarrierCap } from './carrier-caps.js';
import {
  cardExtrasOffered,
  diagnoseCard,
  readCardHistory,
  readCarrierCap,
  readSession,
} from './carrier-extras.js';

const MB = 1024 * 1024;

describe('carrier-side data caps (达量断网)', () => {
  let fixture: Awaited<ReturnType<typeof carrierFixture>> | undefined;
  afterEach(async () => fixture?.close());

  it('sets, changes, reads back and cancels one card’s cap, each an audited one-card job', async () => {
    fixture = await carrierFixture();
    const { context, store, carrierCards } = fixture;
    const card = carrierCards[0]!;
    const carrier = await fixture.carrier();

    const set = await changeCarrierCap(context, card, 500 * MB, 'key:test');
    expect(set.item.state).toBe('done');
    expect(set.job).toMatchObject({
      action: 'data-cap-set',
      done: 1,
      params: { capBytes: 500 * MB },
    });
    expect(set.cap).toMatchObject({ capBytes: 500 * MB, reached: false });
    expect(carrier.caps.get(card.iccid!)).toBe(500 * MB);

    const changed = await changeCarrierCap(context, card, 2048 * MB, 'key:test');
    expect(changed.cap?.capBytes).toBe(2048 * MB);
    carrier.used.set(card.iccid!, 3000 * MB);
    expect(await readCarrierCap(context, card)).toMatchObject({
      capBytes: 2048 * MB,
      reached: true,
    });

    const cancelled = await changeCarrierCap(context, card, null, 'key:test');
    expect(cancelled.job.action).toBe('data-cap-cancel');
    expect(cancelled.cap).toMatchObject({ capBytes: null });
    expect(carrier.caps.has(card.iccid!)).toBe(false);
    expect(carrier.calls.filter((call) => call.operation === 'doSetDataCap')).toEqual([
      { operation: 'doSetDataCap', iccids: [card.iccid], capBytes: 500 * MB },
      { operation: 'doSetDataCap', iccids: [card.iccid], capBytes: 2048 * MB },
      { operation: 'doSetDataCap', iccids: [card.iccid], capBytes: null },
    ]);

    const audit = await store.audit.list({ targetId: String(card.id), limit: 50 });
    const actions = audit.map((entry) => [entry.action, entry.actor, entry.outcome]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['cards.data-cap-set', 'key:test', 'succeeded'],
        ['cards.data-cap-cancel', 'key:test', 'succeeded'],
      ]),
    );
  });

  it('refuses clearly, before any job, for a supplier without caps', async () => {
    fixture = await carrierFixture();
    const { context, store, plainCards } = fixture;
    const card = plainCards[0]!;
    const refusal = await changeCarrierCap(context, card, MB, 'cli').catch((error) => error);
    expect(SimdockError.isInstance(refusal) && refusal.code).toBe('unsupported');
    expect(refusal.message).toBe(
      'account plain (test-plain) offers no carrier-side data caps (达量断网)',
    );
    expect(await new BulkJobsRepository(store).list({ limit: 10 })).toEqual([]);
    for (const read of [readCarrierCap, readSession, readCardHistory, diagnoseCard]) {
      await expect(read(context, card)).rejects.toMatchObject({ code: 'unsupported' });
    }
    expect(await cardExtrasOffered(context, 'plain')).toEqual([]);
    expect(await cardExtrasOffered(context, 'carrier')).toEqual([
      'carrierCap',
      'session',
      'history',
      'diagnosis',
    ]);
  });

  it('throws the supplier’s refusal of a card, keeping the job and its failed item', async () => {
    fixture = await carrierFixture();
    const { context, carrierCards } = fixture;
    const card = carrierCards[1]!;
    (await fixture.carrier()).refuse.add(card.iccid!);
    const refusal = await changeCarrierCap(context, card, MB, 'cli').catch((error) => error);
    expect(refusal).toMatchObject({
      code: 'supplier_rejected',
      details: { card: card.id, state: 'failed', supplierCode: '1001' },
    });
    const job = await new BulkJobsRepository(context.store).require(refusal.details.job);
    expect(job).toMatchObject({ state: 'failed', failed: 1 });
  });

  it('caps many cards as one bulk job: done on the carrier, skipped with the reason elsewhere', async () => {
    fixture = await carrierFixture({ cards: 4 });
    const { context, carrierCards, plainCards } = fixture;
    const carrier = await fixture.carrier();
    carrier.refuse.add(carrierCards[3]!.iccid!);
    await expect(
      createBulkJob(context, {
        action: 'data-cap-set',
        params: { capBytes: -1 },
        cards: { cardIds: [carrierCards[0]!.id] },
        actor: 'cli',
      }),
    ).rejects.toThrow(/capBytes/);
    const created = await createBulkJob(context, {
      action: 'data-cap-set',
      params: { capBytes: 100 * MB },
      cards: { cardIds: [...carrierCards, ...plainCards].map((card) => card.id) },
      actor: 'cli',
    });
    const summary = await runBulkJob(context, created.job.id);
    expect(summary.job).toMatchObject({ total: 8, done: 3, skipped: 4, failed: 1 });
    expect(summary.reasons).toEqual(
      expect.arrayContaining([
        {
          state: 'skipped',
          code: 'unsupported',
          message: 'account plain (test-plain) offers no carrier-side data caps (达量断网)',
          count: 4,
        },
      ]),
    );
    expect([...carrier.caps.values()]).toEqual([100 * MB, 100 * MB, 100 * MB]);
  });

  it('reads the session, history and diagnosis the supplier offers', async () => {
    fixture = await carrierFixture();
    const { context, carrierCards } = fixture;
    const card = carrierCards[0]!;
    expect(await readSession(context, card)).toMatchObject({ online: true, rat: 'LTE' });
    expect(await readCardHistory(context, card)).toEqual([
      expect.objectContaining({ kind: 'status', description: 'activated' }),
    ]);
    await expect(readCardHistory(context, card, { from: 2, to: 1 })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    expect((await diagnoseCard(context, card)).checks).toHaveLength(2);
  });
});
