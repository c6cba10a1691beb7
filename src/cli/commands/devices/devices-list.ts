import { devicesRepository, deviceView } from '../../../services/devices/devices-service.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface DevicesListOptions extends GlobalOptions {
  account?: string;
  limit?: number;
}

/** `simdock devices list`: stored devices with their effective card; secrets always masked. */
export async function run(options: DevicesListOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const devices = await devicesRepository(context).list({
      ...(options.account !== undefined ? { account: options.account } : {}),
      limit: options.limit ?? 1000,
    });
    const views = devices.map((device) => deviceView(device));
    if (options.json) {
      printJson(io, { devices: views });
      return 0;
    }
    if (views.length === 0) {
      println(io.stdout, 'no devices (run `simdock devices sync --account ID`)');
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['DEVICE', 'ACCOUNT', 'ONLINE', 'SLOT', 'ICCID', 'SIGNAL', 'BATTERY', 'CARDS'],
        views.map((view) => [
          view.deviceNo,
          view.account,
          view.online === null ? null : view.online ? 'yes' : 'no',
          view.effectiveSlot,
          view.slots.find((slot) => slot.slot === view.effectiveSlot)?.iccid ?? null,
          view.signalDbm === null ? null : `${view.signalDbm} dBm`,
          view.batteryPercent === null ? null : `${view.batteryPercent}%`,
          view.slots.filter((slot) => slot.iccid !== null || slot.msisdn !== null).length,
        ]),
      ),
    );
    return 0;
  });
}

/** `simdock devices list`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('list')
    .description('stored devices (passwords never shown)')
    .option('--account <id>', 'only this account')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
