import { formatBytes, SimdockError } from '../../../domain/index.js';
import { readCarrierCap } from '../../../services/carrier/carrier-extras.js';
import { findCard } from '../../../services/inventory/cards.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { jobNumber, run as runAction } from '../bulk/cards-action.js';
import { parseByteSize } from '../rules/rules-options.js';

export interface CapShowOptions extends GlobalOptions {
  id: string;
}

/** `simdock cards cap show ID`: the card's carrier-side cap, read from its supplier now. */
export async function runShow(options: CapShowOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const card = await findCard(context, options.id);
    const cap = await readCarrierCap(context, card);
    if (options.json) {
      printJson(io, { card: card.id, iccid: card.iccid, account: card.account, ...cap });
      return 0;
    }
    const reached =
      cap.reached === null ? '' : cap.reached ? ', reached: data cut' : ', not reached';
    println(
      io.stdout,
      cap.capBytes === null
        ? `${card.iccid ?? card.id}: no carrier-side cap (达量断网) on ${card.account}`
        : `${card.iccid ?? card.id}: carrier-side cap (达量断网) ${formatBytes(cap.capBytes)} on ${card.account}${reached}`,
    );
    return 0;
  });
}

/**
 * `simdock cards cap set --size 500MB [ID…]`, `cap cancel [ID…]` (bulk jobs, audited per card)
 * and `cap show ID`. The carrier enforces the cap itself, even while simdock is down; it is not
 * one of simdock's pause rules.
 */
export function register(parent: ParentCommand, context: CliContext): void {
  const cap = parent
    .command('cap')
    .description(
      "carrier-side data caps (达量断网): the supplier cuts a card's data at the cap, even while simdock is down",
    );
  cap
    .command('set')
    .description('set or change the cap of cards: a bulk job (exit 5 when some failed)')
    .option('--size <size>', 'the cap: bytes, or a number with KB, MB, GB (binary)')
    .argument('[ids...]', 'ICCIDs, MSISDNs or IMSIs')
    .option('--file <file>', 'identifiers, one a line (or a CSV whose first column holds them)')
    .option('--filter <expr>', 'e.g. "account=unicom AND status=active"')
    .option('--yes', 'act without asking')
    .option('--job <n>', 're-run a job: retries its failed cards', jobNumber)
    .action(async (ids, options, command) => {
      const { size, ...rest } = options;
      if (size === undefined && rest.job === undefined) {
        throw new SimdockError('invalid_argument', '--size is required (e.g. --size 500MB)');
      }
      context.setExitCode(
        await runAction(
          {
            ...globals(command),
            ...rest,
            action: 'data-cap-set',
            ids,
            ...(size !== undefined ? { params: { capBytes: parseByteSize(size, '--size') } } : {}),
          },
          context.io,
        ),
      );
    });
  cap
    .command('cancel')
    .description('cancel the cap of cards: a bulk job')
    .argument('[ids...]', 'ICCIDs, MSISDNs or IMSIs')
    .option('--file <file>', 'identifiers, one a line (or a CSV whose first column holds them)')
    .option('--filter <expr>', 'e.g. "account=unicom AND status=active"')
    .option('--yes', 'act without asking')
    .option('--job <n>', 're-run a job: retries its failed cards', jobNumber)
    .action(async (ids, options, command) => {
      context.setExitCode(
        await runAction(
          { ...globals(command), ...options, action: 'data-cap-cancel', ids },
          context.io,
        ),
      );
    });
  cap
    .command('show')
    .description("one card's carrier-side cap, read from its supplier now")
    .argument('<id>', 'ICCID, MSISDN or IMSI')
    .action(async (id, _options, command) => {
      context.setExitCode(await runShow({ ...globals(command), id }, context.io));
    });
}
