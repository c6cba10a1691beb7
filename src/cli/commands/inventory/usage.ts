import { formatBytes } from '../../../domain/index.js';
import { cardDailyUsage, findCard } from '../../../services/inventory/cards.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface UsageOptions extends GlobalOptions {
  id: string;
  from?: string;
  to?: string;
}

export async function run(options: UsageOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const card = await findCard(context, options.id);
    const rows = await cardDailyUsage(context, card, { from: options.from, to: options.to });
    if (options.json) {
      printJson(io, rows);
      return 0;
    }
    if (rows.length === 0) {
      println(io.stdout, 'No usage recorded for this card in that range (run `simdock sync`).');
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['DATE (CST)', 'BYTES', ''],
        rows.map((row) => [row.date, row.bytes, formatBytes(row.bytes)]),
      ),
    );
    const total = rows.reduce((sum, row) => sum + row.bytes, 0);
    println(io.stdout, `Total ${formatBytes(total)} over ${rows.length} days.`);
    return 0;
  });
}

/** `simdock usage`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('usage')
    .description("a card's daily usage in bytes per CST day")
    .argument('<id>', 'ICCID, MSISDN or IMSI')
    .option('--from <date>', 'first day, YYYY-MM-DD')
    .option('--to <date>', 'last day, YYYY-MM-DD')
    .action(async (id, options, command) => {
      context.setExitCode(await run({ ...globals(command), id, ...options }, context.io));
    });
}
