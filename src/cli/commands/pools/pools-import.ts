import { importQuectelPools } from '../../../services/pools/pools-quectel.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface PoolsImportOptions extends GlobalOptions {
  account: string;
}

/** `simdock pools import --account ID`: a Quectel account's billing groups as pools. */
export async function run(options: PoolsImportOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const result = await importQuectelPools(context, options.account);
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
