import { importSupplierPools } from '../../../services/pools/pools-supplier.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface PoolsImportOptions extends GlobalOptions {
  account: string;
}

/** `simdock pools import --account ID`: a Quectel account's billing groups as pools. */
export async function run(options: PoolsImportOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const result = await importSupplierPools(context, options.account);
    if (options.json) {
      printJson(io, result);
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['ID', 'NAME', 'SHARED', 'CARDS', 'NOT IMPORTED'],
        result.pools.map(({ pool, members, unknownCards }) => [
          pool.id,
          pool.name,
          pool.shared ? 'yes' : 'no',
          members,
          unknownCards,
        ]),
      ),
    );
    return 0;
  });
}

/** `simdock pools import`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('import')
    .description("import a Quectel account's billing groups as pools")
    .requiredOption('--account <id>', 'the Quectel account')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
