import { SimdockError } from '../../../domain/index.js';
import { createJobQueue } from '../../../jobs/create-job-queue.js';
import { JobsRepository } from '../../../jobs/jobs-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface JobsCancelOptions extends GlobalOptions {
  id: string;
}

/**
 * `simdock jobs cancel ID`: a pending job never runs; a running one is asked to stop (its
 * worker aborts it within a second or so). Exit 3 when the job had already ended.
 */
export async function run(options: JobsCancelOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ config, context }) => {
    const before = await new JobsRepository(context.store).get(options.id);
    if (!before) throw new SimdockError('not_found', `no job with id "${options.id}"`);
    const queue = await createJobQueue(context.store, {
      clock: context.clock,
      databaseUrl: config.database,
    });
    let cancelled: boolean;
    try {
      cancelled = await queue.cancel(options.id);
    } finally {
      await queue.close();
    }
    const after = await new JobsRepository(context.store).get(options.id);
    if (options.json) printJson(io, { cancelled, job: after });
    else if (!cancelled)
      println(io.stdout, `job ${options.id} had already ended (${after?.state})`);
    else if (after?.state === 'running') {
      println(io.stdout, `job ${options.id} is running: asked it to stop`);
    } else println(io.stdout, `job ${options.id} cancelled`);
    return cancelled ? 0 : 3;
  });
}

/** `simdock jobs cancel`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('cancel')
    .description('cancel a pending job, or ask a running one to stop (exit 3 if it had ended)')
    .argument('<id>')
    .action(async (id, _options, command) => {
      context.setExitCode(await run({ ...globals(command), id }, context.io));
    });
}
