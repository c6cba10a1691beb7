import { RulesRepository } from '../../../store/repositories/rules-repository.js';
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
