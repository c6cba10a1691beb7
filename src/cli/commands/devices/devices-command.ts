import { isDeviceSlot, SimdockError, WIFI_BANDS, type WifiBand } from '../../../domain/index.js';
import { deviceView, sendDeviceCommand } from '../../../services/devices/devices-service.js';
import type { DeviceCommand } from '../../../suppliers/spec/index.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface DevicesCommandOptions extends GlobalOptions {
  device: string;
  /** The account the device must belong to; another account's device is refused. */
  account?: string;
  action: 'reboot' | 'switch-network' | 'wifi';
  /** switch-network: main, vice1, vice2 or esim. */
  slot?: string;
  /** wifi: new SSID, new password, visibility, band. */
  name?: string;
  password?: string;
  visible?: boolean;
  band?: string;
}

/** The supplier commands a CLI invocation stands for (`wifi` may be two). */
export function commandsOf(options: DevicesCommandOptions): DeviceCommand[] {
  if (options.action === 'reboot') return [{ type: 'reboot' }];
  if (options.action === 'switch-network') {
    if (!options.slot || !isDeviceSlot(options.slot)) {
      throw new SimdockError(
        'invalid_argument',
        `the slot must be main, vice1, vice2 or esim, got "${options.slot ?? ''}"`,
      );
    }
    return [{ type: 'switch-network', slot: options.slot }];
  }
  let band: WifiBand | undefined;
  if (options.band !== undefined) {
    if (!(WIFI_BANDS as readonly string[]).includes(options.band)) {
      throw new SimdockError('invalid_argument', `--band must be 2.4GHz or 5GHz`);
    }
    band = options.band as WifiBand;
  }
  const commands: DeviceCommand[] = [];
  if (options.name !== undefined || options.password !== undefined) {
    commands.push({
      type: 'wifi-credentials',
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(band ? { band } : {}),
    });
  }
  if (options.visible !== undefined) {
    commands.push({ type: 'wifi-visibility', visible: options.visible, ...(band ? { band } : {}) });
  }
  if (commands.length === 0) {
    throw new SimdockError('invalid_argument', 'give --name, --password, --show or --hide');
  }
  return commands;
}

/** `simdock devices reboot|switch-network|wifi NO …`: one command to one device. */
export async function run(options: DevicesCommandOptions, io: CommandIo): Promise<number> {
  const commands = commandsOf(options);
  return withRuntime(options, io, async ({ context }) => {
    const results = [];
    for (const command of commands) {
      const result = await sendDeviceCommand(context, options.device, command, 'cli', {
        ...(options.account !== undefined ? { account: options.account } : {}),
      });
      results.push({ command: command.type, accepted: result.accepted, warnings: result.warnings });
      if (!options.json) {
        println(
          io.stdout,
          `${options.device}: ${command.type} ${result.accepted ? 'accepted' : 'not accepted'}`,
        );
        for (const warning of result.warnings) println(io.stdout, `  warning: ${warning}`);
      }
      if (command === commands[commands.length - 1] && options.json) {
        printJson(io, { results, device: deviceView(result.device) });
      }
    }
    return results.every((result) => result.accepted) ? 0 : 4;
  });
}

/** `simdock devices reboot|switch-network|wifi`. */
export function register(parent: ParentCommand, context: CliContext): void {
  const send =
    (action: DevicesCommandOptions['action']) =>
    async (
      device: string,
      options: Partial<DevicesCommandOptions>,
      command: { optsWithGlobals(): Record<string, unknown> },
    ) => {
      context.setExitCode(
        await run({ ...globals(command), ...options, device, action }, context.io),
      );
    };
  parent
    .command('reboot')
    .description('reboot a device (it goes offline for a while)')
    .argument('<device>')
    .option('--account <id>', 'refuse unless the device belongs to this account')
    .action((device, options, command) => send('reboot')(device, options, command));
  parent
    .command('switch-network')
    .description('make the card in another slot carry traffic')
    .argument('<device>')
    .argument('<slot>', 'main, vice1, vice2 or esim')
    .option('--account <id>', 'refuse unless the device belongs to this account')
    .action((device, slot, options, command) =>
      send('switch-network')(device, { ...options, slot }, command),
    );
  parent
    .command('wifi')
    .description("change a device's Wi-Fi name, password or visibility")
    .argument('<device>')
    .option('--name <ssid>', 'new Wi-Fi name')
    .option('--password <password>', 'new Wi-Fi password')
    .option('--show', 'broadcast the Wi-Fi name')
    .option('--hide', 'hide the Wi-Fi name')
    .option('--band <band>', '2.4GHz or 5GHz')
    .option('--account <id>', 'refuse unless the device belongs to this account')
    .action((device, options, command) => {
      const { show, hide, ...rest } = options;
      const visible = show ? true : hide ? false : undefined;
      return send('wifi')(
        device,
        { ...rest, ...(visible !== undefined ? { visible } : {}) },
        command,
      );
    });
}
