import { createWebhookEndpoint } from '../../../services/webhooks/webhooks-endpoints.js';
import { storeSecretSealer } from '../../../store/secret-sealer.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface WebhooksCreateOptions extends GlobalOptions {
  url: string;
  tenant?: string;
  /** Event types, comma-separated (`card.status_changed,sms.received`); absent = every type. */
  events?: string;
  description?: string;
  /** Allow private, loopback and link-local targets (labs, on-premises receivers). */
  allowPrivate?: boolean;
}

/** `simdock webhooks create URL`: prints the endpoint and its signing secret, shown this once. */
export async function run(options: WebhooksCreateOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const eventTypes = options.events
      ?.split(',')
      .map((type) => type.trim().replace(/^simdock\./, ''))
      .filter(Boolean);
    const { endpoint, secret } = await createWebhookEndpoint(
      context,
      {
        tenantId: options.tenant ?? 'root',
        url: options.url,
        eventTypes,
        description: options.description ?? null,
        createdBy: 'cli',
      },
      {
        allowPrivateTargets: options.allowPrivate === true,
        sealer: storeSecretSealer(context.store),
      },
    );
    if (options.json) {
      printJson(io, { endpoint, secret });
      return 0;
    }
    println(
      io.stdout,
      `webhook endpoint ${endpoint.id} for tenant ${endpoint.tenantId}: ${endpoint.url}`,
    );
    println(
      io.stdout,
      `events: ${endpoint.eventTypes.length ? endpoint.eventTypes.join(', ') : 'every type'}`,
    );
    println(io.stdout, `signing secret (shown once, Standard Webhooks): ${secret}`);
    return 0;
  });
}

/** `simdock webhooks create`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('create')
    .description('add a webhook endpoint; prints its signing secret once')
    .argument('<url>', 'http(s) URL that receives the POSTs')
    .option('--tenant <id>', 'the tenant whose events it receives (default root: every event)')
    .option('--events <types>', 'comma-separated event types (default: every type)')
    .option('--description <text>')
    .option('--allow-private', 'allow private, loopback and link-local targets')
    .action(async (url, options, command) => {
      context.setExitCode(await run({ ...globals(command), url, ...options }, context.io));
    });
}
