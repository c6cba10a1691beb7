import { PlansRepository } from '../../../store/repositories/plans-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { resolveCardIds } from '../rules/rules-options.js';

export interface PlansAssignOptions extends GlobalOptions {
  /** Plan id or name. */
  plan: string;
  /** ICCIDs, MSISDNs or IMSIs. */
  cards: string[];
  /** The cards' expiry date, CST `YYYY-MM-DD`. */
  expires?: string;
}

/** `simdock plans assign PLAN CARD... [--expires YYYY-MM-DD]`. */
export async function run(options: PlansAssignOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const plans = new PlansRepository(context.store, () => context.clock.now());
    const plan = await plans.require(options.plan);
    const cardIds = await resolveCardIds(context, options.cards);
    const assigned = await plans.assign(cardIds, {
      planId: plan.id,
      ...(options.expires !== undefined ? { expiresOn: options.expires } : {}),
    });
    if (options.json) printJson(io, { plan, cardIds, expiresOn: options.expires ?? null });
    else {
      println(
        io.stdout,
        `Assigned plan "${plan.name}" to ${assigned} card${assigned === 1 ? '' : 's'}${options.expires ? `, expiring on ${options.expires}` : ''}.`,
      );
    }
    return 0;
  });
}

/** `simdock plans assign`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('assign')
    .description('put cards on a plan (and set their expiry date)')
    .argument('<plan>', 'plan id or name')
    .argument('<cards...>', 'ICCIDs, MSISDNs or IMSIs')
    .option('--expires <date>', "the cards' expiry date, YYYY-MM-DD (CST)")
    .action(async (plan, cards, options, command) => {
      context.setExitCode(await run({ ...globals(command), plan, cards, ...options }, context.io));
    });
}
