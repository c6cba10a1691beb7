import { SimdockError } from '../../domain/index.js';
import type {
  SupplierAdapterV1,
  SupplierOrderOutcome,
  SupplierProduct,
} from '../../suppliers/spec/index.js';
import type { ServiceContext } from '../context.js';

/** The account's adapter when its supplier takes orders (it offers `doPlaceOrders`). */
export async function orderingAccount(
  context: ServiceContext,
  account: string,
): Promise<Required<Pick<SupplierAdapterV1, 'doListProducts' | 'doPlaceOrders' | 'doGetOrder'>>> {
  const adapter = await context.adapter(account);
  if (!adapter.doListProducts || !adapter.doPlaceOrders || !adapter.doGetOrder) {
    throw new SimdockError(
      'unsupported',
      `account ${account} is ${adapter.supplier}: its supplier takes no orders`,
      { details: { account } },
    );
  }
  return adapter as never;
}

/** A product that can be ordered, prices in yuan and flow in MB as the supplier gives them. */
export type OrderProduct = SupplierProduct;

/**
 * The flow packages the account may buy (quectel-connectivity-api-v3.15.md §2.5.1), or, with a
 * card, that card's renewal product (§2.5.2).
 */
export async function listOrderProducts(
  context: ServiceContext,
  input: { account: string; iccid?: string },
): Promise<OrderProduct[]> {
  const adapter = await orderingAccount(context, input.account);
  return adapter.doListProducts(input.iccid ? { iccid: input.iccid } : {});
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
): Promise<SupplierOrderOutcome> {
  const adapter = await orderingAccount(context, input.account);
  return adapter.doGetOrder(input);
}
