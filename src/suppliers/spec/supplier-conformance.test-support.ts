import { describe, expect, it } from 'vitest';
import { CARD_STATUSES, type CardIdentities } from '../../domain/index.js';
import type { FaultInjector } from './simulator-kit.js';
import { SupplierError } from './supplier-error.js';
import {
  CAPABILITIES,
  type CardRef,
  OPERATION_OF,
  type SupplierAdapterV1,
} from './supplier-spec.js';

/** What a supplier's test hands the shared conformance suite. */
export interface ConformanceSetup {
  /** An adapter wired to the supplier's simulator. */
  adapter: SupplierAdapterV1;
  /** The same simulator, but credentials the simulator must refuse. */
  badCredentialsAdapter: SupplierAdapterV1;
  /** Cards the simulator holds, with every identifier it knows (at least batch size + 1). */
  knownCards: CardIdentities[];
  /** A well-formed card the simulator does not hold. */
  unknownCard: Omit<CardRef, 'key'>;
  /** The simulator's fault injector. */
  faults: FaultInjector;
  /** A CST date within the supplier's daily-usage window. */
  usageDate?: string;
  /** A CST month the supplier answers monthly usage for. */
  usageMonth?: string;
}

const refOf = (card: CardIdentities, key: string, field: 'iccid' | 'msisdn' | 'imsi'): CardRef => ({
  key,
  [field]: card[field],
});

/**
 * The contract every supplier adapter must honour, run against its simulator. A supplier's
 * test is one call: `describeSupplierConformance('quectel', async () => setup)`.
 */
export function describeSupplierConformance(
  name: string,
  makeSetup: () => ConformanceSetup | Promise<ConformanceSetup>,
): void {
  describe(`supplier conformance: ${name}`, () => {
    const setup = async () => {
      const value = await makeSetup();
      value.faults.set({});
      return value;
    };

    it('declares version v1 and implements exactly the capabilities it declares', async () => {
      const { adapter } = await setup();
      expect(adapter.specificationVersion).toBe('v1');
      expect(adapter.accountId).toBeTruthy();
      for (const capability of CAPABILITIES) {
        const implemented = typeof adapter[OPERATION_OF[capability]] === 'function';
        expect(`${capability}: ${implemented}`).toBe(
          `${capability}: ${adapter.capabilities.has(capability)}`,
        );
      }
      for (const capability of adapter.capabilities) {
        if (capability === 'inventory') continue;
        expect(adapter.limits.batchSize[capability], capability).toBeGreaterThanOrEqual(1);
      }
    });

    it('resolves identities of known cards by each identifier it accepts, keys echoed', async () => {
      const { adapter, knownCards } = await setup();
      if (!adapter.doGetIdentities) return;
      const card = knownCards[0]!;
      for (const field of ['iccid', 'msisdn', 'imsi'] as const) {
        if (!card[field]) continue;
        const result = await adapter.doGetIdentities({ cards: [refOf(card, `k-${field}`, field)] });
        expect(result.items).toHaveLength(1);
        const item = result.items[0]!;
        expect(item.key).toBe(`k-${field}`);
        if (!item.ok) throw item.error;
        expect(item.value[field]).toBe(card[field]);
        for (const other of ['iccid', 'msisdn', 'imsi'] as const) {
          if (item.value[other] !== null) expect(item.value[other]).toBe(card[other]);
        }
        expect(Array.isArray(result.warnings)).toBe(true);
        expect(result.response.bodies.length).toBeGreaterThanOrEqual(1);
      }
    });

    it('reports an unknown card per item, without failing the batch', async () => {
      const { adapter, knownCards, unknownCard } = await setup();
      if (!adapter.doGetIdentities) return;
      const cards = [
        { key: 'known', iccid: knownCards[0]!.iccid },
        { key: 'unknown', ...unknownCard },
      ];
      const result = await adapter.doGetIdentities({ cards });
      const byKey = new Map(result.items.map((item) => [item.key, item]));
      expect(byKey.get('known')?.ok).toBe(true);
      const missing = byKey.get('unknown');
      expect(missing?.ok).toBe(false);
      if (missing && !missing.ok) {
        expect(SupplierError.isInstance(missing.error)).toBe(true);
        expect(missing.error.code).toBe('supplier_card_unknown');
        expect(missing.error.retryable).toBe(false);
      }
    });

    it('chunks a request larger than its batch size and answers every card', async () => {
      const { adapter, knownCards } = await setup();
      const capability = adapter.doGetIdentities ? 'identities' : 'status';
      const operation = (adapter.doGetIdentities ?? adapter.doGetStatus) as
        | ((options: { cards: CardRef[] }) => Promise<{ items: { key: string; ok: boolean }[] }>)
        | undefined;
      if (!operation) return;
      const size = adapter.limits.batchSize[capability] ?? 1;
      const count = Math.min(knownCards.length, size + 1);
      const cards = knownCards
        .slice(0, count)
        .map((card, index) => ({ key: `c${index}`, iccid: card.iccid, msisdn: card.msisdn }));
      const result = await operation.call(adapter, { cards });
      expect(result.items.map((item) => item.key).sort()).toEqual(
        cards.map((card) => card.key).sort(),
      );
      expect(result.items.every((item) => item.ok)).toBe(true);
    });

    it('reads statuses as the normalized enum with the raw value kept', async () => {
      const { adapter, knownCards } = await setup();
      if (!adapter.doGetStatus) return;
      const result = await adapter.doGetStatus({
        cards: knownCards.slice(0, 3).map((card, index) => ({ key: `s${index}`, ...card })),
      });
      expect(result.items).toHaveLength(3);
      for (const item of result.items) {
        if (!item.ok) throw item.error;
        expect(CARD_STATUSES).toContain(item.value.status);
        expect(typeof item.value.raw).toBe('string');
      }
    });

    it('reads daily usage as whole bytes (or null when unknown)', async () => {
      const { adapter, knownCards, usageDate } = await setup();
      if (!adapter.doGetDailyUsage) return;
      const result = await adapter.doGetDailyUsage({
        date: usageDate!,
        cards: knownCards.slice(0, 3).map((card, index) => ({ key: `d${index}`, ...card })),
      });
      expect(result.items).toHaveLength(3);
      for (const item of result.items) {
        if (!item.ok) throw item.error;
        if (item.value.bytes !== null) {
          expect(Number.isInteger(item.value.bytes)).toBe(true);
          expect(item.value.bytes).toBeGreaterThanOrEqual(0);
        }
      }
    });

    it('reads monthly usage as whole bytes (or null when unknown)', async () => {
      const { adapter, knownCards, usageMonth } = await setup();
      if (!adapter.doGetMonthlyUsage) return;
      const result = await adapter.doGetMonthlyUsage({
        month: usageMonth!,
        cards: knownCards.slice(0, 3).map((card, index) => ({ key: `m${index}`, ...card })),
      });
      expect(result.items).toHaveLength(3);
      for (const item of result.items) {
        if (!item.ok) throw item.error;
        if (item.value.bytes !== null) expect(Number.isInteger(item.value.bytes)).toBe(true);
      }
    });

    it('lists the fleet page by page without repeating a card', async () => {
      const { adapter } = await setup();
      if (!adapter.doListCards) return;
      const seen = new Set<string>();
      let cursor: string | undefined;
      for (let page = 0; page < 3; page += 1) {
        const result = await adapter.doListCards({ cursor });
        for (const card of result.cards) {
          const id = card.iccid ?? card.msisdn ?? '';
          expect(seen.has(id)).toBe(false);
          seen.add(id);
        }
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      expect(seen.size).toBeGreaterThan(0);
    });

    it('fails with a non-retryable supplier_auth_failed on bad credentials', async () => {
      const { badCredentialsAdapter, knownCards } = await setup();
      const cards = [{ key: 'a', ...knownCards[0]! }];
      const call = badCredentialsAdapter.doGetIdentities
        ? badCredentialsAdapter.doGetIdentities({ cards })
        : badCredentialsAdapter.doGetStatus!({ cards });
      const error = await call.then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(SupplierError.isInstance(error)).toBe(true);
      expect((error as SupplierError).code).toBe('supplier_auth_failed');
      expect((error as SupplierError).retryable).toBe(false);
    });

    it.each([
      ['throttleRate', 'supplier_throttled'],
      ['serverErrorRate', 'supplier_unavailable'],
      ['malformedRate', 'supplier_bad_response'],
    ] as const)('turns injected %s into a retryable %s', async (knob, code) => {
      const { adapter, knownCards, faults } = await setup();
      faults.set({ [knob]: 1 });
      try {
        const cards = [{ key: 'a', ...knownCards[0]! }];
        const call = adapter.doGetIdentities
          ? adapter.doGetIdentities({ cards })
          : adapter.doGetStatus!({ cards });
        const error = await call.then(
          () => null,
          (caught: unknown) => caught,
        );
        expect(SupplierError.isInstance(error), String(error)).toBe(true);
        expect((error as SupplierError).code).toBe(code);
        expect((error as SupplierError).retryable).toBe(true);
      } finally {
        faults.set({});
      }
    });

    it('honours an aborted signal', async () => {
      const { adapter, knownCards } = await setup();
      const controller = new AbortController();
      controller.abort(new Error('stopped by the caller'));
      const cards = [{ key: 'a', ...knownCards[0]! }];
      const options = { cards, abortSignal: controller.signal };
      const call = adapter.doGetIdentities
        ? adapter.doGetIdentities(options)
        : adapter.doGetStatus!(options);
      await expect(call).rejects.toThrow();
    });
  });
}
