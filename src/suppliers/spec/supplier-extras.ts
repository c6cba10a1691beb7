import type { CardStatusValue } from '../../domain/index.js';
import type {
  BatchResult,
  CallOptions,
  CardsOptions,
  SupplierCard,
  SupplierResponseInfo,
  SupplierWarning,
} from './supplier-operations.js';

/**
 * Operations only some suppliers offer, beyond the capabilities every sync needs. An adapter
 * implements the members its supplier offers and leaves the others out; services ask with
 * `supplierExtra(adapter, name)` (or test the member), never with the supplier's name.
 */
export interface SupplierExtrasV1 {
  /**
   * Sets (`speedCode`) or lifts (`null`) a speed limit on each card, one card per call. A card
   * still in its speed cooldown fails with a retryable `cooldown` item before any call leaves.
   */
  doChangeSpeed?(options: ChangeSpeedOptions): Promise<BatchResult<Record<string, never>>>;
  /** The packages the account may buy, or with `iccid` that card's renewal product. */
  doListProducts?(options: ListProductsOptions): Promise<SupplierProduct[]>;
  /**
   * Places one order per card (a flow package or a plan renewal). Each card's idempotency key
   * goes to the supplier, so a retry returns the first order instead of placing another.
   */
  doPlaceOrders?(options: PlaceOrdersOptions): Promise<BatchResult<{ orderNo: string }>>;
  /** Where an order stands; with `follow`, polls on the clock until it completes or fails. */
  doGetOrder?(options: GetOrderOptions): Promise<SupplierOrderOutcome>;
  /** The supplier's own pools (billing groups) with their quota and used figures. */
  doListPools?(options: CallOptions): Promise<SupplierPool[]>;
  /** The ICCIDs of one supplier pool's cards. */
  doListPoolMembers?(options: CallOptions & { poolId: string }): Promise<string[]>;
  /**
   * Sets, changes (`capBytes`) or cancels (`null`) a carrier-side data cap (达量断网) on each card:
   * the supplier itself cuts the card's data once the cycle's usage reaches the cap, so it holds
   * even while simdock is down. Distinct from simdock's own pause rules.
   */
  doSetDataCap?(options: SetDataCapOptions): Promise<BatchResult<Record<string, never>>>;
  /** Reads back each card's carrier-side data cap. */
  doGetDataCap?(options: CardsOptions): Promise<BatchResult<SupplierDataCap>>;
  /**
   * A change feed: the cards whose status or details changed since a time (China Unicom's
   * `wsGetModifiedTerminals`). The sync refreshes those cards instead of asking every card.
   */
  doListChangedCards?(options: ListChangedCardsOptions): Promise<ListChangedCardsResult>;
  /** Each card's current data session (online, IP, APN, radio), one answer per card. */
  doGetSession?(options: CardsOptions): Promise<BatchResult<SupplierSession>>;
  /** Each card's status and change history as the supplier keeps it, newest first. */
  doGetCardHistory?(options: CardHistoryOptions): Promise<BatchResult<SupplierCardEvent[]>>;
  /** The supplier's own diagnosis of each card (network, balance, switch states…). */
  doDiagnose?(options: CardsOptions): Promise<BatchResult<SupplierDiagnosis>>;
}

export interface ListChangedCardsOptions extends CallOptions {
  /** Epoch ms: changes at or after this time. */
  since: number;
  cursor?: string;
}

export interface ListChangedCardsResult {
  /** The changed cards, with their new status where the feed gives it. */
  cards: SupplierCard[];
  /** Present while more pages remain. */
  nextCursor?: string;
  warnings: SupplierWarning[];
  response: SupplierResponseInfo;
}

/** A card's data session as the supplier reports it. */
export interface SupplierSession {
  online: boolean | null;
  ip: string | null;
  apn: string | null;
  /** Radio access type as given (e.g. `LTE`, `NR`). */
  rat: string | null;
  /** Epoch ms the session started; null when not given. */
  startedAt: number | null;
  details?: Record<string, unknown>;
}

export interface CardHistoryOptions extends CardsOptions {
  /** Epoch ms bounds where the supplier accepts them. */
  from?: number;
  to?: number;
}

/** One entry of a card's history on the supplier side. */
export interface SupplierCardEvent {
  /** Epoch ms; null when not given. */
  at: number | null;
  kind: 'status' | 'session' | 'change' | 'other';
  /** The status the card moved to, for status entries. */
  status?: CardStatusValue | null;
  description: string | null;
  details?: Record<string, unknown>;
}

/** A supplier's diagnosis: named checks with their outcome, wire names kept in details. */
export interface SupplierDiagnosis {
  checks: { name: string; ok: boolean | null; message: string | null }[];
  details?: Record<string, unknown>;
}

export interface SetDataCapOptions extends CardsOptions {
  /** The cap in bytes (the adapter converts to the supplier's unit); null cancels the cap. */
  capBytes: number | null;
}

/** A card's carrier-side data cap as the supplier reports it. */
export interface SupplierDataCap {
  /** The cap in bytes; null when no cap is set. */
  capBytes: number | null;
  /** Whether the supplier has already cut the card's data because the cap was reached. */
  reached: boolean | null;
  /** The supplier's own record (wire names kept). */
  details?: Record<string, unknown>;
}

export interface ChangeSpeedOptions extends CardsOptions {
  /** The supplier's speed code; null lifts the limit. */
  speedCode: string | null;
}

export interface ListProductsOptions extends CallOptions {
  iccid?: string;
}

/** A product that can be ordered, prices in yuan and flow in MB as the supplier gives them. */
export interface SupplierProduct {
  productId: string | null;
  productName: string | null;
  carrier: string | null;
  priceYuan: number | null;
  flowMb: number | null;
  /** Renewal products: months the plan runs. */
  months?: number | null;
}

export interface PlaceOrdersOptions extends CardsOptions {
  kind: 'recharge' | 'renew';
  /** Card key → idempotency key (required: orders are never placed twice). */
  idempotencyKeys: Record<string, string>;
  productId?: string;
  productName?: string;
  /** Renewals: billing cycles and months. */
  cycle?: number;
  months?: number;
  remark?: string;
}

export interface GetOrderOptions extends CallOptions {
  orderNo: string;
  follow?: boolean;
}

/** Where an order ended up, with the supplier's record (wire names kept). */
export interface SupplierOrderOutcome {
  orderNo: string;
  state: 'pending' | 'complete' | 'failed';
  details: Record<string, unknown> & { orderStatus?: string | null };
}

/** A supplier-side pool (e.g. a Quectel billing group), figures in bytes. */
export interface SupplierPool {
  id: string;
  name: string | null;
  code: string | null;
  shared: boolean;
  totalBytes: number | null;
  usedBytes: number | null;
}

export type SupplierExtraName = keyof SupplierExtrasV1;

/**
 * The adapter's extra operation bound to it, or null when its supplier does not offer it.
 */
export function supplierExtra<N extends SupplierExtraName>(
  adapter: SupplierExtrasV1,
  name: N,
): NonNullable<SupplierExtrasV1[N]> | null {
  const operation = (adapter as SupplierExtrasV1)[name];
  if (typeof operation !== 'function') return null;
  return (operation as (...args: unknown[]) => unknown).bind(adapter) as never;
}
