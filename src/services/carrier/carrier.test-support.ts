import { z } from 'zod';
import { ManualClock } from '../../domain/index.js';
import { openStore, type Store } from '../../store/index.js';
import { createSupplierCatalog } from '../../suppliers/catalog.js';
import {
  type BatchResult,
  type CardHistoryOptions,
  type CardsOptions,
  type SetDataCapOptions,
  type SupplierAdapterV1,
  type SupplierCardEvent,
  type SupplierDataCap,
  type SupplierDefinition,
  type SupplierDiagnosis,
  SupplierError,
  type SupplierLimits,
  type SupplierSession,
} from '../../suppliers/spec/index.js';
import { createServiceContext, type ServiceContext, saveAccounts } from '../context.js';

/**
 * A test double of a carrier supplier that offers the extras (carrier-side data caps, session,
 * history, diagnosis) and bills from `billingCycleStartDay`: what China Unicom and China Telecom
 * adapters implement. The wire protocols are tested with their suppliers; this double keeps the
 * caps per ICCID, answers per card, and refuses the ICCIDs in `refuse` as a supplier would.
 */
export class CarrierDouble implements SupplierAdapterV1 {
  readonly specificationVersion = 'v1' as const;
  readonly supplier = 'test-carrier';
  readonly capabilities = new Set<never>();
  readonly limits: SupplierLimits;
  readonly caps = new Map<string, number>();
  readonly used = new Map<string, number>();
  readonly refuse = new Set<string>();
  readonly calls: { operation: string; iccids: string[]; capBytes?: number | null }[] = [];

  constructor(
    readonly accountId: string,
    billingCycleStartDay: number,
  ) {
    this.limits = { batchSize: {}, billingCycleStartDay };
  }

  #each<T>(
    operation: string,
    options: CardsOptions,
    value: (iccid: string) => T,
    extra: { capBytes?: number | null } = {},
  ): Promise<BatchResult<T>> {
    this.calls.push({ operation, iccids: options.cards.map((card) => card.iccid ?? ''), ...extra });
    return Promise.resolve({
      items: options.cards.map((card) => {
        const iccid = card.iccid ?? '';
        if (this.refuse.has(iccid)) {
          return {
            key: card.key,
            ok: false as const,
            error: new SupplierError('supplier_rejected', `card ${iccid} refused`, {
              supplierCode: '1001',
            }),
          };
        }
        return { key: card.key, ok: true as const, value: value(iccid) };
      }),
      warnings: [],
      response: { bodies: [] },
    });
  }

  doSetDataCap(options: SetDataCapOptions): Promise<BatchResult<Record<string, never>>> {
    return this.#each(
      'doSetDataCap',
      options,
      (iccid) => {
        if (options.capBytes === null) this.caps.delete(iccid);
        else this.caps.set(iccid, options.capBytes);
        return {};
      },
      { capBytes: options.capBytes },
    );
  }

  doGetDataCap(options: CardsOptions): Promise<BatchResult<SupplierDataCap>> {
    return this.#each('doGetDataCap', options, (iccid) => {
      const cap = this.caps.get(iccid) ?? null;
      return {
        capBytes: cap,
        reached: cap === null ? false : (this.used.get(iccid) ?? 0) >= cap,
        details: { action: cap === null ? 'none' : 'offNet' },
      };
    });
  }

  doGetSession(options: CardsOptions): Promise<BatchResult<SupplierSession>> {
    return this.#each('doGetSession', options, () => ({
      online: true,
      ip: '10.1.2.3',
      apn: 'cmiot',
      rat: 'LTE',
      startedAt: Date.UTC(2026, 11, 1, 0, 0),
    }));
  }

  doGetCardHistory(options: CardHistoryOptions): Promise<BatchResult<SupplierCardEvent[]>> {
    return this.#each('doGetCardHistory', options, () => [
      {
        at: Date.UTC(2026, 11, 2, 0, 0),
        kind: 'status' as const,
        status: { status: 'active' as const, raw: '2' },
        description: 'activated',
      },
    ]);
  }

  doDiagnose(options: CardsOptions): Promise<BatchResult<SupplierDiagnosis>> {
    return this.#each('doDiagnose', options, () => ({
      checks: [
        { name: 'network', ok: true, message: null },
        { name: 'balance', ok: false, message: 'in arrears' },
      ],
    }));
  }
}

/** A supplier double that offers none of the extras and bills by the calendar month. */
export class PlainDouble implements SupplierAdapterV1 {
  readonly specificationVersion = 'v1' as const;
  readonly supplier = 'test-plain';
  readonly capabilities = new Set<never>();
  readonly limits: SupplierLimits = { batchSize: {} };
  constructor(readonly accountId: string) {}
}

function doubleDefinition(
  type: string,
  create: (accountId: string) => SupplierAdapterV1,
): SupplierDefinition<never> {
  return {
    type,
    name: type,
    credentialFields: [],
    settingsSchema: z.object({}),
    parseSettings: (raw) => raw as never,
    create: (accountId) => create(accountId),
    simulator: undefined as never,
  };
}

/**
 * A store with a carrier account `carrier` (the double, cycle from the 27th), a calendar-month
 * account `plain` without extras, and `cards` cards on each. `adapters` keeps the doubles.
 */
export async function carrierFixture(
  options: { store?: Store; clock?: ManualClock; cards?: number; cycleStartDay?: number } = {},
) {
  const clock = options.clock ?? new ManualClock(Date.UTC(2026, 11, 28, 2, 0, 0));
  const store =
    options.store ??
    (await openStore({ url: 'sqlite::memory:', clock, secretKey: Buffer.alloc(32, 9) }));
  const doubles = new Map<string, SupplierAdapterV1>();
  const catalog = createSupplierCatalog();
  catalog.add(
    doubleDefinition('test-carrier', (id) => {
      const made = new CarrierDouble(id, options.cycleStartDay ?? 27);
      doubles.set(id, made);
      return made;
    }),
  );
  catalog.add(
    doubleDefinition('test-plain', (id) => {
      const made = new PlainDouble(id);
      doubles.set(id, made);
      return made;
    }),
  );
  await saveAccounts(store, catalog, [
    { id: 'carrier', type: 'test-carrier', name: null, rateLimit: null, settings: {} },
    { id: 'plain', type: 'test-plain', name: null, rateLimit: null, settings: {} },
  ]);
  const size = options.cards ?? 3;
  const iccid = (prefix: string, index: number) =>
    `898601${prefix}${String(index).padStart(11, '0')}`;
  await store.cards.importCards(
    'carrier',
    'test-carrier',
    Array.from({ length: size }, (_, index) => ({ iccid: iccid('11', index) })),
  );
  await store.cards.importCards(
    'plain',
    'test-plain',
    Array.from({ length: size }, (_, index) => ({ iccid: iccid('22', index) })),
  );
  const context: ServiceContext = createServiceContext({ store, catalog, clock });
  const carrierCards = await store.cards.listForSync('carrier', { limit: size });
  const plainCards = await store.cards.listForSync('plain', { limit: size });
  return {
    store,
    clock,
    catalog,
    context,
    carrierCards,
    plainCards,
    /** The carrier double of the account (built on first use by the context). */
    async carrier(): Promise<CarrierDouble> {
      return (await context.adapter('carrier')) as CarrierDouble;
    },
    close: () => store.close(),
  };
}
