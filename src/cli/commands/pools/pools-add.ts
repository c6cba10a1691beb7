import { addPoolCards } from '../../../services/pools/pools-admin.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { resolveCardIds } from '../rules/rules-options.js';

export interface PoolsAddOptions extends GlobalOptions {
  /** Pool id or name. */
  pool: string;
  /** ICCIDs, MSISDNs or IMSIs. */
  cards: string[];
}

/** `simdock pools add POOL CARD...` (cards already in the pool stay once; audited). */
export async function run(options: PoolsAddOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const cardIds = await resolveCardIds(context, options.cards);
    const { pool, added } = await addPoolCards(context, 'cli', options.pool, { cards: cardIds });
    if (options.json) printJson(io, { pool: pool.id, added, cardIds });
    else println(io.stdout, `Added ${added} card${added === 1 ? '' : 's'} to pool "${pool.name}".`);
    return 0;
  });
}

/** `simdock pools add`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('add')
    .description('add cards to a pool')
    .argument('<pool>', 'pool id or name')
    .argument('<cards...>', 'ICCIDs, MSISDNs or IMSIs')
    .action(async (pool, cards, _options, command) => {
      context.setExitCode(await run({ ...globals(command), pool, cards }, context.io));
    });
}
