import { maskedAccount } from '../../../services/context.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { freshnessOrProblem, needCell } from './accounts-freshness.js';

export async function run(options: GlobalOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const accounts = (await context.store.accounts.list()).map(maskedAccount);
    const lastRuns = await Promise.all(
      accounts.map(
        async (account) =>
          (await context.store.syncRuns.list({ account: account.id, limit: 1 }))[0] ?? null,
      ),
    );
    const cards = await Promise.all(
      accounts.map((account) => context.store.cards.count({ account: account.id })),
    );
    // One account after another: each is a few aggregate queries, none reads cards out.
    const freshness: Awaited<ReturnType<typeof freshnessOrProblem>>[] = [];
    for (const account of accounts) freshness.push(await freshnessOrProblem(context, account));
    if (options.json) {
      printJson(
        io,
        accounts.map((account, index) => ({
          id: account.id,
          type: account.type,
          name: account.name,
          enabled: account.enabled,
          cards: cards[index],
          settings: account.settings,
          secrets: account.secrets,
          freshness: freshness[index]!.freshness?.needs ?? null,
          lastSync: lastRuns[index]
            ? {
                runId: lastRuns[index].id,
                status: lastRuns[index].status,
                finishedAt: lastRuns[index].finishedAt,
              }
            : null,
        })),
      );
      return 0;
    }
    if (accounts.length === 0) {
      println(
        io.stdout,
        'No supplier accounts. Add them under "accounts" in simdock.yaml (see README).',
      );
      return 0;
    }
    const rows = accounts.map((account, index) => {
      const last = lastRuns[index];
      return [
        account.id,
        account.type,
        account.enabled ? 'enabled' : 'disabled',
        cards[index] ?? 0,
        last
          ? `${last.status} ${last.finishedAt ? new Date(last.finishedAt).toISOString() : ''}`
          : 'never',
        freshness[index]!.freshness?.needs.map(needCell).join(', ') || '-',
      ];
    });
    println(
      io.stdout,
      formatTable(['ACCOUNT', 'TYPE', 'STATE', 'CARDS', 'LAST SYNC', 'FRESHNESS'], rows),
    );
    return 0;
  });
}

/** `simdock accounts list`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('list')
    .description('list supplier accounts')
    .action(async (_options, command) => {
      context.setExitCode(await run(globals(command), context.io));
    });
}
