import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as devicesCommand from './devices-command.js';
import * as devicesList from './devices-list.js';
import * as devicesShow from './devices-show.js';
import * as devicesSync from './devices-sync.js';

/** `simdock devices list|show|sync|reboot|switch-network|wifi`. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(program, context, { name: 'devices', description: 'multi-SIM devices (MiFi, CPE)' }, [
    devicesList,
    devicesShow,
    devicesSync,
    devicesCommand,
  ]);
}
