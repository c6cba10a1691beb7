import {
  type Clock,
  cstStartOfDay,
  expandDate,
  mbToBytes,
  SimdockError,
} from '../../domain/index.js';
import {
  type BatchResult,
  type CallOptions,
  type CardLocation,
  type GetOrderOptions,
  type ListProductsOptions,
  type PlaceOrdersOptions,
  SupplierError,
  type SupplierOrderOutcome,
  type SupplierPool,
  type SupplierProduct,
} from '../spec/index.js';
import type { QuectelCardSelector, QuectelClient } from './quectel-client.js';
import type { QuectelLocation, QuectelOrderDetails } from './quectel-wire.js';

/** A billing group seen as a pool, with its statistics in bytes (§2.1.1, §2.1.3). */
export interface QuectelPool {
  id: number | null;
  name: string | null;
  code: string | null;
  carrier: string | null;
  /** Flow shared by the group's cards (isflowshare = 1). */
  shared: boolean;
  cardCount: number | null;
  usedBytes: number | null;
  totalBytes: number | null;
  remainingBytes: number | null;
  /** Sub-groups (§2.1.3 `rows`). */
  children: Omit<QuectelPool, 'id' | 'carrier' | 'children' | 'code'>[];
}

/** Where an order ended up. */
export interface QuectelOrderOutcome {
  orderNo: string;
  state: 'pending' | 'complete' | 'failed';
  details: QuectelOrderDetails;
}

const ORDER_STATES: Record<string, QuectelOrderOutcome['state']> = {
  订单待处理: 'pending',
  订单完成: 'complete',
  订单失败: 'failed',
};

/**
 * What the Quectel adapter offers beyond the contract, typed: pools, orders followed to the end,
 * the wallet, realtime status. Everything else is on `quectel`, the full client.
 */
export class QuectelExtras {
  /** The complete Quectel SDK for this account. */
  readonly quectel: QuectelClient;
  protected readonly clock: Clock;

  constructor(quectel: QuectelClient, clock: Clock) {
    this.quectel = quectel;
    this.clock = clock;
  }

  /** Billing groups as pools with their statistics (one list call, one statistics call each). */
  async pools(options: CallOptions = {}): Promise<QuectelPool[]> {
    const call = { abortSignal: options.abortSignal };
    const { billingGroups } = await this.quectel.billingGroupList(call);
    const pools: QuectelPool[] = [];
    for (const group of billingGroups) {
      if (group.id === null) continue;
      const { data } = await this.quectel.billingGroupsStatistics({ id: group.id }, call);
      const bytes = (row: typeof data | (typeof data.rows)[number]) => ({
        name: row.billingName,
        shared: row.isflowshare === 1,
        cardCount: row.cardSum,
        usedBytes: mbToBytes(row.useFlow),
        totalBytes: mbToBytes(row.sumFlow),
        remainingBytes: mbToBytes(row.residualFlow),
      });
      pools.push({
        ...bytes(data),
        id: group.id,
        name: group.name ?? data.billingName,
        code: group.code,
        carrier: group.carrier,
        shared: (group.isflowshare ?? data.isflowshare) === 1,
        children: data.rows.map(bytes),
      });
    }
    return pools;
  }

  /** Realtime status of one card (§2.3.1), flows in bytes. */
  async realtimeStatus(card: QuectelCardSelector, options: CallOptions = {}) {
    const { realTimeStatus } = await this.quectel.cardRealtimeStatus(card, options);
    return {
      online: realTimeStatus.gprsstatus === '在线',
      poweredOn:
        realTimeStatus.onlinestatus === null ? null : realTimeStatus.onlinestatus !== '关机',
      ip: realTimeStatus.ip || null,
      apn: realTimeStatus.apn || null,
      usedBytes: mbToBytes(realTimeStatus.usedFlowb),
      totalBytes: mbToBytes(realTimeStatus.totalFlowb),
      remainingBytes: mbToBytes(realTimeStatus.surpFlowb),
      raw: realTimeStatus,
    };
  }

  /**
   * Buys a flow package (§2.5.3). `externalId` is required here: a retry after a timeout then
   * returns the first order instead of placing a second one. `preverify` first checks only.
   */
  async recharge(
    input: {
      iccid: string;
      productId: number | string;
      productName: string;
      externalId: string;
      remark?: string;
      preverify?: boolean;
    },
    options: CallOptions = {},
  ): Promise<{ orderNo: string | null; message: string | null }> {
    if (!input.externalId)
      throw new SimdockError('invalid_argument', 'externalId is required for idempotency');
    const result = await this.quectel.cardRecharge(input, options);
    return { orderNo: result.orderNo, message: result.message };
  }

  /** Renews a card's plan (§2.5.4), idempotent by `externalId` like `recharge`. */
  async renew(
    input: {
      iccid: string;
      cycle: number;
      months?: number;
      productId?: number | string;
      productName?: string;
      externalId: string;
      remark?: string;
      preverify?: boolean;
    },
    options: CallOptions = {},
  ): Promise<{ orderNo: string | null; message: string | null }> {
    if (!input.externalId)
      throw new SimdockError('invalid_argument', 'externalId is required for idempotency');
    const result = await this.quectel.cardRenewal(input, options);
    return { orderNo: result.orderNo, message: result.message };
  }

  /** One look at an order (§2.5.5). */
  async order(orderNo: string, options: CallOptions = {}): Promise<QuectelOrderOutcome> {
    const { details } = await this.quectel.orderDetails({ orderNo }, options);
    return { orderNo, state: ORDER_STATES[details.orderStatus ?? ''] ?? 'pending', details };
  }

  /** Follows an order until it completes or fails, polling on the clock (no real sleep in tests). */
  async followOrder(
    orderNo: string,
    options: CallOptions & { intervalMs?: number; timeoutMs?: number } = {},
  ): Promise<QuectelOrderOutcome> {
    const deadline = this.clock.now() + (options.timeoutMs ?? 30 * 60_000);
    for (;;) {
      const outcome = await this.order(orderNo, options);
      if (outcome.state !== 'pending') return outcome;
      if (this.clock.now() >= deadline) {
        throw new SimdockError('supplier_timeout', `order ${orderNo} still pending`, {
          retryable: true,
        });
      }
      await this.clock.sleep(options.intervalMs ?? 15_000, options.abortSignal);
    }
  }

  /** The company wallet (§2.5.7): balance in yuan and its movements. */
  async wallet(options: CallOptions = {}) {
    const { money, billingDetails } = await this.quectel.walletDetails(options);
    return { balanceYuan: money, entries: billingDetails };
  }

  /** Contract extra: the flow packages (§2.5.1), or with `iccid` the card's renewal (§2.5.2). */
  async doListProducts(options: ListProductsOptions): Promise<SupplierProduct[]> {
    const call = { abortSignal: options.abortSignal };
    if (options.iccid) {
      const { product } = await this.quectel.cardSetmealProduct({ iccid: options.iccid }, call);
      return [
        {
          productId: product.productId,
          productName: product.productName,
          carrier: product.telecomOperatorName,
          priceYuan: product.price,
          flowMb: product.flow,
          months: product.setmealMonths,
        },
      ];
    }
    const { products } = await this.quectel.companyFlowpackage(call);
    return products.map((product) => ({
      productId: product.productId,
      productName: product.productName,
      carrier: product.telecomOperatorName,
      priceYuan: product.price,
      flowMb: product.flow,
    }));
  }

  /**
   * Contract extra: one recharge (§2.5.3) or renewal (§2.5.4) per card, the card's idempotency
   * key sent as `externalId`, so a retry returns the first order instead of placing another.
   */
  async doPlaceOrders(options: PlaceOrdersOptions): Promise<BatchResult<{ orderNo: string }>> {
    const { abortSignal } = options;
    const items: BatchResult<{ orderNo: string }>['items'] = [];
    const bodies: unknown[] = [];
    for (const card of options.cards) {
      const key = card.key;
      if (!card.iccid) {
        const error = new SupplierError('invalid_argument', 'Quectel orders need the ICCID', {
          retryable: false,
        });
        items.push({ key, ok: false, error });
        continue;
      }
      try {
        const common = {
          iccid: card.iccid,
          externalId: options.idempotencyKeys[key] ?? '',
          ...(options.remark !== undefined ? { remark: options.remark } : {}),
        };
        const answer =
          options.kind === 'recharge'
            ? await this.recharge(
                {
                  ...common,
                  productId: options.productId as string,
                  productName: String(options.productName),
                },
                { abortSignal },
              )
            : await this.renew(
                {
                  ...common,
                  cycle: options.cycle ?? 1,
                  ...(options.months !== undefined ? { months: options.months } : {}),
                  ...(options.productId !== undefined ? { productId: options.productId } : {}),
                  ...(options.productName !== undefined
                    ? { productName: options.productName }
                    : {}),
                },
                { abortSignal },
              );
        bodies.push(answer);
        if (answer.orderNo) items.push({ key, ok: true, value: { orderNo: answer.orderNo } });
        else {
          const error = new SupplierError(
            'supplier_rejected',
            `quectel placed no order: ${answer.message ?? 'no reason given'}`,
            { supplierMessage: answer.message, retryable: false },
          );
          items.push({ key, ok: false, error });
        }
      } catch (error) {
        if (abortSignal?.aborted || !SimdockError.isInstance(error)) throw error;
        const failure = SupplierError.isInstance(error)
          ? error
          : new SupplierError(error.code, error.message, { retryable: false, cause: error });
        items.push({ key, ok: false, error: failure });
      }
    }
    return { items, warnings: [], response: { bodies } };
  }

  /** Contract extra: an order's state (§2.5.5), followed to the end with `follow`. */
  async doGetOrder(options: GetOrderOptions): Promise<SupplierOrderOutcome> {
    const call = { abortSignal: options.abortSignal };
    return options.follow
      ? this.followOrder(options.orderNo, call)
      : this.order(options.orderNo, call);
  }

  /** Contract extra: billing groups as pools (§2.1.1, §2.1.3). */
  async doListPools(options: CallOptions): Promise<SupplierPool[]> {
    const pools = await this.pools(options);
    return pools.flatMap((pool) =>
      pool.id === null
        ? []
        : [
            {
              id: String(pool.id),
              name: pool.name,
              code: pool.code,
              shared: pool.shared,
              totalBytes: pool.totalBytes,
              usedBytes: pool.usedBytes,
            },
          ],
    );
  }

  /** Contract extra: a billing group's ICCIDs (§2.1.4 `card.list` filtered by `billingid`). */
  async doListPoolMembers(options: CallOptions & { poolId: string }): Promise<string[]> {
    const iccids: string[] = [];
    const call = { abortSignal: options.abortSignal };
    for await (const card of this.quectel.cardListAll(
      { billingid: Number(options.poolId) },
      call,
    )) {
      if (card.iccid) iccids.push(card.iccid.toUpperCase());
    }
    return iccids;
  }

  protected locationOf(location: QuectelLocation): CardLocation {
    const number = (value: string | null) => {
      if (value === null || value.trim() === '') return null;
      const parsed = Number(value);
      return Number.isFinite(parsed) ? parsed : null;
    };
    // §2.3.2: telecom cards put a result code in POSITIONRESULT (2 = located), mobile cards an
    // address; LOCALTIME (yyyyMMddHHmmss, CST) is given for telecom cards only.
    const code = location.MSID_TYPE !== null;
    const time = location.LOCALTIME;
    const at =
      time && /^\d{14}$/.test(time)
        ? cstStartOfDay(expandDate(time.slice(0, 8))) +
          ((Number(time.slice(8, 10)) * 60 + Number(time.slice(10, 12))) * 60 +
            Number(time.slice(12, 14))) *
            1000
        : null;
    return {
      latitude: number(location.LATITUDE),
      longitude: number(location.LONGITUDE),
      description: code
        ? location.POSITIONRESULT === '2'
          ? null
          : `POSITIONRESULT ${location.POSITIONRESULT}`
        : location.POSITIONRESULT || null,
      at,
    };
  }

  protected rejected(message: string): SupplierError {
    return new SupplierError('supplier_rejected', message, { retryable: false });
  }
}
