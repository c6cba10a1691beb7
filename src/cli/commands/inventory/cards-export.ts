import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { SimdockError } from '../../../domain/index.js';
import { CARD_SORTS, type CardSort, ScopedCards } from '../../../services/access/access-cards.js';
import type { Principal } from '../../../services/access/access-roles.js';
import { EXPORT_FORMATS, type ExportFormat } from '../../../services/inventory/card-export.js';
import {
  type CardExportQuery,
  type ExportWriteProgress,
  writeCardsFile,
} from '../../../services/inventory/card-export-jobs.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface CardsExportOptions extends GlobalOptions {
  output: string;
  format?: string;
  status?: string;
  account?: string;
  supplier?: string;
  tenant?: string;
  tag?: string;
  usageMin?: number;
  usageMax?: number;
  quotaMin?: number;
  expiresWithin?: number;
  search?: string;
  sort?: string;
  order?: string;
  /** Where times come from for progress lines (tests); default the wall clock. */
  now?: () => number;
}

/** The CLI acts as the operator: every card, the root tenant's view. */
const OPERATOR: Principal = {
  kind: 'user',
  id: 0,
  name: 'cli',
  role: 'owner',
  tenantId: 'root',
  tenantPath: '/root/',
  isRoot: true,
  actor: 'cli',
};

function formatOf(options: CardsExportOptions): ExportFormat {
  const format = options.format ?? (/\.xlsx$/i.test(options.output) ? 'xlsx' : 'csv');
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new SimdockError('invalid_argument', `--format must be csv or xlsx, got "${format}"`, {
      details: { field: 'format', value: format },
    });
  }
  return format as ExportFormat;
}

function queryOf(options: CardsExportOptions): CardExportQuery {
  if (options.sort !== undefined && !(CARD_SORTS as readonly string[]).includes(options.sort)) {
    throw new SimdockError(
      'invalid_argument',
      `--sort must be one of ${CARD_SORTS.join(', ')}, got "${options.sort}"`,
    );
  }
  if (options.order !== undefined && options.order !== 'asc' && options.order !== 'desc') {
    throw new SimdockError('invalid_argument', `--order must be asc or desc`);
  }
  const entries = {
    status: options.status,
    account: options.account,
    supplier: options.supplier,
    tenant: options.tenant,
    tag: options.tag,
    usageMin: options.usageMin,
    usageMax: options.usageMax,
    quotaMin: options.quotaMin,
    expiresWithin: options.expiresWithin,
    q: options.search,
    sort: options.sort as CardSort | undefined,
    order: options.order as 'asc' | 'desc' | undefined,
  };
  return Object.fromEntries(
    Object.entries(entries).filter(([, value]) => value !== undefined),
  ) as CardExportQuery;
}

/** Progress lines on stderr: at most one a second, and the last. */
function progressLines(io: CommandIo, now: () => number) {
  let last = Number.NEGATIVE_INFINITY;
  return (progress: ExportWriteProgress, final = false) => {
    const at = now();
    if (!final && at - last < 1000) return;
    last = at;
    const total =
      progress.total === null ? '' : ` of ${progress.exact ? '' : 'over '}${progress.total}`;
    const percent =
      progress.total && progress.exact
        ? ` (${Math.floor((progress.rows / Math.max(progress.total, 1)) * 100)} %)`
        : '';
    println(io.stderr, `exported ${progress.rows}${total} cards${percent}`);
  };
}

/**
 * `simdock cards export -o FILE`: every card matching the filters (those of `cards list` and
 * the API's card list) written to FILE as CSV or .xlsx, a thousand cards at a time, with
 * progress on stderr. The file appears only once complete (written beside it, then renamed).
 */
export async function run(options: CardsExportOptions, io: CommandIo): Promise<number> {
  const format = formatOf(options);
  const query = queryOf(options);
  const target = resolve(io.cwd, options.output);
  const partial = `${target}.partial`;
  return withRuntime(options, io, async ({ context }) => {
    const report = progressLines(io, options.now ?? Date.now);
    const cards = new ScopedCards(context, OPERATOR);
    let written: Awaited<ReturnType<typeof writeCardsFile>>;
    try {
      written = await writeCardsFile(cards, query, format, partial, {
        onPage: (progress) => report(progress),
      });
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    report({ rows: written.rows, total: written.rows, exact: true }, true);
    if (options.json) {
      printJson(io, { file: target, format, rows: written.rows, bytes: written.bytes });
    } else {
      println(
        io.stdout,
        `Wrote ${written.rows} cards to ${options.output} (${written.bytes} bytes).`,
      );
    }
    return 0;
  });
}

/** Parses a percentage option (decimals allowed). */
const percent = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) {
    throw new InvalidArgumentError(`${name} must be a number of 0 or more`);
  }
  return number;
};

/** `simdock cards export`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('export')
    .description(
      'write every card matching the filters to a CSV or Excel (.xlsx) file, with progress on stderr',
    )
    .requiredOption('-o, --output <file>', 'the file to write')
    .option('--format <format>', 'csv or xlsx (default: from the file name, else csv)')
    .option(
      '--status <status>',
      'test, inventory, active, suspended, pre_deactivated, deactivated, unknown',
    )
    .option('--account <id>', 'only this account')
    .option('--supplier <type>', 'only this supplier type')
    .option('--tenant <id>', 'cards assigned to this tenant or below it')
    .option('--tag <tag>', 'cards with this tag')
    .option(
      '--usage-min <bytes>',
      'used at least this many bytes this cycle',
      wholeNumber('--usage-min'),
    )
    .option(
      '--usage-max <bytes>',
      'used at most this many bytes this cycle',
      wholeNumber('--usage-max'),
    )
    .option(
      '--quota-min <percent>',
      'used at least this share of the plan’s quota',
      percent('--quota-min'),
    )
    .option(
      '--expires-within <days>',
      'plan service ends within this many days',
      wholeNumber('--expires-within'),
    )
    .option('--search <text>', 'match any identifier')
    .option('--sort <column>', `sort by ${CARD_SORTS.join(', ')} (default id)`)
    .option('--order <order>', 'asc or desc (default asc)')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
