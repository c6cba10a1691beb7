import { listOrderProducts } from '../../../services/bulk/bulk-orders.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface OrdersProductsOptions extends GlobalOptions {
  account: string;
  /** A card's renewal product instead of the flow packages. */
  card?: string;
}

/** `simdock orders products --account ID [--card ICCID]`. */
export async function run(options: OrdersProductsOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const products = await listOrderProducts(context, {
      account: options.account,
      ...(options.card ? { iccid: options.card } : {}),
    });
    if (options.json) {
      printJson(io, { products });
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['PRODUCT', 'NAME', 'CARRIER', 'PRICE (YUAN)', 'FLOW (MB)'],
        products.map((product) => [
          product.productId,
          product.productName,
          product.carrier,
          product.priceYuan,
          product.flowMb,
        ]),
      ),
    );
    return 0;
  });
}

/** `simdock orders products`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('products')
    .description("the flow packages an account may buy, or a card's renewal product")
    .requiredOption('--account <id>', 'a Quectel account')
    .option('--card <iccid>', "this card's renewal product")
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
