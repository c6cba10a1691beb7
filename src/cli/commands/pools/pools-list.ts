import { formatBytes } from '../../../domain/index.js';
import { PoolsRepository } from '../../../store/repositories/pools-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface PoolsListOptions extends GlobalOptions {
  account?: string;
}

/** `simdock pools list [--account ID]`. */
export async function run(options: PoolsListOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const repository = new PoolsRepository(context.store);
    const pools = await repository.list(
      options.account !== undefined ? { account: options.account } : {},
    );
    const members = await Promise.all(
      pools.map(async (pool) => (await repository.cardIds(pool.id)).length),
    );
    if (options.json) {
      printJson(io, { pools: pools.map((pool, index) => ({ ...pool, members: members[index] })) });
      return 0;
    }
    if (pools.length === 0) {
      println(
        io.stdout,
        'No pools (create one with `simdock pools create`, or `simdock pools import`).',
      );
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['ID', 'NAME', 'SOURCE', 'ACCOUNT', 'SHARED', 'QUOTA', 'CARDS'],
        pools.map((pool, index) => [
          pool.id,
          pool.name,
          pool.source,
          pool.account,
          pool.shared ? 'yes' : 'no',
          pool.quotaBytes === null ? null : formatBytes(pool.quotaBytes),
          members[index]!,
        ]),
      ),
    );
    return 0;
  });
}

/** `simdock pools list`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('list')
    .description('list pools')
    .option('--account <id>', 'only this account')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
