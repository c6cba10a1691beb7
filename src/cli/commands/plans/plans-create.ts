import { formatBytes } from '../../../domain/index.js';
import { PlansRepository } from '../../../store/repositories/plans-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { parseByteSize, parseNumber } from '../rules/rules-options.js';

export interface PlansCreateOptions extends GlobalOptions {
  name: string;
  /** Bytes per cycle (`1GB`, `500MB`, `1048576`); absent: no quota. */
  quota?: string;
  cycleStartDay?: string;
}

/** `simdock plans create NAME --quota SIZE [--cycle-start-day N]`. */
export async function run(options: PlansCreateOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const plan = await new PlansRepository(context.store, () => context.clock.now()).create({
      name: options.name,
      quotaBytes: options.quota === undefined ? null : parseByteSize(options.quota, '--quota'),
      ...(options.cycleStartDay !== undefined
        ? { cycleStartDay: parseNumber(options.cycleStartDay, '--cycle-start-day') }
        : {}),
    });
    if (options.json) printJson(io, plan);
    else {
      println(
        io.stdout,
        `Plan ${plan.id} "${plan.name}": ${plan.quotaBytes === null ? 'no quota' : formatBytes(plan.quotaBytes)} per cycle, cycles start on day ${plan.cycleStartDay} (CST).`,
      );
    }
    return 0;
  });
}

/** `simdock plans create`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('create')
    .description('create a plan')
    .argument('<name>')
    .option('--quota <size>', 'bytes per cycle: 1048576, 500MB, 1GB (binary units)')
    .option('--cycle-start-day <n>', 'day of month cycles start (default 1: calendar month, CST)')
    .action(async (name, options, command) => {
      context.setExitCode(await run({ ...globals(command), name, ...options }, context.io));
    });
}
