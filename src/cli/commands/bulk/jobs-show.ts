import { SimdockError } from '../../../domain/index.js';
import { JobsRepository } from '../../../jobs/jobs-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { formatInstant, formatProgress } from './jobs-list.js';

export interface JobsShowOptions extends GlobalOptions {
  id: string;
}

/** `simdock jobs show ID`: one job, with its payload, progress, result and last error. */
export async function run(options: JobsShowOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const job = await new JobsRepository(context.store).get(options.id);
    if (!job) throw new SimdockError('not_found', `no job with id "${options.id}"`);
    if (options.json) {
      printJson(io, job);
      return 0;
    }
    const lines: [string, string | null][] = [
      ['ID', job.id],
      ['Name', job.name],
      ['State', job.state],
      ['Attempts', `${job.attempts} of ${job.maxAttempts}`],
      ['Queue', job.queue],
      ['Key', job.key],
      ['Created', `${formatInstant(job.createdAt)}${job.createdBy ? ` by ${job.createdBy}` : ''}`],
      ['Run at', formatInstant(job.runAt)],
      ['Started', formatInstant(job.startedAt)],
      ['Finished', formatInstant(job.finishedAt)],
      ['Progress', formatProgress(job)],
      ['Last error', job.lastError],
      ['Payload', JSON.stringify(job.payload)],
      ['Result', job.result === null ? null : JSON.stringify(job.result)],
    ];
    for (const [label, value] of lines) println(io.stdout, `${label.padEnd(10)} ${value ?? '—'}`);
    return 0;
  });
}

/** `simdock jobs show`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('show')
    .description('one job: payload, progress, result, last error')
    .argument('<id>')
    .action(async (id, _options, command) => {
      context.setExitCode(await run({ ...globals(command), id }, context.io));
    });
}
