import { SimdockError } from '../../../domain/index.js';
import { productName } from '../../../services/bulk/bulk-orders.js';
import type { CommandIo } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { type CardsActionOptions, runBulkCommand } from './cards-action.js';

export interface OrdersPlaceOptions extends GlobalOptions {
  kind: 'recharge' | 'renew';
  ids: string[];
  file?: string;
  filter?: string;
  yes?: boolean;
  job?: number;
  /** recharge: the flow package; renew: optional renewal product. */
  product?: string;
  /** recharge: the account whose product list names the product (default: the cards' account). */
  account?: string;
  cycle?: number;
  months?: number;
  remark?: string;
}

/**
 * `simdock orders recharge|renew ICCID…`: one Quectel order per card as a bulk job. Each card's
 * `externalId` is stored with the job before the call, so a re-run (`--job N`) never orders
 * twice: Quectel answers a repeated `externalId` with the first order.
 */
export async function run(options: OrdersPlaceOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const params: Record<string, unknown> = {};
    if (options.remark) params.remark = options.remark;
    if (options.kind === 'recharge' && options.job === undefined) {
      if (!options.product) throw new SimdockError('invalid_argument', 'recharge needs --product');
      if (!options.account) {
        throw new SimdockError(
          'invalid_argument',
          'recharge needs --account (whose product it is)',
        );
      }
      params.productId = options.product;
      params.productName = await productName(context, options.account, options.product);
    }
    if (options.kind === 'renew') {
      params.cycle = options.cycle ?? 1;
      if (options.months !== undefined) params.months = options.months;
      if (options.product) params.productId = options.product;
    }
    const bulk: CardsActionOptions = { ...options, action: options.kind, params };
    return runBulkCommand(context, bulk, io);
  });
}
