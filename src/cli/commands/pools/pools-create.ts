import { formatBytes } from '../../../domain/index.js';
import { PoolsRepository } from '../../../store/repositories/pools-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { parseByteSize, parseNumber } from '../rules/rules-options.js';

export interface PoolsCreateOptions extends GlobalOptions {
  name: string;
  /** The pool's quota per cycle (`10GB`); absent: unknown. */
  quota?: string;
  account?: string;
  cycleStartDay?: string;
}

/** `simdock pools create NAME [--quota SIZE] [--account ID] [--cycle-start-day N]`. */
export async function run(options: PoolsCreateOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const pool = await new PoolsRepository(context.store, () => context.clock.now()).create({
      name: options.name,
      account: options.account ?? null,
      quotaBytes: options.quota === undefined ? null : parseByteSize(options.quota, '--quota'),
      ...(options.cycleStartDay !== undefined
        ? { cycleStartDay: parseNumber(options.cycleStartDay, '--cycle-start-day') }
        : {}),
    });
    if (options.json) printJson(io, pool);
    else {
      println(
        io.stdout,
        `Created pool ${pool.id} "${pool.name}" (quota ${pool.quotaBytes === null ? 'unknown' : formatBytes(pool.quotaBytes)}).`,
      );
    }
    return 0;
  });
}

/** `simdock pools create`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('create')
    .description('create a pool')
    .argument('<name>')
    .option('--quota <size>', 'the pool quota per cycle (10GB)')
    .option('--account <id>', 'the account the pool belongs to')
    .option('--cycle-start-day <n>', 'day of month cycles start (default 1)')
    .action(async (name, options, command) => {
      context.setExitCode(await run({ ...globals(command), name, ...options }, context.io));
    });
}
