import { RulesRepository } from '../../../store/repositories/rules-repository.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface RulesDeleteOptions extends GlobalOptions {
  id: number;
}

/** `simdock rules delete ID` (the rule's alerts stay). */
export async function run(options: RulesDeleteOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    await new RulesRepository(context.store).delete(options.id);
    if (options.json) printJson(io, { deleted: options.id });
    else println(io.stdout, `Deleted rule ${options.id}; its alerts are kept.`);
    return 0;
  });
}

/** `simdock rules delete`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('delete')
    .description('delete a rule (its alerts are kept)')
    .argument('<id>', 'rule id', wholeNumber('id'))
    .action(async (id, _options, command) => {
      context.setExitCode(await run({ ...globals(command), id }, context.io));
    });
}
