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
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new SimdockError(
      'invalid_argument',
      `${options.file}: cannot read (${error.code ?? error.message})`,
    );
  });
  // An Excel workbook by its name (its first worksheet is read as the CSV is), else text.
  const file = /\.xlsx$/i.test(options.file) ? { xlsx: bytes } : bytes.toString('utf8');
  return withRuntime(options, io, async ({ context }) => {
    const summary = await importCards(context, options.account, file);
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
      'import cards from a CSV with a header (iccid, msisdn, imsi, imei) or one identifier per line, or from an Excel .xlsx file laid out the same (its first worksheet)',
    )
    .argument('<file>')
    .requiredOption('--account <id>', 'the supplier account the cards belong to')
    .action(async (file, options, command) => {
      context.setExitCode(
        await run({ ...globals(command), file, account: options.account }, context.io),
      );
    });
}
