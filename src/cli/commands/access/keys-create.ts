import { ApiKeysRepository } from '../../../services/access/access-keys.js';
import { parseRole } from '../../../services/access/access-roles.js';
import {
  ROOT_TENANT_ID,
  TenantsRepository,
} from '../../../store/repositories/tenants-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface KeysCreateOptions extends GlobalOptions {
  name: string;
  role: string;
  tenant?: string;
}

/** `simdock keys create`: an API key, printed this once (only its hash is kept). */
export async function run(options: KeysCreateOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const role = parseRole(options.role);
    await new TenantsRepository(context.store).root();
    const created = await new ApiKeysRepository(context.store).create({
      name: options.name,
      role,
      tenantId: options.tenant ?? ROOT_TENANT_ID,
      createdBy: 'cli',
    });
    await context.store.audit.record({
      actor: 'cli',
      action: 'keys.create',
      targetType: 'api_key',
      targetId: String(created.apiKey.id),
      outcome: 'succeeded',
      details: { prefix: created.apiKey.prefix, role, tenant: created.apiKey.tenantId },
    });
    if (options.json) {
      printJson(io, {
        key: created.key,
        id: created.apiKey.id,
        prefix: created.apiKey.prefix,
        role,
        tenant: created.apiKey.tenantId,
      });
    } else {
      println(io.stdout, created.key);
      println(
        io.stderr,
        `API key "${created.apiKey.name}" (${role}, tenant ${created.apiKey.tenantId}): store it now, it is not shown again`,
      );
    }
    return 0;
  });
}

/** `simdock keys create`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('create')
    .description('create an API key; it is printed once')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--role <role>', 'owner, admin, operator or viewer')
    .option('--tenant <id>', 'the tenant (default: root, the operator)')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
