import { type Clock, cstParts } from '../../domain/index.js';
import type { QuectelSimulatedFleet } from './quectel-simulator-fleet.js';

/**
 * Flow packages, renewals, orders and the wallet of the simulated company
 * (quectel-connectivity-api-v3.15.md §2.5). Money is held in fen (integers) and shown in yuan.
 */

/** How long an order stays 订单待处理 before it completes or fails. */
export const ORDER_PROCESSING_MS = 60_000;

export const FLOW_PRODUCTS = [
  {
    productId: 50,
    productName: '30M-当月',
    flow: 30,
    fen: 150,
    carrier: '中国移动',
    flowType: '0',
  },
  {
    productId: 53,
    productName: '100M-当月',
    flow: 100,
    fen: 300,
    carrier: '中国移动',
    flowType: '0',
  },
  {
    productId: 51,
    productName: '1G-定向',
    flow: 1024,
    fen: 1100,
    carrier: '中国电信',
    flowType: '1',
  },
  {
    productId: 52,
    productName: '500M-当月',
    flow: 500,
    fen: 900,
    carrier: '中国联通',
    flowType: '0',
  },
] as const;

/** The renewal product of each billing group (§2.5.2), by group id. */
export const RENEWAL_PRODUCTS: Record<
  number,
  { productId: number; productName: string; flow: number; months: number; monthFen: number }
> = {
  860: { productId: 60, productName: '1G/月', flow: 1024, months: 12, monthFen: 1000 },
  861: { productId: 61, productName: '30M/月', flow: 30, months: 12, monthFen: 30 },
};

export interface SimulatedOrder {
  orderNo: string;
  orderType: '充值订单' | '续费订单';
  index: number;
  iccid: string;
  productName: string;
  fen: number;
  flow: number;
  cycle: number | null;
  months: number | null;
  monthFen: number | null;
  remark: string;
  externalId: string;
  createdAt: number;
  completedAt: number | null;
  orderStatus: '订单待处理' | '订单完成' | '订单失败';
}

export interface WalletEntry {
  changeFen: number;
  iccid: string | null;
  handleTime: string;
  orderNo: string | null;
  handleType: string;
  remark: string | null;
  productName: string | null;
  cycle: number | null;
  productFen: number | null;
}

/** `yyyy-MM-dd HH:mm:ss` in CST. */
export function cstDateTime(instant: number): string {
  const parts = cstParts(instant);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)} ${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}`;
}

export const yuan = (fen: number | null) => (fen === null ? null : fen / 100);

/** Orders keyed by number and by external id; the wallet with its movements. */
export class SimulatedCommerce {
  readonly orders = new Map<string, SimulatedOrder>();
  readonly #byExternalId = new Map<string, string>();
  readonly wallet: WalletEntry[] = [];
  balanceFen: number;
  #sequence = 0;
  readonly #clock: Clock;

  constructor(clock: Clock, initialFen: number) {
    this.#clock = clock;
    this.balanceFen = initialFen;
    this.wallet.push({
      changeFen: initialFen,
      iccid: null,
      handleTime: cstDateTime(clock.now()),
      orderNo: null,
      handleType: '预充值',
      remark: 'simdock simulator',
      productName: null,
      cycle: null,
      productFen: null,
    });
  }

  /** The order an external id already placed (a retry must not place a second one). */
  byExternalId(externalId: string): SimulatedOrder | undefined {
    const orderNo = this.#byExternalId.get(externalId);
    return orderNo ? this.orders.get(orderNo) : undefined;
  }

  /** Places an order and charges the wallet; the caller has checked the balance. */
  place(
    order: Omit<SimulatedOrder, 'orderNo' | 'createdAt' | 'completedAt' | 'orderStatus'>,
  ): SimulatedOrder {
    this.#sequence += 1;
    const now = this.#clock.now();
    const placed: SimulatedOrder = {
      ...order,
      orderNo: `${now}${String(this.#sequence).padStart(4, '0')}q`,
      createdAt: now,
      completedAt: null,
      orderStatus: '订单待处理',
    };
    this.orders.set(placed.orderNo, placed);
    if (order.externalId) this.#byExternalId.set(order.externalId, placed.orderNo);
    this.balanceFen -= order.fen;
    this.wallet.push({
      changeFen: -order.fen,
      iccid: order.iccid,
      handleTime: cstDateTime(now),
      orderNo: placed.orderNo,
      handleType: order.orderType === '充值订单' ? '流量包充值' : '套餐续费',
      remark: order.remark || null,
      productName: order.productName,
      cycle: order.cycle,
      productFen: order.fen,
    });
    return placed;
  }

  /**
   * Completes orders whose processing time has passed: a cancelled (销号) card fails and is
   * refunded, any other completes and gets its package or renewal. Returns the settled orders.
   */
  settle(fleet: QuectelSimulatedFleet): SimulatedOrder[] {
    const now = this.#clock.now();
    const settled: SimulatedOrder[] = [];
    for (const order of this.orders.values()) {
      if (order.orderStatus !== '订单待处理' || now < order.createdAt + ORDER_PROCESSING_MS)
        continue;
      order.completedAt = order.createdAt + ORDER_PROCESSING_MS;
      const state = fleet.state(order.index);
      if (state.status === '销号') {
        order.orderStatus = '订单失败';
        this.balanceFen += order.fen;
        this.wallet.push({
          changeFen: order.fen,
          iccid: order.iccid,
          handleTime: cstDateTime(order.completedAt),
          orderNo: order.orderNo,
          handleType: '订单退款',
          remark: null,
          productName: order.productName,
          cycle: order.cycle,
          productFen: order.fen,
        });
      } else if (order.orderType === '充值订单') {
        order.orderStatus = '订单完成';
        const month = cstDateTime(order.completedAt).slice(0, 7);
        fleet.update(order.index, {
          flowpackages: [
            ...state.flowpackages,
            {
              tfName: order.productName,
              tfSize: order.flow,
              tfType: order.productName.includes('定向') ? '定向' : '公网',
              startTime: cstDateTime(order.completedAt),
              endTime: `${month}-${lastDay(month)} 23:59:59`,
            },
          ],
        });
      } else {
        order.orderStatus = '订单完成';
        const addMonths = order.months ?? (order.cycle ?? 1) * 12;
        fleet.update(order.index, { expiryDate: shiftMonths(state.expiryDate, addMonths) });
      }
      settled.push(order);
    }
    return settled;
  }

  /** Order details as §2.5.5 shows them. */
  details(order: SimulatedOrder): Record<string, unknown> {
    const verb =
      order.orderType === '充值订单'
        ? `充值流量包 ${order.productName}`
        : `进行续费, 周期 ${order.cycle}, 套餐 ${order.productName}`;
    return {
      result: `${order.iccid} 于 ${cstDateTime(order.createdAt)} ${verb}, 金额 ${yuan(order.fen)} 元`,
      orderType: order.orderType,
      iccid: order.iccid,
      productname: order.productName,
      orderStatus: order.orderStatus,
      createTime: cstDateTime(order.createdAt),
      completeTime: order.completedAt === null ? '' : cstDateTime(order.completedAt),
      remark: order.remark,
      productprice: yuan(order.fen),
      ...(order.cycle !== null ? { cycle: order.cycle } : {}),
      ...(order.months !== null ? { months: order.months, monthPrice: yuan(order.monthFen) } : {}),
      externalId: order.externalId,
    };
  }

  /** The order-result callback body (§2.5.6). */
  notice(order: SimulatedOrder): Record<string, unknown> {
    const details = this.details(order);
    return {
      orderNo: order.orderNo,
      orderType: order.orderType,
      orderStatusDesc: order.orderStatus,
      orderStatus: order.orderStatus === '订单完成' ? 1 : -1,
      iccid: order.iccid,
      productName: order.productName,
      productPrice: yuan(order.fen),
      remark: order.remark,
      result: details.result,
      createTime: details.createTime,
      completeTime: details.completeTime,
      externalId: order.externalId,
    };
  }
}

function lastDay(month: string): string {
  const [year, number] = month.split('-').map(Number) as [number, number];
  return String(new Date(Date.UTC(year, number, 0)).getUTCDate()).padStart(2, '0');
}

function shiftMonths(date: string, months: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const shifted = new Date(Date.UTC(year, month - 1 + months, day));
  return shifted.toISOString().slice(0, 10);
}
