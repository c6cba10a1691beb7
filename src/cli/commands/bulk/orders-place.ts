import { InvalidArgumentError } from '@commander-js/extra-typings';
import { SimdockError } from '../../../domain/index.js';
import { productName } from '../../../services/bulk/bulk-orders.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
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

const positive = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError(`${name} must be a whole number of 1 or more`);
  }
  return number;
};

/** `simdock orders recharge|renew`. */
export function register(parent: ParentCommand, context: CliContext): void {
  for (const kind of ['recharge', 'renew'] as const) {
    parent
      .command(kind)
      .description(
        kind === 'recharge'
          ? 'buy a flow package for each card (one order per card, never two)'
          : "renew each card's plan (one order per card, never two)",
      )
      .argument('[ids...]', 'ICCIDs, MSISDNs or IMSIs')
      .option('--product <id>', kind === 'recharge' ? 'the flow package' : 'the renewal product')
      .option('--account <id>', 'the account whose product list names --product')
      .option('--cycle <years>', 'renew: years (default 1)', positive('--cycle'))
      .option('--months <n>', 'renew: months (1–12) when the cycle is 1', positive('--months'))
      .option('--remark <text>', 'kept with the order')
      .option('--file <file>', 'identifiers, one a line')
      .option('--filter <expr>', 'a card filter')
      .option('--yes', 'order without asking')
      .option('--job <n>', 're-run a job (same externalIds)', positive('--job'))
      .action(async (ids, options, command) => {
        context.setExitCode(await run({ ...globals(command), ...options, kind, ids }, context.io));
      });
  }
}
