import { AgentAppsRepository } from '../../../store/repositories/agent-apps-repository.js';
import { storeSecretSealer } from '../../../store/secret-sealer.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface AgentAppsCreateOptions extends GlobalOptions {
  tenant: string;
  name?: string;
}

/**
 * `simdock agent-apps create --tenant T`: an app of simdock's own agent open API for a tenant;
 * prints its appID and secret, the secret shown this once.
 */
export async function run(options: AgentAppsCreateOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const { app, secret } = await new AgentAppsRepository(
      context.store,
      storeSecretSealer(context.store),
    ).create({ tenantId: options.tenant, name: options.name ?? null, now: context.clock.now() });
    if (options.json) {
      printJson(io, { appId: app.appId, secret, tenant: app.tenantId, name: app.name });
      return 0;
    }
    println(io.stdout, `agent open API app for tenant ${app.tenantId}`);
    println(io.stdout, `appID:  ${app.appId}`);
    println(io.stdout, `secret: ${secret}   (shown once)`);
    println(io.stdout, 'paths:  POST /openapi/iot/<operation> on the simdock API address');
    return 0;
  });
}

/** `simdock agent-apps create`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('create')
    .description('create an app for a tenant; prints its appID and secret once')
    .requiredOption('--tenant <id>', 'the tenant whose cards the app serves')
    .option('--name <name>')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
