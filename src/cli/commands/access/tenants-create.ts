import { SimdockError } from '../../../domain/index.js';
import {
  ROOT_TENANT_ID,
  TenantsRepository,
} from '../../../store/repositories/tenants-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface TenantsCreateOptions extends GlobalOptions {
  id: string;
  name?: string;
  kind: string;
  parent?: string;
}

/** `simdock tenants create`: a customer or agent tenant under the root or another tenant. */
export async function run(options: TenantsCreateOptions, io: CommandIo): Promise<number> {
  if (options.kind !== 'customer' && options.kind !== 'agent') {
    throw new SimdockError(
      'invalid_argument',
      `--kind must be customer or agent, got "${options.kind}"`,
    );
  }
  const kind = options.kind;
  return withRuntime(options, io, async ({ context }) => {
    const tenant = await new TenantsRepository(context.store).create({
      id: options.id,
      parentId: options.parent ?? ROOT_TENANT_ID,
      name: options.name ?? options.id,
      kind,
    });
    if (options.json) printJson(io, tenant);
    else println(io.stdout, `created ${tenant.kind} tenant ${tenant.id} at ${tenant.path}`);
    return 0;
  });
}

/** `simdock tenants create`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('create')
    .description('create a customer or agent tenant')
    .argument('<id>', 'lower-case letters, digits and -')
    .option('--name <name>', 'display name (default: the id)')
    .option('--kind <kind>', 'customer or agent', 'customer')
    .option('--parent <id>', 'the parent tenant (default: root)')
    .action(async (id, options, command) => {
      context.setExitCode(await run({ ...globals(command), id, ...options }, context.io));
    });
}
