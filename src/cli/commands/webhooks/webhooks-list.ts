import { WebhooksRepository } from '../../../store/repositories/webhooks-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface WebhooksListOptions extends GlobalOptions {
  tenant?: string;
}

/** `simdock webhooks list`: endpoints (secrets are never shown again). */
export async function run(options: WebhooksListOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const endpoints = await new WebhooksRepository(context.store).listEndpoints(
      options.tenant ? [options.tenant] : null,
    );
    if (options.json) {
      printJson(io, { endpoints });
      return 0;
    }
    if (endpoints.length === 0) {
      println(io.stdout, 'no webhook endpoints');
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['ID', 'TENANT', 'URL', 'EVENTS', 'ENABLED'],
        endpoints.map((endpoint) => [
          endpoint.id,
          endpoint.tenantId,
          endpoint.url,
          endpoint.eventTypes.length ? endpoint.eventTypes.join(',') : '*',
          endpoint.enabled ? 'yes' : 'no',
        ]),
      ),
    );
    return 0;
  });
}

/** `simdock webhooks list`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('list')
    .description('webhook endpoints')
    .option('--tenant <id>')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
