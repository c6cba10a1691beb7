import { formatBytes } from '../../../domain/index.js';
import { cardView, currentMonthUsage, findCard } from '../../../services/inventory/cards.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface CardsShowOptions extends GlobalOptions {
  id: string;
}

export async function run(options: CardsShowOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const card = await findCard(context, options.id);
    const usage = await currentMonthUsage(context, card);
    const history = await context.store.cards.statusHistory(card.id);
    const view = {
      ...cardView(card),
      usage: { month: usage.month, cycle: usage.cycle, bytes: usage.bytes, source: usage.source },
      statusHistory: history.slice(-10),
    };
    if (options.json) {
      printJson(io, view);
      return 0;
    }
    const lines: [string, string | null][] = [
      ['ICCID', view.iccid],
      ['MSISDN', view.msisdn],
      ['IMSI', view.imsi],
      ['IMEI', view.imei],
      ['Account', `${view.account} (${view.supplier})`],
      ['Status', `${view.status}${view.statusRaw ? ` (supplier: ${view.statusRaw})` : ''}`],
      [
        'This cycle',
        `${formatBytes(usage.bytes)} (${usage.cycle.start} – ${usage.cycle.end} CST${usage.cycle.calendarMonth ? '' : `, billing month ${usage.month}`})`,
      ],
      ['Identities synced', view.identitiesSyncedAt],
    ];
    for (const [label, value] of lines) println(io.stdout, `${label.padEnd(18)} ${value ?? '—'}`);
    return 0;
  });
}

/** `simdock cards show`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('show')
    .description('one card, by ICCID, MSISDN or IMSI')
    .argument('<id>')
    .action(async (id, _options, command) => {
      context.setExitCode(await run({ ...globals(command), id }, context.io));
    });
}
