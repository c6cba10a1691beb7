import type { Command } from '@commander-js/extra-typings';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import type { CommandIo } from '../../io.js';
import * as ordersPlace from './orders-place.js';
import * as ordersProducts from './orders-products.js';
import * as ordersShow from './orders-show.js';

type Globals = (command: { optsWithGlobals(): Record<string, unknown> }) => {
  config: string | undefined;
  json: boolean;
};

const positive = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError(`${name} must be a whole number of 1 or more`);
  }
  return number;
};

/** Adds `simdock orders products|recharge|renew|show` (Quectel accounts). */
export function registerOrdersCommands(
  // biome-ignore lint/suspicious/noExplicitAny: the program's typed options differ per caller.
  program: Command<any, any, any>,
  io: CommandIo,
  setExitCode: (code: number) => void,
  globals: Globals,
): void {
  const orders = program.command('orders').description('flow packages and renewals (Quectel)');
  orders
    .command('products')
    .description("the flow packages an account may buy, or a card's renewal product")
    .requiredOption('--account <id>', 'a Quectel account')
    .option('--card <iccid>', "this card's renewal product")
    .action(async (options, command) => {
      setExitCode(await ordersProducts.run({ ...globals(command), ...options }, io));
    });
  for (const kind of ['recharge', 'renew'] as const) {
    orders
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
        setExitCode(await ordersPlace.run({ ...globals(command), ...options, kind, ids }, io));
      });
  }
  orders
    .command('show')
    .description('where an order stands')
    .argument('<order>', 'the order number')
    .requiredOption('--account <id>', 'the Quectel account')
    .option('--follow', 'wait until the order completes or fails')
    .action(async (orderNo, options, command) => {
      setExitCode(await ordersShow.run({ ...globals(command), orderNo, ...options }, io));
    });
}
