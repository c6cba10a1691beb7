import { pullInboundSms, smsView } from '../../../services/sms/sms-service.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface SmsPullOptions extends GlobalOptions {
  account: string;
}

/** `simdock sms pull --account ID`: reads the texts cards sent and stores them once. */
export async function run(options: SmsPullOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const result = await pullInboundSms(context, options.account);
    if (options.json) {
      printJson(io, { ...result, stored: result.stored.map(smsView) });
      return 0;
    }
    println(io.stdout, `${result.account}: read ${result.read} texts, ${result.stored.length} new`);
    for (const message of result.stored) {
      println(io.stdout, `  ${message.iccid ?? message.msisdn ?? '?'}: ${message.text}`);
    }
    for (const warning of result.warnings) println(io.stdout, `  warning: ${warning}`);
    return 0;
  });
}

/** `simdock sms pull`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('pull')
    .description('read the texts cards sent (suppliers that offer a pull) and store them once')
    .requiredOption('--account <id>', 'the supplier account')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
