import { type SyncSummary, syncAccount } from '../../../services/sync/sync.js';
import { type AccountFreshness, accountFreshness } from '../../../services/sync/sync-freshness.js';
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

/** A duration for people: 42 s, 17 min, 3.5 h, 2.1 d. */
function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

export function printFreshness(io: CommandIo, item: AccountFreshness): void {
  println(
    io.stdout,
    `${item.account} (${item.supplier}): ${item.cards} cards, ${item.settled} deactivated (not polled); ` +
      (item.rateLimit > 0
        ? `rate ${item.rateLimit}/s = ${item.dayCapacity} calls a day, schedule budget ${item.scheduleBudget}`
        : 'no rate limit'),
  );
  for (const need of item.needs) {
    const meets = need.achievableMs !== null && need.achievableMs > need.targetMs;
    println(
      io.stdout,
      `  ${need.need}: p50 ${duration(need.p50Ms)}, p99 ${duration(need.p99Ms)}, max ${duration(need.maxMs)}; ` +
        `${(need.withinTarget * 100).toFixed(1)} % within ${duration(need.targetMs)}` +
        (need.neverRead ? `, ${need.neverRead} never read` : '') +
        (meets
          ? ` — the call budget holds ${duration(need.achievableMs)} for every card, not ${duration(need.targetMs)}`
          : ''),
    );
  }
}

export async function runStatus(
  options: GlobalOptions & { account?: string },
  io: CommandIo,
): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const accounts = options.account
      ? [options.account]
      : (await context.store.accounts.list())
          .filter((account) => account.enabled)
          .map((account) => account.id);
    const items: AccountFreshness[] = [];
    for (const account of accounts) items.push(await accountFreshness(context, account));
    if (options.json) printJson(io, items);
    else for (const item of items) printFreshness(io, item);
    return 0;
  });
}

/** `simdock sync`. */
export function register(parent: ParentCommand, context: CliContext): void {
  const command = parent
    .command('sync')
    .description('sync identities, statuses and usage from the suppliers')
    .option('--account <id>', 'only this account (default: every enabled account)')
    .option('--days <n>', 'complete CST days of daily usage (default 7)', wholeNumber('--days'))
    .option('--resume', "continue the account's unfinished run (after a crash) instead of anew")
    .option(
      '--full',
      'ask every day and month again, even those already final and stored, and every card’s identifiers (a new IMEI: another device)',
    )
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
  command
    .command('status')
    .description("how fresh each account's statuses and usage are, against targets and budget")
    .option('--account <id>', 'only this account (default: every enabled account)')
    .action(async (options, sub) => {
      context.setExitCode(await runStatus({ ...globals(sub), ...options }, context.io));
    });
}
