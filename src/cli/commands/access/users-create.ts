import { parseRole } from '../../../services/access/access-roles.js';
import { UsersRepository } from '../../../services/access/access-users.js';
import {
  ROOT_TENANT_ID,
  TenantsRepository,
} from '../../../store/repositories/tenants-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface UsersCreateOptions extends GlobalOptions {
  email: string;
  password: string;
  role: string;
  tenant?: string;
}

/** `simdock users create`: a console user (first setup; the password is hashed with scrypt). */
export async function run(options: UsersCreateOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const role = parseRole(options.role);
    await new TenantsRepository(context.store).root();
    const user = await new UsersRepository(context.store).create({
      email: options.email,
      password: options.password,
      role,
      tenantId: options.tenant ?? ROOT_TENANT_ID,
    });
    await context.store.audit.record({
      actor: 'cli',
      action: 'users.create',
      targetType: 'user',
      targetId: String(user.id),
      outcome: 'succeeded',
      details: { email: user.email, role: user.role, tenant: user.tenantId },
    });
    if (options.json)
      printJson(io, { id: user.id, email: user.email, role, tenant: user.tenantId });
    else println(io.stdout, `created user ${user.email} (${role}) in tenant ${user.tenantId}`);
    return 0;
  });
}

/** `simdock users create`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('create')
    .description('create a console user (owner, admin, operator or viewer)')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--password <password>', 'at least 8 characters')
    .requiredOption('--role <role>', 'owner, admin, operator or viewer')
    .option('--tenant <id>', 'the tenant (default: root, the operator)')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
