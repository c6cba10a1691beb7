import { SimdockError } from '../../../domain/index.js';
import { JobsRepository } from '../../../jobs/jobs-repository.js';
import type { JobRecord, JobState } from '../../../services/job-queue.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

const STATES: readonly JobState[] = ['pending', 'running', 'succeeded', 'failed', 'cancelled'];

export interface JobsListOptions extends GlobalOptions {
  state?: string;
  name?: string;
  limit?: number;
}

/** An instant as people read it (ISO, UTC); null stays null. */
export function formatInstant(instant: number | null): string | null {
  return instant === null ? null : new Date(instant).toISOString();
}

/** `done/total` and the message, or null. */
export function formatProgress(job: JobRecord): string | null {
  if (!job.progress) return null;
  const { done, total, message } = job.progress;
  return `${done}/${total}${message ? ` ${message}` : ''}`;
}

/** `simdock jobs list`: the newest jobs first. */
export async function run(options: JobsListOptions, io: CommandIo): Promise<number> {
  if (options.state !== undefined && !STATES.includes(options.state as JobState)) {
    throw new SimdockError(
      'invalid_argument',
      `--state must be one of ${STATES.join(', ')} (got "${options.state}")`,
    );
  }
  return withRuntime(options, io, async ({ context }) => {
    const jobs = await new JobsRepository(context.store).list({
      ...(options.state ? { state: options.state as JobState } : {}),
      ...(options.name ? { name: options.name } : {}),
      limit: options.limit || 50,
    });
    if (options.json) {
      printJson(io, jobs);
      return 0;
    }
    if (jobs.length === 0) {
      println(io.stdout, 'no jobs');
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['ID', 'NAME', 'STATE', 'ATTEMPTS', 'QUEUE', 'CREATED', 'PROGRESS', 'LAST ERROR'],
        jobs.map((job) => [
          job.id,
          job.name,
          job.state,
          `${job.attempts}/${job.maxAttempts}`,
          job.queue,
          formatInstant(job.createdAt),
          formatProgress(job),
          job.lastError,
        ]),
      ),
    );
    return 0;
  });
}

/** `simdock jobs list`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('list')
    .description('list jobs, newest first')
    .option('--state <state>', 'pending, running, succeeded, failed, cancelled')
    .option('--name <name>', 'only jobs of this name')
    .option('--limit <n>', 'jobs to show', wholeNumber('--limit'), 50)
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
