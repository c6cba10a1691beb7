import { SimdockError } from '../../../domain/index.js';
import { createRetryJob } from '../../../services/bulk/bulk-retry.js';
import type { BulkJob } from '../../../store/repositories/bulk-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { jobNumber, runBulkCommand } from './cards-action.js';

export interface JobsRetryOptions extends GlobalOptions {
  id: number;
}

/**
 * `simdock jobs retry N`: a new bulk job of job N's action and parameters over its failed and
 * never-run cards (the API's `POST /api/v1/jobs/{id}/retry`), run here with progress. Exit 3
 * when job N is still running or has nothing to retry, 5 when cards of the new job failed.
 */
export async function run(options: JobsRetryOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    let created: BulkJob;
    try {
      created = await createRetryJob(context, options.id, 'cli');
    } catch (error) {
      if (!SimdockError.isInstance(error) || error.code !== 'conflict') throw error;
      println(io.stderr, `simdock: ${error.message}`);
      return 3;
    }
    if (!options.json) {
      println(
        io.stdout,
        `job ${created.id} ${created.action}: retrying ${created.total} cards of job ${options.id}`,
      );
    }
    return runBulkCommand(
      context,
      { ...options, action: created.action, ids: [], job: created.id, yes: true },
      io,
    );
  });
}

/** `simdock jobs retry`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('retry')
    .description(
      'a new bulk job over the failed and never-run cards of bulk job N, run here (exit 5 when some failed)',
    )
    .argument('<n>', 'a bulk job number (see the console’s jobs page or GET /api/v1/jobs)')
    .action(async (n, _options, command) => {
      context.setExitCode(await run({ ...globals(command), id: jobNumber(n) }, context.io));
    });
}
