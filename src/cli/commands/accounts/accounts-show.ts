import { SimdockError } from '../../../domain/index.js';
import { maskedAccount } from '../../../services/context.js';
import { formatTargetDuration } from '../../../services/sync/freshness-targets.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { budgetNote, freshnessOrProblem, share, staleness } from './accounts-freshness.js';

export async function run(
  options: GlobalOptions & { account: string },
  io: CommandIo,
): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const stored = await context.store.accounts.get(options.account);
    if (!stored) {
      const known = (await context.store.accounts.list()).map((item) => item.id);
      throw new SimdockError(
        'not_found',
        `unknown account "${options.account}"${known.length ? ` (known: ${known.join(', ')})` : ' (no accounts configured)'}`,
        { details: { account: options.account } },
      );
    }
    const account = maskedAccount(stored);
    const cards = await context.store.cards.count({ account: account.id });
    const { freshness, problem } = await freshnessOrProblem(context, account);
    if (options.json) {
      printJson(io, {
        id: account.id,
        type: account.type,
        name: account.name,
        enabled: account.enabled,
        cards,
        settings: account.settings,
        secrets: account.secrets,
        freshness,
      });
      return 0;
    }
    println(
      io.stdout,
      `${account.id} (${account.type})${account.name ? ` "${account.name}"` : ''}: ` +
        `${account.enabled ? 'enabled' : 'disabled'}, ${cards} cards`,
    );
    if (!freshness) {
      println(io.stdout, `freshness: not measured (${problem})`);
      return 0;
    }
    println(
      io.stdout,
      freshness.rateLimit > 0
        ? `call budget: ${freshness.rateLimit} calls/s = ${freshness.dayCapacity} calls a day, ` +
            `schedule budget ${freshness.scheduleBudget}`
        : 'call budget: no rate limit',
    );
    println(io.stdout, `${freshness.settled} deactivated cards (not polled)`);
    println(io.stdout, 'freshness:');
    for (const need of freshness.needs) {
      println(
        io.stdout,
        `  ${need.need}: target ${formatTargetDuration(need.targetMs)} (${need.targetSource === 'account' ? 'account' : 'default'}); ` +
          `p50 ${staleness(need.p50Ms)}, p99 ${staleness(need.p99Ms)}, max ${staleness(need.maxMs)}; ` +
          `${share(need.withinTarget)} of ${need.cards} within target, ${need.neverRead} never read`,
      );
      const note = budgetNote(need, freshness.rateLimit);
      if (note) println(io.stdout, `    ${note}`);
    }
    return 0;
  });
}

/** `simdock accounts show`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('show')
    .description('one supplier account: settings (secrets masked) and how fresh its cards are')
    .argument('<account>', 'account id')
    .action(async (account, _options, command) => {
      context.setExitCode(await run({ ...globals(command), account }, context.io));
    });
}
