import { deletePool } from '../../../services/pools/pools-admin.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface PoolsDeleteOptions extends GlobalOptions {
  /** Pool id or name. */
  pool: string;
}

/** `simdock pools delete POOL`: a pool no rule watches; its cards stay. */
export async function run(options: PoolsDeleteOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const pool = await deletePool(context, 'cli', options.pool);
    if (options.json) printJson(io, { deleted: pool.id });
    else println(io.stdout, `Deleted pool ${pool.id} "${pool.name}"; its cards stay.`);
    return 0;
  });
}

/** `simdock pools delete`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('delete')
    .description('delete a pool no rule watches (its cards stay)')
    .argument('<pool>', 'pool id or name')
    .action(async (pool, _options, command) => {
      context.setExitCode(await run({ ...globals(command), pool }, context.io));
    });
}
