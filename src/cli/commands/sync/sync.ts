import { type SyncSummary, syncAccount } from '../../../services/sync/sync.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { syncProgressReporter } from '../../progress.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface SyncOptions extends GlobalOptions {
  account?: string;
  days?: number;
  resume?: boolean;
  full?: boolean;
}

export function printSyncSummary(io: CommandIo, summary: SyncSummary): void {
  println(
    io.stdout,
    `${summary.account} (${summary.supplier}): ${summary.status} — ${summary.cards} cards, ` +
      `${summary.synced} synced, ${summary.failed} failed; ${summary.calls} supplier calls, ` +
      `${summary.rowsWritten} rows written, ${(summary.durationMs / 1000).toFixed(1)} s`,
  );
  if (summary.stoppedBy) {
    println(io.stdout, `  stopped early: ${summary.stoppedBy.message}`);
  }
  for (const [reason, count] of Object.entries(summary.failuresByReason)) {
    println(io.stdout, `  ${count} cards failed: ${reason}`);
  }
}

export async function run(options: SyncOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const accounts = options.account
      ? [options.account]
      : (await context.store.accounts.list())
          .filter((account) => account.enabled)
          .map((account) => account.id);
    if (accounts.length === 0) {
      println(io.stderr, 'simdock: no supplier accounts to sync (add them to simdock.yaml)');
      return 2;
    }
    const reporter = syncProgressReporter(io, !options.json);
    const summaries: SyncSummary[] = [];
    try {
      for (const account of accounts) {
        summaries.push(
          await syncAccount(context, account, {
            days: options.days,
            resume: options.resume,
            full: options.full,
            onProgress: reporter.update,
          }),
        );
        reporter.stop();
      }
    } finally {
      reporter.stop();
    }
    if (options.json) printJson(io, summaries.length === 1 ? summaries[0] : summaries);
    else for (const summary of summaries) printSyncSummary(io, summary);
    return summaries.some((summary) => summary.status === 'failed') ? 4 : 0;
  });
}

/** `simdock sync`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('sync')
    .description('sync identities, statuses and usage from the suppliers')
    .option('--account <id>', 'only this account (default: every enabled account)')
    .option('--days <n>', 'complete CST days of daily usage (default 7)', wholeNumber('--days'))
    .option('--resume', "continue the account's unfinished run (after a crash) instead of anew")
    .option('--full', 'ask every day and month again, even those already final and stored')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
