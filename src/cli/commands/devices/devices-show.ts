import {
  devicesRepository,
  deviceView,
  findDevice,
} from '../../../services/devices/devices-service.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface DevicesShowOptions extends GlobalOptions {
  device: string;
  account?: string;
  /** Show the Wi-Fi and admin passwords in clear. */
  reveal?: boolean;
}

const flag = (value: boolean | null, yes: string, no: string) =>
  value === null ? null : value ? yes : no;

/** The device as text: its fields, slots, Wi-Fi and the commands simdock sent it. */
function printDevice(
  io: CommandIo,
  view: ReturnType<typeof deviceView>,
  commands: Awaited<ReturnType<ReturnType<typeof devicesRepository>['commands']>>,
): void {
  const lines: [string, string | number | null][] = [
    ['Device', view.deviceNo],
    ['Account', `${view.account} (${view.supplier})`],
    ['Online', flag(view.online, 'yes', 'no')],
    ['Effective slot', view.effectiveSlot],
    ['Smart switching', flag(view.network.smartSwitching, 'on', 'off')],
    ['Network modes', view.network.modes.join(', ') || null],
    ['Signal', view.signalDbm === null ? null : `${view.signalDbm} dBm`],
    ['Battery', view.batteryPercent === null ? null : `${view.batteryPercent}%`],
    ['Firmware', view.firmware],
    ['MAC', view.mac],
    ['Admin password', view.adminPassword],
    ['Position', view.position?.region ?? null],
    ['Last seen', view.lastSeenAt],
    ['Synced', view.syncedAt],
  ];
  for (const [label, value] of lines) println(io.stdout, `${label.padEnd(16)} ${value ?? '—'}`);
  println(io.stdout);
  println(
    io.stdout,
    formatTable(
      ['SLOT', 'ICCID', 'MSISDN', 'STATUS', 'CARD'],
      view.slots.map((slot) => [
        slot.slot,
        slot.iccid,
        slot.msisdn,
        slot.status?.status ?? null,
        slot.cardId,
      ]),
    ),
  );
  println(io.stdout);
  println(
    io.stdout,
    formatTable(
      ['WIFI', 'NAME', 'PASSWORD', 'VISIBLE', 'ON', 'CLIENTS'],
      view.wifi.map((wifi) => [
        wifi.band,
        wifi.name,
        wifi.password,
        flag(wifi.visible, 'yes', 'no'),
        flag(wifi.enabled, 'yes', 'no'),
        wifi.connectedClients,
      ]),
    ),
  );
  if (commands.length > 0) {
    println(io.stdout);
    println(
      io.stdout,
      formatTable(
        ['SENT', 'COMMAND', 'BY', 'OUTCOME'],
        commands.map((entry) => [
          entry.at === null ? null : new Date(entry.at).toISOString(),
          entry.type,
          entry.actor,
          entry.outcome,
        ]),
      ),
    );
  }
}

/** `simdock devices show NO`: the device, its slots and history; passwords masked unless --reveal. */
export async function run(options: DevicesShowOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const stored = await findDevice(context, options.device, {
      ...(options.account !== undefined ? { account: options.account } : {}),
    });
    const view = deviceView(stored, { reveal: options.reveal === true });
    const commands = (await devicesRepository(context).commands(stored.id)).filter(
      (entry) => entry.source === 'simdock',
    );
    if (options.reveal) {
      await context.store.audit.record({
        actor: 'cli',
        action: 'devices.reveal',
        targetType: 'device',
        targetId: String(stored.id),
        account: stored.account,
        outcome: 'succeeded',
        details: { deviceNo: stored.device.deviceNo },
      });
    }
    if (options.json) {
      printJson(io, { ...view, commands });
      return 0;
    }
    printDevice(io, view, commands);
    return 0;
  });
}

/** `simdock devices show`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('show')
    .description('one device: slots and cards, radio, Wi-Fi, position, history')
    .argument('<device>', 'device number or IMEI')
    .option('--account <id>', 'the account the device belongs to')
    .option('--reveal', 'show the Wi-Fi and admin passwords (audited)')
    .action(async (device, options, command) => {
      context.setExitCode(await run({ ...globals(command), device, ...options }, context.io));
    });
}
