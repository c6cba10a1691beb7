import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import cliProgress from 'cli-progress';
import { SimdockError } from '../../../domain/index.js';
import {
  type BulkPlan,
  type BulkSelection,
  bulkParams,
  createBulkJob,
  planBulkSelection,
} from '../../../services/bulk/bulk-jobs.js';
import {
  type BulkJobSummary,
  type BulkProgress,
  runBulkJob,
} from '../../../services/bulk/bulk-runner.js';
import type { ServiceContext } from '../../../services/context.js';
import {
  type BulkAction,
  BulkJobsRepository,
  isBulkAction,
} from '../../../store/repositories/bulk-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

/** Exit code of a bulk command whose job ended with failed cards. */
export const EXIT_CARDS_FAILED = 5;

export interface CardsActionOptions extends GlobalOptions {
  action: string;
  ids: string[];
  file?: string;
  filter?: string;
  yes?: boolean;
  /** Re-run this job instead of creating one (its failed and interrupted cards only). */
  job?: number;
  params?: Record<string, unknown>;
}

/** Identifiers from a file: one a line, or a CSV whose first column is the identifier. */
async function readIdentifiers(io: CommandIo, file: string): Promise<string[]> {
  const text = await readFile(resolve(io.cwd, file), 'utf8').catch(
    (error: NodeJS.ErrnoException) => {
      throw new SimdockError(
        'invalid_argument',
        `${file}: cannot read (${error.code ?? error.message})`,
      );
    },
  );
  return text
    .split(/\r?\n/)
    .map((line) => line.split(',')[0]!.trim())
    .filter((value) => value !== '' && !/^(iccid|msisdn|imsi)$/i.test(value));
}

/** Asks on the terminal; false when there is none to ask on. */
async function confirm(io: CommandIo, question: string): Promise<boolean> {
  if (!io.stdout.isTTY || !process.stdin.isTTY) return false;
  const readline = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await readline.question(`${question} [y/N] `)).trim());
  } finally {
    readline.close();
  }
}

/** A bar on a terminal, a line every 10 % otherwise, nothing with --json. */
function progressReporter(io: CommandIo, enabled: boolean, label: string) {
  if (!enabled) return { update: (_progress: BulkProgress) => {}, stop: () => {} };
  if (io.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(12)} {bar} {percentage}% | {value}/{total} | {failed} failed`,
        stream: io.stderr as NodeJS.WritableStream,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(progress: BulkProgress) {
        if (!started) bar.start(Math.max(1, progress.total), progress.settled, { failed: 0 });
        started = true;
        bar.update(progress.settled, { failed: progress.failed });
      },
      stop: () => started && bar.stop(),
    };
  }
  let lastTenth = -1;
  return {
    update(progress: BulkProgress) {
      if (progress.waiting) {
        println(
          io.stderr,
          `${label}: ${progress.waiting.cards} cards of ${progress.waiting.account} wait for the supplier's cooldown after their last status change, until ${new Date(progress.waiting.until).toISOString()}`,
        );
        return;
      }
      const tenth = Math.floor((progress.settled / Math.max(1, progress.total)) * 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      println(
        io.stderr,
        `${label}: ${progress.settled}/${progress.total} (${progress.done} done, ${progress.skipped} skipped, ${progress.failed} failed)`,
      );
    },
    stop: () => {},
  };
}

function describePlan(io: CommandIo, action: string, plan: BulkPlan): void {
  const where = plan.accounts
    .map((account) => `${account.account} (${account.supplier}): ${account.cards}`)
    .join(', ');
  println(io.stdout, `${action}: ${plan.cards.length} cards — ${where}`);
}

/** The command that re-runs a job where it is not `simdock cards <action>`. */
const RERUN_COMMAND: Partial<Record<BulkAction, string>> = {
  'data-cap-set': 'cap set',
  'data-cap-cancel': 'cap cancel',
};

function printSummary(io: CommandIo, summary: BulkJobSummary): void {
  const { job } = summary;
  println(
    io.stdout,
    `job ${job.id} ${job.action}: ${job.state} — ${job.done} done, ${job.skipped} skipped, ${job.failed} failed of ${job.total}`,
  );
  for (const reason of summary.reasons) {
    println(
      io.stdout,
      `  ${reason.count} ${reason.state}: ${reason.code ?? ''}${reason.message ? ` ${reason.message}` : ''}`,
    );
  }
  if (job.failed > 0)
    println(
      io.stdout,
      `  re-run: simdock cards ${RERUN_COMMAND[job.action] ?? job.action} --job ${job.id}`,
    );
}

/**
 * Creates a bulk job from IDs, a file or a filter (after showing how many cards of which
 * accounts and asking, unless `--yes`), or re-runs `--job N`, and runs it here with progress.
 */
export async function runBulkCommand(
  context: ServiceContext,
  options: CardsActionOptions,
  io: CommandIo,
): Promise<number> {
  let jobId = options.job;
  if (jobId === undefined) {
    if (!isBulkAction(options.action)) {
      throw new SimdockError('invalid_argument', `unknown action "${options.action}"`);
    }
    const params = bulkParams(options.action as BulkAction, options.params ?? {});
    const identifiers = [
      ...options.ids,
      ...(options.file ? await readIdentifiers(io, options.file) : []),
    ];
    const selection: BulkSelection = {
      ...(identifiers.length ? { identifiers } : {}),
      ...(options.filter ? { filter: options.filter } : {}),
    };
    const plan = await planBulkSelection(context, selection);
    for (const problem of plan.problems)
      println(io.stderr, `simdock: ${problem.value}: ${problem.reason}`);
    if (plan.cards.length === 0) {
      println(io.stderr, 'simdock: no card to act on');
      return 1;
    }
    if (!options.json) describePlan(io, options.action, plan);
    if (!options.yes && !(await confirm(io, `${options.action} ${plan.cards.length} cards?`))) {
      println(
        io.stderr,
        `simdock: not confirmed: add --yes to ${options.action} ${plan.cards.length} cards`,
      );
      return 2;
    }
    const created = await createBulkJob(context, {
      action: options.action,
      params,
      cards: selection,
      actor: 'cli',
    });
    jobId = created.job.id;
  } else {
    const job = await new BulkJobsRepository(context.store).require(jobId);
    if (job.action !== options.action) {
      throw new SimdockError(
        'invalid_argument',
        `job ${jobId} is a ${job.action} job, not ${options.action}`,
      );
    }
  }
  const reporter = progressReporter(io, !options.json, options.action);
  let summary: BulkJobSummary;
  try {
    summary = await runBulkJob(context, jobId, { progress: reporter.update });
  } finally {
    reporter.stop();
  }
  if (options.json) {
    const items = await new BulkJobsRepository(context.store).items(jobId, { limit: 1000 });
    printJson(io, { job: summary.job, reasons: summary.reasons, items: items.slice(0, 1000) });
  } else printSummary(io, summary);
  return summary.job.failed > 0 ? EXIT_CARDS_FAILED : 0;
}

/** `simdock cards pause|resume|activate|end-test|reset|sms`. */
export async function run(options: CardsActionOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, ({ context }) => runBulkCommand(context, options, io));
}

const ACTION_HELP: Record<string, string> = {
  pause: 'stop service (停机) of cards',
  resume: 'resume service (复机) of cards',
  activate: 'activate cards waiting for activation',
  'end-test': 'end the test period of cards',
  reset: 'reset cards (Quectel)',
};

export const jobNumber = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new SimdockError('invalid_argument', '--job must be a job number');
  }
  return number;
};

/**
 * Adds `simdock cards pause|resume|activate|end-test|reset [ID…]` and `simdock cards sms TEXT
 * [ID…]`, each with `--file F`, `--filter EXPR`, `--yes` and `--job N`.
 */
export function register(parent: ParentCommand, context: CliContext): void {
  for (const [action, help] of Object.entries(ACTION_HELP)) {
    parent
      .command(action)
      .description(`${help}: a bulk job with a per-card result (exit 5 when some failed)`)
      .argument('[ids...]', 'ICCIDs, MSISDNs or IMSIs')
      .option('--file <file>', 'identifiers, one a line (or a CSV whose first column holds them)')
      .option('--filter <expr>', 'e.g. "status=active AND account=cmcc AND usage>500MB"')
      .option('--yes', 'act without asking')
      .option(
        '--job <n>',
        're-run a job: retries its failed cards, settles interrupted ones',
        jobNumber,
      )
      .action(async (ids, options, command) => {
        context.setExitCode(
          await run({ ...globals(command), ...options, action, ids }, context.io),
        );
      });
  }
  parent
    .command('sms')
    .description('send one text to many cards: a bulk job, one idempotency key per card')
    .argument('<text>')
    .argument('[ids...]', 'ICCIDs, MSISDNs or IMSIs')
    .option('--file <file>', 'identifiers, one a line')
    .option('--filter <expr>', 'a card filter')
    .option('--yes', 'send without asking')
    .option('--job <n>', 're-run a job', jobNumber)
    .action(async (text, ids, options, command) => {
      context.setExitCode(
        await run(
          { ...globals(command), ...options, action: 'sms', ids, params: { text } },
          context.io,
        ),
      );
    });
  parent
    .command('speed-limit')
    .description("limit cards' speed (agent open API accounts): a bulk job, per-card cooldown kept")
    .requiredOption('--speed <code>', "the supplier's speed code (速率编码)")
    .argument('[ids...]', 'ICCIDs, MSISDNs or IMSIs')
    .option('--file <file>', 'identifiers, one a line')
    .option('--filter <expr>', 'a card filter')
    .option('--yes', 'act without asking')
    .option('--job <n>', 're-run a job', jobNumber)
    .action(async (ids, options, command) => {
      const { speed, ...rest } = options;
      context.setExitCode(
        await run(
          {
            ...globals(command),
            ...rest,
            action: 'speed-limit',
            ids,
            params: { speedCode: speed },
          },
          context.io,
        ),
      );
    });
  parent
    .command('speed-unlimit')
    .description("lift cards' speed limits (agent open API accounts): a bulk job")
    .argument('[ids...]', 'ICCIDs, MSISDNs or IMSIs')
    .option('--file <file>', 'identifiers, one a line')
    .option('--filter <expr>', 'a card filter')
    .option('--yes', 'act without asking')
    .option('--job <n>', 're-run a job', jobNumber)
    .action(async (ids, options, command) => {
      context.setExitCode(
        await run({ ...globals(command), ...options, action: 'speed-unlimit', ids }, context.io),
      );
    });
}
