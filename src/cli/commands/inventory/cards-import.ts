import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SimdockError } from '../../../domain/index.js';
import { importCards } from '../../../services/inventory/card-import.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface CardsImportOptions extends GlobalOptions {
  file: string;
  account: string;
}

export async function run(options: CardsImportOptions, io: CommandIo): Promise<number> {
  const path = resolve(io.cwd, options.file);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new SimdockError(
      'invalid_argument',
      `${options.file}: cannot read (${error.code ?? error.message})`,
    );
  });
  return withRuntime(options, io, async ({ context }) => {
    const summary = await importCards(context, options.account, text);
    if (options.json) {
      printJson(io, summary);
    } else {
      for (const problem of summary.problems) {
        println(
          io.stderr,
          `${options.file}:${problem.line}: "${problem.value}": ${problem.reason}`,
        );
      }
      println(
        io.stdout,
        `Imported ${summary.inserted} new cards into ${summary.account} ` +
          `(${summary.existing} already there, ${summary.problems.length} lines skipped).`,
      );
    }
    return summary.problems.length > 0 ? 3 : 0;
  });
}

/** `simdock cards import`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('import')
    .description(
      'import cards from a CSV with a header (iccid, msisdn, imsi, imei) or one identifier per line',
    )
    .argument('<file>')
    .requiredOption('--account <id>', 'the supplier account the cards belong to')
    .action(async (file, options, command) => {
      context.setExitCode(
        await run({ ...globals(command), file, account: options.account }, context.io),
      );
    });
}
