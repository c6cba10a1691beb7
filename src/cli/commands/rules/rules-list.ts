import type { StoredRule } from '../../../domain/rules-model.js';
import { RulesRepository } from '../../../store/repositories/rules-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

/** One line for a rule: kind, thresholds and actions. */
export function describeRule(rule: StoredRule): string {
  const thresholds = Object.entries(rule.thresholds)
    .map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(',') : value}`)
    .join(' ');
  const actions = ['alert', ...rule.actions.map((action) => action.type)].join('+');
  return `${rule.kind}${thresholds ? ` ${thresholds}` : ''} on ${rule.scope} ${rule.targetId} → ${actions}`;
}

/** `simdock rules list`. */
export async function run(options: GlobalOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const rules = await new RulesRepository(context.store).list();
    if (options.json) {
      printJson(io, rules);
      return 0;
    }
    if (rules.length === 0) {
      println(io.stdout, 'No rules (create one with `simdock rules create`).');
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['ID', 'NAME', 'SEVERITY', 'ENABLED', 'RULE'],
        rules.map((rule) => [
          rule.id,
          rule.name,
          rule.severity,
          rule.enabled ? 'yes' : 'no',
          describeRule(rule),
        ]),
      ),
    );
    return 0;
  });
}

/** `simdock rules list`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('list')
    .description('list rules')
    .action(async (_options, command) => {
      context.setExitCode(await run(globals(command), context.io));
    });
}
