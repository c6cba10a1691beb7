import { AlertsRepository } from '../../../store/repositories/alerts-repository.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface AlertsAckOptions extends GlobalOptions {
  ids: number[];
  /** Who acknowledges (default `cli`). */
  by?: string;
}

/** `simdock alerts ack ID... [--by WHO]`: alerts already acknowledged keep their first one. */
export async function run(options: AlertsAckOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const acknowledged = await new AlertsRepository(context.store, () =>
      context.clock.now(),
    ).acknowledge(options.ids, options.by ?? 'cli');
    if (options.json) printJson(io, { acknowledged, ids: options.ids });
    else {
      println(
        io.stdout,
        `Acknowledged ${acknowledged} alert${acknowledged === 1 ? '' : 's'}${acknowledged < options.ids.length ? ` (${options.ids.length - acknowledged} already were)` : ''}.`,
      );
    }
    return 0;
  });
}

/** `simdock alerts ack`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('ack')
    .description('acknowledge alerts')
    .argument('<ids...>', 'alert ids')
    .option('--by <who>', 'who acknowledges (default cli)')
    .action(async (ids, options, command) => {
      const numbers = ids.map((id) => wholeNumber('alert id')(id));
      context.setExitCode(await run({ ...globals(command), ids: numbers, ...options }, context.io));
    });
}
