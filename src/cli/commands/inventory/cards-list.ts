import { listCards } from '../../../services/inventory/cards.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface CardsListOptions extends GlobalOptions {
  status?: string;
  account?: string;
  search?: string;
  limit?: number;
  cursor?: string;
}

export async function run(options: CardsListOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const page = await listCards(context, options);
    if (options.json) {
      printJson(io, page);
      return 0;
    }
    if (page.cards.length === 0) {
      println(io.stdout, 'No cards match.');
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['ICCID', 'MSISDN', 'IMSI', 'ACCOUNT', 'STATUS', 'RAW'],
        page.cards.map((card) => [
          card.iccid,
          card.msisdn,
          card.imsi,
          card.account,
          card.status,
          card.statusRaw,
        ]),
      ),
    );
    if (page.nextCursor) println(io.stdout, `More: --cursor ${page.nextCursor}`);
    return 0;
  });
}

/** `simdock cards list`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('list')
    .description('list cards')
    .option(
      '--status <status>',
      'test, inventory, active, suspended, pre_deactivated, deactivated, unknown',
    )
    .option('--account <id>', 'only this account')
    .option('--search <text>', 'match any identifier')
    .option('--limit <n>', 'cards per page', wholeNumber('--limit'), 100)
    .option('--cursor <cursor>', 'continue after a previous page')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
