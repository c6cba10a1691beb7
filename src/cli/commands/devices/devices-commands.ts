import type { Command } from '@commander-js/extra-typings';
import type { CommandIo } from '../../io.js';
import * as devicesCommand from './devices-command.js';
import * as devicesList from './devices-list.js';
import * as devicesShow from './devices-show.js';
import * as devicesSync from './devices-sync.js';

type Globals = (command: { optsWithGlobals(): Record<string, unknown> }) => {
  config: string | undefined;
  json: boolean;
};

/** Adds `simdock devices list|show|sync|reboot|switch-network|wifi`. */
export function registerDevicesCommands(
  // biome-ignore lint/suspicious/noExplicitAny: the program's typed options differ per caller.
  program: Command<any, any, any>,
  io: CommandIo,
  setExitCode: (code: number) => void,
  globals: Globals,
): void {
  const devices = program.command('devices').description('multi-SIM devices (MiFi, CPE)');
  devices
    .command('list')
    .description('stored devices (passwords never shown)')
    .option('--account <id>', 'only this account')
    .action(async (options, command) => {
      setExitCode(await devicesList.run({ ...globals(command), ...options }, io));
    });
  devices
    .command('show')
    .description('one device: slots and cards, radio, Wi-Fi, position, history')
    .argument('<device>', 'device number or IMEI')
    .option('--account <id>', 'the account the device belongs to')
    .option('--reveal', 'show the Wi-Fi and admin passwords (audited)')
    .action(async (device, options, command) => {
      setExitCode(await devicesShow.run({ ...globals(command), device, ...options }, io));
    });
  devices
    .command('sync')
    .description("read and store an account's devices")
    .requiredOption('--account <id>', 'the supplier account')
    .option('--device <no...>', 'device numbers to read besides those found through the cards')
    .action(async (options, command) => {
      setExitCode(await devicesSync.run({ ...globals(command), ...options }, io));
    });
  const send =
    (action: devicesCommand.DevicesCommandOptions['action']) =>
    async (
      device: string,
      options: Partial<devicesCommand.DevicesCommandOptions>,
      command: { optsWithGlobals(): Record<string, unknown> },
    ) => {
      setExitCode(
        await devicesCommand.run({ ...globals(command), ...options, device, action }, io),
      );
    };
  devices
    .command('reboot')
    .description('reboot a device (it goes offline for a while)')
    .argument('<device>')
    .option('--account <id>', 'refuse unless the device belongs to this account')
    .action((device, options, command) => send('reboot')(device, options, command));
  devices
    .command('switch-network')
    .description('make the card in another slot carry traffic')
    .argument('<device>')
    .argument('<slot>', 'main, vice1, vice2 or esim')
    .option('--account <id>', 'refuse unless the device belongs to this account')
    .action((device, slot, options, command) =>
      send('switch-network')(device, { ...options, slot }, command),
    );
  devices
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
