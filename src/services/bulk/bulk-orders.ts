import { SimdockError } from '../../domain/index.js';
import { QuectelAdapter, type QuectelOrderOutcome } from '../../suppliers/quectel/index.js';
import type { ServiceContext } from '../context.js';

/** The account's adapter when it is a Quectel account (orders exist there only). */
export async function quectelAccount(
  context: ServiceContext,
  account: string,
): Promise<QuectelAdapter> {
  const adapter = await context.adapter(account);
  if (!(adapter instanceof QuectelAdapter)) {
    throw new SimdockError(
      'unsupported',
      `account ${account} is ${adapter.supplier}: orders are for Quectel accounts`,
      { details: { account } },
    );
  }
  return adapter;
}

/** A product that can be ordered, prices in yuan and flow in MB as the supplier gives them. */
export interface OrderProduct {
  productId: string | null;
  productName: string | null;
  carrier: string | null;
  priceYuan: number | null;
  flowMb: number | null;
  /** Renewal products: months the plan runs. */
  months?: number | null;
}

/**
 * The flow packages the account may buy (quectel-connectivity-api-v3.15.md §2.5.1), or, with a
 * card, that card's renewal product (§2.5.2).
 */
export async function listOrderProducts(
  context: ServiceContext,
  input: { account: string; iccid?: string },
): Promise<OrderProduct[]> {
  const adapter = await quectelAccount(context, input.account);
  if (input.iccid) {
    const { product } = await adapter.quectel.cardSetmealProduct({ iccid: input.iccid });
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
  const { products } = await adapter.quectel.companyFlowpackage();
  return products.map((product) => ({
    productId: product.productId,
    productName: product.productName,
    carrier: product.telecomOperatorName,
    priceYuan: product.price,
    flowMb: product.flow,
  }));
}

/** The product's name, which §2.5.3 requires beside its id. */
export async function productName(
  context: ServiceContext,
  account: string,
  productId: string,
): Promise<string> {
  const products = await listOrderProducts(context, { account });
  const product = products.find((candidate) => candidate.productId === productId);
  if (!product?.productName) {
    throw new SimdockError(
      'not_found',
      `account ${account} offers no product ${productId} (see simdock orders products)`,
    );
  }
  return product.productName;
}

/** Where an order stands (§2.5.5); with `follow`, polls until it completes or fails. */
export async function orderStatus(
  context: ServiceContext,
  input: { account: string; orderNo: string; follow?: boolean; abortSignal?: AbortSignal },
): Promise<QuectelOrderOutcome> {
  const adapter = await quectelAccount(context, input.account);
  return input.follow
    ? adapter.followOrder(input.orderNo, { abortSignal: input.abortSignal })
    : adapter.order(input.orderNo, { abortSignal: input.abortSignal });
}
