import { cstMonth, cstToday } from '../../../domain/index.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

const ROOT = { tenantPath: '/root/', isRoot: true } as const;

/**
 * Empties the kept fleet figures and counts them again from the cards, plans, tenants, usage
 * and alerts (after a restore, or to check them). Writers wait for it on PostgreSQL.
 */
export async function run(options: GlobalOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const started = Date.now();
    const rebuilt = await context.store.fleetStats.rebuild();
    const now = context.clock.now();
    const figures = await context.store.fleetStats.figures(ROOT, {
      cycle: cstMonth(now),
      today: cstToday(now),
    });
    const seconds = (Date.now() - started) / 1000;
    if (options.json) {
      printJson(io, { ...rebuilt, seconds, figures });
      return 0;
    }
    println(
      io.stdout,
      `Rebuilt the fleet figures of ${rebuilt.cards} cards (${rebuilt.cycleRows} card cycles of usage) in ${seconds.toFixed(1)} s: ` +
        `${figures.cards.total} cards, ${figures.usage.cardsWithUsage} with usage in ${figures.usage.cycle}, ` +
        `${figures.quota.atOrOver80} at or over 80 % of their quota, ${figures.alerts.open} open alerts.`,
    );
    return 0;
  });
}

/** `simdock stats rebuild`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('rebuild')
    .description('count the kept fleet figures again from the data (after a restore)')
    .action(async (_options, command) => {
      context.setExitCode(await run(globals(command), context.io));
    });
}
