import { sendSms, smsView } from '../../../services/sms/sms-service.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface SmsSendOptions extends GlobalOptions {
  id: string;
  text: string;
  /** Reuse to retry without sending twice. */
  idempotencyKey?: string;
}

/** `simdock sms send ID TEXT`: one text to one card through whichever supplier holds it. */
export async function run(options: SmsSendOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const result = await sendSms(context, options.id, options.text, 'cli', {
      ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
    });
    if (options.json) {
      printJson(io, { sent: result.sent, message: smsView(result.message) });
      return 0;
    }
    const message = result.message;
    println(
      io.stdout,
      result.sent
        ? `sent to ${options.id} (supplier message ${message.supplierMessageId ?? 'without id'}; key ${message.idempotencyKey})`
        : `already ${message.status} under key ${message.idempotencyKey}: not sent again`,
    );
    return 0;
  });
}

/** `simdock sms send`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('send')
    .description('send a text to a card through whichever supplier holds it')
    .argument('<id>', 'ICCID, MSISDN or IMSI')
    .argument('<text>')
    .option('--idempotency-key <key>', 'reuse to retry without sending twice (16 letters/digits)')
    .action(async (id, text, options, command) => {
      context.setExitCode(await run({ ...globals(command), id, text, ...options }, context.io));
    });
}
