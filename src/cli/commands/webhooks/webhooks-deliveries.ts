import { InvalidArgumentError } from '@commander-js/extra-typings';
import { SimdockError } from '../../../domain/index.js';
import {
  type DeliveryState,
  WebhooksRepository,
} from '../../../store/repositories/webhooks-repository.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

const STATES: readonly DeliveryState[] = ['pending', 'succeeded', 'failed'];

export interface WebhooksDeliveriesOptions extends GlobalOptions {
  endpoint?: number;
  state?: string;
  limit?: number;
}

/** `simdock webhooks deliveries`: the newest deliveries, with attempts and last outcome. */
export async function run(options: WebhooksDeliveriesOptions, io: CommandIo): Promise<number> {
  if (options.state !== undefined && !STATES.includes(options.state as DeliveryState)) {
    throw new SimdockError(
      'invalid_argument',
      `--state must be one of ${STATES.join(', ')} (got "${options.state}")`,
    );
  }
  return withRuntime(options, io, async ({ context }) => {
    const deliveries = await new WebhooksRepository(context.store).listDeliveries(null, {
      endpointId: options.endpoint,
      state: options.state as DeliveryState | undefined,
      limit: options.limit || 50,
    });
    if (options.json) {
      printJson(io, { deliveries });
      return 0;
    }
    if (deliveries.length === 0) {
      println(io.stdout, 'no webhook deliveries');
      return 0;
    }
    const instant = (value: number | null) =>
      value === null ? null : new Date(value).toISOString();
    println(
      io.stdout,
      formatTable(
        ['ID', 'ENDPOINT', 'EVENT', 'TYPE', 'STATE', 'ATTEMPTS', 'LAST', 'NEXT ATTEMPT'],
        deliveries.map((delivery) => [
          delivery.id,
          delivery.endpointId,
          delivery.eventId,
          delivery.eventType,
          delivery.state,
          delivery.attempts,
          delivery.lastStatus ?? delivery.lastError,
          instant(delivery.nextAttemptAt),
        ]),
      ),
    );
    return 0;
  });
}

const positive = (name: string) => (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError(`${name} must be a positive whole number`);
  }
  return number;
};

/** `simdock webhooks deliveries`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('deliveries')
    .description('webhook deliveries, newest first')
    .option('--endpoint <id>', 'one endpoint', positive('--endpoint'))
    .option('--state <state>', 'pending, succeeded or failed')
    .option('--limit <n>', 'at most N (default 50)', positive('--limit'))
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
