import { TenantsRepository } from '../../../store/repositories/tenants-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

/** `simdock tenants list`: every tenant, by path. */
export async function run(options: GlobalOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const tenants = await new TenantsRepository(context.store).listSubtree('/root/');
    if (options.json) {
      printJson(io, tenants);
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['ID', 'KIND', 'NAME', 'PATH'],
        tenants.map((tenant) => [tenant.id, tenant.kind, tenant.name, tenant.path]),
      ),
    );
    return 0;
  });
}

/** `simdock tenants list`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('list')
    .description('list every tenant')
    .action(async (_options, command) => {
      context.setExitCode(await run(globals(command), context.io));
    });
}
