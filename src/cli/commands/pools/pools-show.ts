import { formatBytes } from '../../../domain/index.js';
import { poolUsage } from '../../../services/pools/pools-usage.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface PoolsShowOptions extends GlobalOptions {
  /** Pool id or name. */
  pool: string;
}

/** `simdock pools show POOL`: usage this cycle and the run-out forecast. */
export async function run(options: PoolsShowOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const usage = await poolUsage(context, options.pool);
    if (options.json) {
      printJson(io, usage);
      return 0;
    }
    const bytes = (value: number | null) => (value === null ? 'unknown' : formatBytes(value));
    const { pool } = usage;
    const lines: [string, string][] = [
      [
        'Pool',
        `${pool.id} "${pool.name}" (${pool.source}${pool.account ? `, ${pool.account}` : ''})`,
      ],
      ['Shared quota', pool.shared ? 'yes' : 'no'],
      ['Cycle (CST)', `${usage.cycle.start} to ${usage.cycle.end}`],
      ['Cards', `${usage.members} (${usage.membersWithUsage} with usage)`],
      ['Quota', bytes(pool.quotaBytes)],
      [
        'Used',
        `${bytes(usage.usedBytes)}${usage.percentUsed === null ? '' : ` (${usage.percentUsed} %)`}`,
      ],
      ['Remaining', bytes(usage.remainingBytes)],
      ['Daily rate (7 days)', bytes(usage.dailyRateBytes)],
      ['Runs out on', usage.runOutOn ?? 'not at the current rate'],
    ];
    if (pool.supplierUsedBytes !== null) {
      lines.push(['Supplier says used', bytes(pool.supplierUsedBytes)]);
    }
    for (const [label, value] of lines) println(io.stdout, `${`${label}:`.padEnd(21)}${value}`);
    return 0;
  });
}

/** `simdock pools show`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('show')
    .description("a pool's usage this cycle and the day it runs out at the current rate")
    .argument('<pool>', 'pool id or name')
    .action(async (pool, _options, command) => {
      context.setExitCode(await run({ ...globals(command), pool }, context.io));
    });
}
