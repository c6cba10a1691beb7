import type { DeviceCommand } from '../spec/device-spec.js';
import { SupplierError, type SupplierResponseInfo, type SupplierWarning } from '../spec/index.js';
import type { AgentClient } from './agent-client.js';
import { AGENT_SLOT_NUMBERS } from './agent-protocol.js';
import { AGENT_WIFI_PASSWORD_LENGTH } from './agent-requests.js';

/**
 * Sends one simdock device command as the matching agent operation. Arguments are checked
 * before any call; the platform's refusals (device offline, empty slot) come back as errors.
 */
export async function runAgentDeviceCommand(
  client: AgentClient,
  deviceNo: string,
  command: DeviceCommand,
  abortSignal?: AbortSignal,
): Promise<{ warnings: SupplierWarning[]; response: SupplierResponseInfo }> {
  const options = { abortSignal };
  const warnings: SupplierWarning[] = [];
  let body: unknown;
  switch (command.type) {
    case 'switch-network':
      body = (await client.switchDeviceNetwork(deviceNo, AGENT_SLOT_NUMBERS[command.slot], options))
        .body;
      break;
    case 'reboot':
      body = (await client.rebootDevice(deviceNo, options)).body;
      warnings.push({ type: 'other', message: 'the device is offline until it has restarted' });
      break;
    case 'reset':
      body = (await client.resetDevice(deviceNo, options)).body;
      warnings.push({
        type: 'other',
        message: 'the device restarts with its factory Wi-Fi name and passwords',
      });
      break;
    case 'shutdown':
      body = (await client.shutdownDevice(deviceNo, options)).body;
      warnings.push({
        type: 'other',
        message: 'the device stays offline until someone powers it on',
      });
      break;
    case 'wifi-visibility': {
      const flag: 0 | 1 = command.visible ? 1 : 0;
      const show = command.band === '5GHz' ? { showWifi5G: flag } : { showWifi: flag };
      body = (await client.updateDeviceWifiShow(deviceNo, show, options)).body;
      break;
    }
    case 'wifi-credentials': {
      if (command.name === undefined && command.password === undefined) {
        throw invalid('give a Wi-Fi name, a password, or both');
      }
      const { min, max } = AGENT_WIFI_PASSWORD_LENGTH;
      if (
        command.password !== undefined &&
        (command.password.length < min || command.password.length > max)
      ) {
        throw invalid(`a Wi-Fi password has ${min}–${max} characters`);
      }
      const account =
        command.band === '5GHz'
          ? { wifiName5G: command.name, wifiPass5G: command.password }
          : { wifiName: command.name, wifiPass: command.password };
      body = (await client.updateDeviceWifiAccount(deviceNo, account, options)).body;
      break;
    }
    case 'stop':
      body = (await client.stopDevice(deviceNo, options)).body;
      break;
    case 'resume':
      body = (await client.restoreDevice(deviceNo, options)).body;
      break;
    default:
      throw invalid(`unknown device command ${(command as { type: string }).type}`);
  }
  return { warnings, response: { bodies: [body] } };
}

function invalid(message: string): SupplierError {
  return new SupplierError('invalid_argument', `agent: ${message}`, { retryable: false });
}
