import { removePoolCards } from '../../../services/pools/pools-admin.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { resolveCardIds } from '../rules/rules-options.js';

export interface PoolsRemoveOptions extends GlobalOptions {
  /** Pool id or name. */
  pool: string;
  /** ICCIDs, MSISDNs or IMSIs. */
  cards: string[];
}

/** `simdock pools remove POOL CARD...`: takes cards out of a pool (the cards stay; audited). */
export async function run(options: PoolsRemoveOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const cardIds = await resolveCardIds(context, options.cards);
    const { pool, removed } = await removePoolCards(context, 'cli', options.pool, {
      cards: cardIds,
    });
    if (options.json) printJson(io, { pool: pool.id, removed, cardIds });
    else {
      println(
        io.stdout,
        `Removed ${removed} card${removed === 1 ? '' : 's'} from pool "${pool.name}".`,
      );
    }
    return 0;
  });
}

/** `simdock pools remove`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('remove')
    .description('take cards out of a pool (the cards stay)')
    .argument('<pool>', 'pool id or name')
    .argument('<cards...>', 'ICCIDs, MSISDNs or IMSIs')
    .action(async (pool, cards, _options, command) => {
      context.setExitCode(await run({ ...globals(command), pool, cards }, context.io));
    });
}
