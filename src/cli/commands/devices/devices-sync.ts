import { syncDevices } from '../../../services/devices/devices-service.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface DevicesSyncOptions extends GlobalOptions {
  account: string;
  /** Device numbers to read besides those already known or found through the cards. */
  device?: string[];
}

/** `simdock devices sync --account ID`: reads and stores the account's devices. */
export async function run(options: DevicesSyncOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const summary = await syncDevices(context, options.account, {
      deviceNos: options.device ?? [],
      actor: 'cli',
    });
    if (options.json) {
      printJson(io, summary);
    } else {
      println(
        io.stdout,
        `${summary.account}: ${summary.synced} of ${summary.devices} devices synced, ` +
          `${summary.linkedCards} slot cards linked to the inventory`,
      );
      if (summary.discoveryError) {
        println(
          io.stderr,
          `could not discover devices through the cards: ${summary.discoveryError}`,
        );
      }
      for (const failure of summary.failed) {
        println(io.stdout, `  ${failure.deviceNo}: ${failure.code}: ${failure.message}`);
      }
    }
    return summary.failed.length > 0 ? 4 : 0;
  });
}

/** `simdock devices sync`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('sync')
    .description("read and store an account's devices")
    .requiredOption('--account <id>', 'the supplier account')
    .option('--device <no...>', 'device numbers to read besides those found through the cards')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
