import { orderStatus } from '../../../services/bulk/bulk-orders.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface OrdersShowOptions extends GlobalOptions {
  orderNo: string;
  account: string;
  /** Poll until the order completes or fails. */
  follow?: boolean;
}

/** `simdock orders show ORDER --account ID [--follow]`: where a Quectel order stands. */
export async function run(options: OrdersShowOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const outcome = await orderStatus(context, {
      account: options.account,
      orderNo: options.orderNo,
      follow: options.follow,
    });
    if (options.json) {
      printJson(io, outcome);
      return outcome.state === 'failed' ? 1 : 0;
    }
    const details = outcome.details;
    println(
      io.stdout,
      `order ${outcome.orderNo}: ${outcome.state} (${details.orderStatus ?? '—'})`,
    );
    for (const [label, value] of [
      ['type', details.orderType],
      ['card', details.iccid],
      ['product', details.productname],
      ['price (yuan)', details.productprice],
      ['created', details.createTime],
      ['completed', details.completeTime],
      ['externalId', details.externalId],
    ] as const) {
      println(io.stdout, `  ${label.padEnd(13)} ${value ?? '—'}`);
    }
    return outcome.state === 'failed' ? 1 : 0;
  });
}

/** `simdock orders show`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('show')
    .description('where an order stands')
    .argument('<order>', 'the order number')
    .requiredOption('--account <id>', 'the Quectel account')
    .option('--follow', 'wait until the order completes or fails')
    .action(async (orderNo, options, command) => {
      context.setExitCode(await run({ ...globals(command), orderNo, ...options }, context.io));
    });
}
