import { AlertsRepository } from '../../../store/repositories/alerts-repository.js';
import { type CliContext, globals, type ParentCommand, wholeNumber } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';
import { resolveCardIds } from './rules-options.js';

export interface AlertsListOptions extends GlobalOptions {
  /** Include acknowledged alerts. */
  all?: boolean;
  /** Only this card (ICCID, MSISDN or IMSI). */
  card?: string;
  rule?: number;
  limit?: number;
  after?: number;
}

/** `simdock alerts list [--all] [--card ID] [--rule N] [--limit N] [--after ID]`. */
export async function run(options: AlertsListOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const cardId = options.card ? (await resolveCardIds(context, [options.card]))[0] : undefined;
    const alerts = await new AlertsRepository(context.store).list({
      ...(options.all ? {} : { open: true }),
      ...(cardId !== undefined ? { cardId } : {}),
      ...(options.rule !== undefined ? { ruleId: options.rule } : {}),
      limit: options.limit ?? 100,
      afterId: options.after ?? 0,
    });
    const view = alerts.map((alert) => ({
      ...alert,
      createdAt: new Date(alert.createdAt).toISOString(),
      acknowledgedAt:
        alert.acknowledgedAt === null ? null : new Date(alert.acknowledgedAt).toISOString(),
    }));
    if (options.json) {
      printJson(io, { alerts: view });
      return 0;
    }
    if (view.length === 0) {
      println(io.stdout, options.all ? 'No alerts.' : 'No open alerts.');
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['ID', 'SEVERITY', 'KIND', 'RULE', 'CYCLE', 'ACK', 'MESSAGE'],
        view.map((alert) => [
          alert.id,
          alert.severity,
          alert.kind,
          alert.ruleId,
          alert.cycle,
          alert.acknowledgedBy,
          alert.message,
        ]),
      ),
    );
    return 0;
  });
}

/** `simdock alerts list`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('list')
    .description('open alerts (all with --all)')
    .option('--all', 'include acknowledged alerts')
    .option('--card <id>', 'only this card (ICCID, MSISDN or IMSI)')
    .option('--rule <id>', 'only this rule', wholeNumber('--rule'))
    .option('--limit <n>', 'alerts per page', wholeNumber('--limit'), 100)
    .option('--after <id>', 'alerts after this id', wholeNumber('--after'))
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
