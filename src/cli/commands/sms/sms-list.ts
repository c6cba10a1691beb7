import { smsThread, smsView } from '../../../services/sms/sms-service.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface SmsListOptions extends GlobalOptions {
  id: string;
  limit?: number;
}

/** `simdock sms list ID`: a card's texts both ways, oldest first. */
export async function run(options: SmsListOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const { card, messages } = await smsThread(context, options.id, {
      limit: options.limit ?? 100,
    });
    const views = messages.map(smsView);
    if (options.json) {
      printJson(io, {
        card: { id: card.id, iccid: card.iccid, msisdn: card.msisdn },
        messages: views,
      });
      return 0;
    }
    if (views.length === 0) {
      println(io.stdout, `no texts for ${options.id}`);
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['AT', 'DIR', 'STATUS', 'TEXT'],
        views.map((view) => [
          view.supplierAt ?? view.createdAt,
          view.direction === 'in' ? '←' : '→',
          view.status,
          view.text,
        ]),
      ),
    );
    return 0;
  });
}

/** `simdock sms list`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('list')
    .description("a card's texts both ways, oldest first")
    .argument('<id>', 'ICCID, MSISDN or IMSI')
    .option('--limit <n>', 'texts to show', wholeNumber('--limit'), 100)
    .action(async (id, options, command) => {
      context.setExitCode(await run({ ...globals(command), id, ...options }, context.io));
    });
}
