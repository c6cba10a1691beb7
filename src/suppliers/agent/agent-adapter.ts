import type { Device } from '../../domain/device.js';
import { type CardStatusValue, type Clock, systemClock, toBytes } from '../../domain/index.js';
import {
  DEVICE_COMMAND_TYPES,
  type DeviceBatchResult,
  type DeviceCommandOptions,
  type DeviceCommandResult,
  type DeviceCommandType,
  type DeviceOperationsV1,
  type GetDevicesOptions,
} from '../spec/device-spec.js';
import {
  type BatchResult,
  type Capability,
  type CardsOptions,
  type ChangeSpeedOptions,
  type ChangeStatusOptions,
  type ItemResult,
  type MonthlyUsageOptions,
  type SupplierAdapterV1,
  type SupplierCard,
  SupplierError,
  type SupplierLimits,
  type SupplierRuntime,
  supplierTransport,
  type UsageValue,
} from '../spec/index.js';
import { runCardBatches } from './agent-card-batches.js';
import { AgentClient } from './agent-client.js';
import { runAgentDeviceCommand } from './agent-device-commands.js';
import { agentCardStatus, agentDeviceToDomain, blankToNull } from './agent-device-mapping.js';
import { changeAgentCardStatus, type LifecycleTimings } from './agent-lifecycle.js';
import { AGENT_BATCH_LIMITS } from './agent-protocol.js';
import { AGENT_WIFI_PASSWORD_LENGTH } from './agent-requests.js';
import type { AgentSettings } from './agent-settings.js';
import { changeAgentCardSpeed } from './agent-speed.js';

/**
 * The agent open API as a simdock supplier: identities (batch card info, 100), status (latest
 * status, 10, each card at most 3 times a minute), monthly usage (10, bytes), pause / resume
 * (batch stop / restore, 100, followed to completion), and the device operations.
 * Everything else the API offers (subscribe, IMEI binding, speed limits, packages, real-name,
 * records, assets, terminal tokens) is on `client`.
 */
export class AgentAdapter implements SupplierAdapterV1, DeviceOperationsV1 {
  readonly specificationVersion = 'v1' as const;
  readonly supplier = 'agent';
  readonly accountId: string;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'identities',
    'status',
    'usage.monthly',
    'lifecycle',
  ]);
  readonly limits: SupplierLimits = {
    batchSize: {
      identities: AGENT_BATCH_LIMITS.batchQueryCardInfo,
      status: AGENT_BATCH_LIMITS.batchQueryCardStatus,
      'usage.monthly': AGENT_BATCH_LIMITS.batchQueryCardMonthFlow,
      lifecycle: AGENT_BATCH_LIMITS.batchStopCard,
    },
    lifecycleActions: ['pause', 'resume'],
  };
  readonly deviceSpecificationVersion = 'v1' as const;
  readonly deviceCommands: ReadonlySet<DeviceCommandType> = new Set(DEVICE_COMMAND_TYPES);
  readonly deviceLimits = { batchSize: 1, wifiPasswordLength: AGENT_WIFI_PASSWORD_LENGTH };
  /** The full agent open API client of this account. */
  readonly client: AgentClient;
  readonly #clock: Clock;
  readonly #timings: LifecycleTimings;

  constructor(accountId: string, settings: AgentSettings, runtime: SupplierRuntime = {}) {
    this.accountId = accountId;
    this.#clock = runtime.clock ?? systemClock;
    this.#timings = {
      pollIntervalMs: settings.pollIntervalMs ?? 5_000,
      settleTimeoutMs: settings.settleTimeoutMs ?? 10 * 60_000,
    };
    this.client = new AgentClient({
      baseUrl: settings.baseUrl,
      appId: settings.appId,
      secret: settings.secret,
      paths: settings.paths,
      speedCooldownMs: settings.speedCooldownMs,
      fetch: runtime.fetch,
      wrap: (signed) => supplierTransport({ ...runtime, fetch: signed }),
      clock: this.#clock,
      accountId,
    });
  }

  async doGetIdentities(options: CardsOptions): Promise<BatchResult<SupplierCard>> {
    const outcome = await runCardBatches(
      options.cards,
      AGENT_BATCH_LIMITS.batchQueryCardInfo,
      (cards) => this.client.batchQueryCardInfo(cards, { abortSignal: options.abortSignal }),
      (sim, card) => ({
        key: card.key,
        ok: true,
        value: {
          iccid: blankToNull(sim.iccid)?.toUpperCase() ?? null,
          msisdn: blankToNull(sim.simNo),
          imsi: blankToNull(sim.imsi),
          imei: blankToNull(sim.imei),
          status: agentCardStatus(sim.simStatus),
          extra: {
            deviceNo: blankToNull(sim.deviceNo),
            vice: sim.vice,
            totalFlow: sim.totalFlow,
            useFlow: sim.useFlow,
            speedCode: blankToNull(sim.speedCode),
            authStatus: sim.authStatus,
            endAt: blankToNull(sim.endAt),
          },
        },
      }),
      this.accountId,
    );
    return {
      items: outcome.items,
      warnings: outcome.warnings,
      response: { bodies: outcome.bodies },
    };
  }

  async doGetStatus(options: CardsOptions): Promise<BatchResult<CardStatusValue>> {
    // Cards read 3 times this minute wait their turn as retryable items, without a call.
    const window = this.client.transport.statusWindow;
    const ready = options.cards.filter((card) => window.waitMs(idOf(card)) === 0);
    const waiting: ItemResult<CardStatusValue>[] = options.cards
      .filter((card) => window.waitMs(idOf(card)) > 0)
      .map((card) => ({
        key: card.key,
        ok: false,
        error: new SupplierError(
          'rate_limited',
          `agent: card ${idOf(card)} already read ${window.limit} times this minute`,
          { retryAfterMs: window.waitMs(idOf(card)), accountId: this.accountId },
        ),
      }));
    const outcome = await runCardBatches(
      ready,
      AGENT_BATCH_LIMITS.batchQueryCardStatus,
      (cards) => this.client.batchQueryCardStatus(cards, { abortSignal: options.abortSignal }),
      (status, card) => ({
        key: card.key,
        ok: true,
        value: {
          ...agentCardStatus(status.simStatus),
          // The meaning of these codes is not published: kept verbatim, never guessed.
          connectivity: {
            powered: null,
            online: null,
            raw: {
              onlineStatus: rawText(status.onlineStatus),
              internetStatus: rawText(status.internetStatus),
              lastSimStatusAt: status.lastSimStatusAt,
            },
          },
        },
      }),
      this.accountId,
    );
    return {
      items: [...waiting, ...outcome.items],
      warnings: outcome.warnings,
      response: { bodies: outcome.bodies },
    };
  }

  async doGetMonthlyUsage(options: MonthlyUsageOptions): Promise<BatchResult<UsageValue>> {
    const month = options.month.replace('-', '');
    const outcome = await runCardBatches(
      options.cards,
      AGENT_BATCH_LIMITS.batchQueryCardMonthFlow,
      (cards) =>
        this.client.batchQueryCardMonthFlow(cards, month, { abortSignal: options.abortSignal }),
      // This API reports bytes (DESIGN.md, "Domain rules").
      (flow, card) => ({
        key: card.key,
        ok: true,
        value: { bytes: toBytes(flow.useFlow) },
      }),
      this.accountId,
    );
    return {
      items: outcome.items,
      warnings: outcome.warnings,
      response: { bodies: outcome.bodies },
    };
  }

  /** Contract extra: single-card speed limits (limitCardSpeed / unlimitCardSpeed). */
  doChangeSpeed(options: ChangeSpeedOptions): Promise<BatchResult<Record<string, never>>> {
    return changeAgentCardSpeed(this.client, options);
  }

  async doChangeStatus(options: ChangeStatusOptions): Promise<BatchResult<CardStatusValue>> {
    if (options.action !== 'pause' && options.action !== 'resume') {
      const error = new SupplierError(
        'unsupported',
        `agent supports pause and resume only, not ${options.action}`,
        { retryable: false, accountId: this.accountId },
      );
      return {
        items: options.cards.map((card) => ({ key: card.key, ok: false, error })),
        warnings: [],
        response: { bodies: [] },
      };
    }
    return changeAgentCardStatus(
      this.client,
      this.#clock,
      this.#timings,
      options.action,
      options.cards,
      options.abortSignal,
    );
  }

  async doGetDevices(options: GetDevicesOptions): Promise<DeviceBatchResult<Device>> {
    const items: ItemResult<Device>[] = [];
    const bodies: unknown[] = [];
    for (const device of options.devices) {
      const foreign = this.#foreignDeviceError(device);
      if (foreign) {
        items.push({ key: device.key, ok: false, error: foreign });
        continue;
      }
      try {
        const result = await this.client.queryDeviceFlow(device.deviceNo, {
          abortSignal: options.abortSignal,
        });
        bodies.push(result.body);
        // Kept under the number asked for: the answer may name the device otherwise (its
        // IMEI, a reformatted number), and `devices show` looks it up by what was asked.
        const value = { ...agentDeviceToDomain(result.data), deviceNo: device.deviceNo };
        items.push({ key: device.key, ok: true, value });
      } catch (error) {
        // A refusal about this device is its item's; anything else fails the whole call.
        if (!SupplierError.isInstance(error) || !DEVICE_ITEM_CODES.has(error.code)) throw error;
        items.push({ key: device.key, ok: false, error });
      }
    }
    return { items, warnings: [], response: { bodies } };
  }

  async doDeviceCommand(options: DeviceCommandOptions): Promise<DeviceCommandResult> {
    const foreign = this.#foreignDeviceError(options.device);
    if (foreign) throw foreign;
    const result = await runAgentDeviceCommand(
      this.client,
      options.device.deviceNo,
      options.command,
      options.abortSignal,
    );
    return { key: options.device.key, accepted: true, ...result };
  }

  #foreignDeviceError(device: { key: string; deviceNo: string; accountId?: string }) {
    if (device.accountId === undefined || device.accountId === this.accountId) return null;
    return new SupplierError(
      'invalid_argument',
      `device ${device.deviceNo} belongs to account ${device.accountId}, not ${this.accountId}`,
      { retryable: false, accountId: this.accountId, details: { deviceNo: device.deviceNo } },
    );
  }
}

const DEVICE_ITEM_CODES = new Set(['not_found', 'supplier_rejected', 'invalid_argument']);

function rawText(value: number | null): string | null {
  return value === null ? null : String(value);
}

function idOf(card: { iccid?: string | null; msisdn?: string | null }): string {
  return card.iccid?.toUpperCase() ?? card.msisdn ?? '';
}
