import { formatBytes } from '../../../domain/index.js';
import { updatePool } from '../../../services/pools/pools-admin.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { parseByteSize, parseNumber } from '../rules/rules-options.js';

export interface PoolsUpdateOptions extends GlobalOptions {
  /** Pool id or name. */
  pool: string;
  name?: string;
  /** The pool's quota per cycle (`10GB`), or `none` for unknown. */
  quota?: string;
  /** An account id, or `none` for a pool across accounts. */
  account?: string;
  cycleStartDay?: string;
}

/** `simdock pools update POOL [--name N] [--quota SIZE|none] [--account ID|none] [--cycle-start-day N]`. */
export async function run(options: PoolsUpdateOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const pool = await updatePool(context, 'cli', options.pool, {
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.quota !== undefined
        ? { quotaBytes: options.quota === 'none' ? null : parseByteSize(options.quota, '--quota') }
        : {}),
      ...(options.account !== undefined
        ? { account: options.account === 'none' ? null : options.account }
        : {}),
      ...(options.cycleStartDay !== undefined
        ? { cycleStartDay: parseNumber(options.cycleStartDay, '--cycle-start-day') }
        : {}),
    });
    if (options.json) printJson(io, pool);
    else {
      println(
        io.stdout,
        `Updated pool ${pool.id} "${pool.name}" (quota ${pool.quotaBytes === null ? 'unknown' : formatBytes(pool.quotaBytes)}, account ${pool.account ?? 'any'}, cycle from day ${pool.cycleStartDay}).`,
      );
    }
    return 0;
  });
}

/** `simdock pools update`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('update')
    .description("change a pool's name, quota, account or cycle start day")
    .argument('<pool>', 'pool id or name')
    .option('--name <name>', 'a new name')
    .option('--quota <size>', 'the pool quota per cycle (10GB), or none')
    .option('--account <id>', 'the account the pool belongs to, or none')
    .option('--cycle-start-day <n>', 'day of month cycles start')
    .action(async (pool, options, command) => {
      context.setExitCode(await run({ ...globals(command), pool, ...options }, context.io));
    });
}
