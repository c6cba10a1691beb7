import { type Command, InvalidArgumentError } from '@commander-js/extra-typings';
import type { CommandIo } from '../../io.js';
import * as agentAppsCreate from '../access/agent-apps-create.js';
import * as webhooksCreate from './webhooks-create.js';
import * as webhooksDeliveries from './webhooks-deliveries.js';
import * as webhooksList from './webhooks-list.js';

type Globals = (command: { optsWithGlobals(): Record<string, unknown> }) => {
  config: string | undefined;
  json: boolean;
};

const positive = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError(`${name} must be a positive whole number`);
  }
  return number;
};

/** Adds `simdock webhooks create|list|deliveries` and `simdock agent-apps create`. */
export function registerWebhooksCommands(
  // biome-ignore lint/suspicious/noExplicitAny: the program's typed options differ per caller.
  program: Command<any, any, any>,
  io: CommandIo,
  setExitCode: (code: number) => void,
  globals: Globals,
): void {
  const webhooks = program.command('webhooks').description('webhooks out (CloudEvents, signed)');
  webhooks
    .command('create')
    .description('add a webhook endpoint; prints its signing secret once')
    .argument('<url>', 'http(s) URL that receives the POSTs')
    .option('--tenant <id>', 'the tenant whose events it receives (default root: every event)')
    .option('--events <types>', 'comma-separated event types (default: every type)')
    .option('--description <text>')
    .option('--allow-private', 'allow private, loopback and link-local targets')
    .action(async (url, options, command) => {
      setExitCode(await webhooksCreate.run({ ...globals(command), url, ...options }, io));
    });
  webhooks
    .command('list')
    .description('webhook endpoints')
    .option('--tenant <id>')
    .action(async (options, command) => {
      setExitCode(await webhooksList.run({ ...globals(command), ...options }, io));
    });
  webhooks
    .command('deliveries')
    .description('webhook deliveries, newest first')
    .option('--endpoint <id>', 'one endpoint', positive('--endpoint'))
    .option('--state <state>', 'pending, succeeded or failed')
    .option('--limit <n>', 'at most N (default 50)', positive('--limit'))
    .action(async (options, command) => {
      setExitCode(await webhooksDeliveries.run({ ...globals(command), ...options }, io));
    });

  const agentApps = program
    .command('agent-apps')
    .description("apps of simdock's own agent open API");
  agentApps
    .command('create')
    .description('create an app for a tenant; prints its appID and secret once')
    .requiredOption('--tenant <id>', 'the tenant whose cards the app serves')
    .option('--name <name>')
    .action(async (options, command) => {
      setExitCode(await agentAppsCreate.run({ ...globals(command), ...options }, io));
    });
}
