import { cstDate, cstMonth, dateRange, monthBounds } from '../../domain/index.js';
import { hashString, PatternFleet, simulatedDailyKb } from '../spec/simulator-kit.js';
import { formatAgentTime } from './agent-device-mapping.js';
import { AGENT_DOCUMENT_DEVICE_DATA } from './agent-document-device.js';
import { AGENT_RECORD_STATUS, AGENT_SIM_STATUS } from './agent-protocol.js';
import { type AgentDevice, type AgentSim, agentDeviceDataSchema } from './agent-schemas.js';

/**
 * The simulated agent platform's data: a pattern fleet of cards (no memory per card until one
 * changes), the document's device and generated devices, asynchronous stop / restore batches
 * that settle after a delay on the simulator's clock, operation records and orders.
 */

type WireSim = AgentSim;
export type WireDevice = AgentDevice;

/** The document's device, read through the same schema the client uses. */
const DOCUMENT = agentDeviceDataSchema.parse(AGENT_DOCUMENT_DEVICE_DATA);

/** A card's mutable state. */
export interface SimulatedCard {
  iccid: string;
  simNo: string;
  imei: string;
  deviceNo: string;
  /** The slot number (`vice`) in its device; 0 when not in a device. */
  vice: number;
  simStatus: number;
  speedCode: string;
  authStatus: number;
  cleanAuthAt: string | null;
  subscribeUrl: string;
  /** The document's own card object, for its two cards; else the first one as a template. */
  template: WireSim;
}

/** A device's mutable state: the wire object plus what the simulation needs. */
export interface SimulatedDevice {
  wire: WireDevice;
  /** Epoch ms until which the device is offline after a reboot or reset. */
  offlineUntil: number;
  poweredOff: boolean;
}

export interface OperationRecord {
  id: number;
  batchNo: string;
  iccid: string;
  simNo: string;
  operateType: 'stop' | 'restore' | 'limitSpeed' | 'unlimitSpeed' | 'clearRealName';
  status: number;
  remark: string;
  createdAt: string;
  finishedAt: string | null;
  /** Epoch ms when a pending record settles. */
  settlesAt: number;
}

const PACKAGE_TOTAL_BYTES = 104_857_600;

/** The pattern of generated devices' numbers (15 digits, IMEI-like). */
const DEVICE_PREFIX = '8652140700';

export class AgentSimulatorFleet {
  readonly cards: PatternFleet;
  readonly devices = new Map<string, SimulatedDevice>();
  readonly records: OperationRecord[] = [];
  readonly orders = new Map<string, { orderNo: string; target: string; packageId: string }>();
  balance = 10_000;
  #changed = new Map<string, SimulatedCard>();
  /** Changed cards by number, so a card named by its number is found without a walk. */
  #changedByNumber = new Map<string, string>();
  /**
   * Indexes over `records`: large batches (a bulk pause of 1,000,000 cards) made every walk of
   * the growing list, once per card and once per call, the simulator's bottleneck.
   */
  #recordsByBatch = new Map<string, OperationRecord[]>();
  #recordsByCard = new Map<string, OperationRecord[]>();
  /** Records still processing, in the order they were added. */
  #processing = new Set<OperationRecord>();
  #generatedDevices: number;
  #recordId = 0;
  #lastRange: { key: string; dates: readonly string[] } | undefined;
  #batchId = 0;

  constructor(options: { size: number; devices: number }) {
    this.cards = new PatternFleet({
      iccidPrefix: '8986112',
      msisdnPrefix: '1440',
      imsiPrefix: '46011',
      imeiPrefix: '86521407',
      size: options.size,
    });
    this.#generatedDevices = Math.min(options.devices, Math.floor(options.size / 2));
    const document = structuredClone(DOCUMENT);
    this.devices.set(document.device.deviceNo, {
      wire: document.device,
      offlineUntil: 0,
      poweredOff: false,
    });
    for (const sim of document.sims) {
      const iccid = sim.iccid ?? '';
      this.#changedByNumber.set(sim.simNo ?? '', iccid);
      this.#changed.set(iccid, {
        iccid,
        simNo: sim.simNo ?? '',
        imei: sim.imei ?? '',
        deviceNo: sim.deviceNo ?? '',
        vice: sim.vice ?? 0,
        simStatus: sim.simStatus ?? AGENT_SIM_STATUS.active,
        speedCode: sim.speedCode ?? '',
        authStatus: sim.authStatus ?? 1,
        cleanAuthAt: sim.cleanAuthAt,
        subscribeUrl: sim.subscribeUrl ?? '',
        template: sim,
      });
    }
    for (let index = 0; index < this.#generatedDevices; index += 1) this.#addDevice(index);
  }

  /** The card with this ICCID or number, or undefined. */
  card(identifier: { iccid?: string; simNo?: string }): SimulatedCard | undefined {
    const key = identifier.iccid?.toUpperCase() ?? this.#iccidOfNumber(identifier.simNo ?? '');
    if (key === undefined) return undefined;
    const changed = this.#changed.get(key);
    if (changed) return changed;
    const index = this.cards.find('iccid', key);
    return index === undefined ? undefined : this.#derived(index);
  }

  /** The card, kept so that changes to it last. */
  mutable(card: SimulatedCard): SimulatedCard {
    const kept = this.#changed.get(card.iccid);
    if (kept) return kept;
    this.#changed.set(card.iccid, card);
    this.#changedByNumber.set(card.simNo, card.iccid);
    return card;
  }

  /** Every card ever changed (the document's two included). */
  changedCards(): SimulatedCard[] {
    return [...this.#changed.values()];
  }

  /** Bytes a card used from the first of a month to `until` (or the month's end). */
  usedBytes(card: SimulatedCard, month: string, now: number): number {
    const { first, last } = monthBounds(month);
    const today = cstDate(now);
    const end = month === cstMonth(now) ? today : last;
    if (first > end) return 0;
    let kb = 0;
    for (const date of this.#dates(first, end)) kb += simulatedDailyKb(card.iccid, date);
    return kb * 1024;
  }

  /**
   * The dates from `first` to `end`, kept for the last range asked: a batch of 100 cards asks
   * the same month 100 times, and working the dates out again for each card was most of a
   * batch call's time at large fleets.
   */
  #dates(first: string, end: string): readonly string[] {
    const key = `${first}|${end}`;
    if (this.#lastRange?.key !== key) this.#lastRange = { key, dates: dateRange(first, end) };
    return this.#lastRange.dates;
  }

  /** The card as the platform sends it (the document's card shape). */
  wireSim(card: SimulatedCard, now: number): WireSim {
    const used = this.usedBytes(card, cstMonth(now), now);
    return {
      ...card.template,
      simNo: card.simNo,
      dockNo: card.simNo,
      iccid: card.iccid,
      imei: card.imei,
      deviceNo: card.deviceNo,
      vice: card.vice,
      simStatus: card.simStatus,
      speedCode: card.speedCode,
      authStatus: card.authStatus,
      cleanAuthAt: card.cleanAuthAt,
      subscribeUrl: card.subscribeUrl,
      totalFlow: PACKAGE_TOTAL_BYTES,
      useFlow: used,
      realUseFlow: used,
    };
  }

  /** Starts an asynchronous stop or restore; returns its batch number. */
  startBatch(type: 'stop' | 'restore', cards: SimulatedCard[], now: number, delayMs: number) {
    this.#batchId += 1;
    const batchNo = `B${String(now).slice(-8)}${String(this.#batchId).padStart(4, '0')}`;
    // Stop and restore change the card when they settle, even with no delay at all.
    for (const card of cards) this.addRecord(batchNo, card, type, now, now + delayMs, true);
    this.settle(now);
    return batchNo;
  }

  addRecord(
    batchNo: string,
    card: SimulatedCard,
    operateType: OperationRecord['operateType'],
    now: number,
    settlesAt = now,
    /** Keep it processing until `settle` applies it (stop and restore change the card). */
    changesCard = false,
  ): OperationRecord {
    this.#recordId += 1;
    const record: OperationRecord = {
      id: this.#recordId,
      batchNo,
      iccid: card.iccid,
      simNo: card.simNo,
      operateType,
      status:
        settlesAt <= now && !changesCard
          ? AGENT_RECORD_STATUS.succeeded
          : AGENT_RECORD_STATUS.processing,
      remark: '',
      createdAt: formatAgentTime(now),
      finishedAt: settlesAt <= now && !changesCard ? formatAgentTime(now) : null,
      settlesAt,
    };
    this.records.push(record);
    append(this.#recordsByBatch, batchNo, record);
    append(this.#recordsByCard, card.iccid, record);
    if (record.status === AGENT_RECORD_STATUS.processing) this.#processing.add(record);
    return record;
  }

  /** The operation records of a batch, of a card, or of both (every record when neither). */
  recordsOf(filter: { batchNo?: string; iccid?: string }): OperationRecord[] {
    const { batchNo, iccid } = filter;
    if (batchNo) {
      const ofBatch = this.#recordsByBatch.get(batchNo) ?? [];
      return iccid ? ofBatch.filter((record) => record.iccid === iccid) : ofBatch;
    }
    return iccid ? (this.#recordsByCard.get(iccid) ?? []) : this.records;
  }

  /** Whether a batch with this number was ever started. */
  hasBatch(batchNo: string): boolean {
    return this.#recordsByBatch.has(batchNo);
  }

  /** Whether a stop or restore of the card is still processing. */
  pending(card: SimulatedCard): boolean {
    return (this.#recordsByCard.get(card.iccid) ?? []).some(
      (record) => record.status === AGENT_RECORD_STATUS.processing,
    );
  }

  /** Applies every asynchronous change whose time has come. */
  settle(now: number): void {
    for (const record of this.#processing) {
      if (record.settlesAt > now) continue;
      this.#processing.delete(record);
      const card = this.card({ iccid: record.iccid });
      if (card) {
        this.mutable(card).simStatus =
          record.operateType === 'stop' ? AGENT_SIM_STATUS.stopped : AGENT_SIM_STATUS.active;
      }
      record.status = AGENT_RECORD_STATUS.succeeded;
      record.finishedAt = formatAgentTime(record.settlesAt);
    }
  }

  /** The device's cards, by slot number. */
  deviceCards(device: SimulatedDevice): SimulatedCard[] {
    const wire = device.wire;
    return [wire.mainIccid, wire.vice1Iccid, wire.vice2Iccid, wire.usimIccid]
      .filter((iccid): iccid is string => !!iccid)
      .map((iccid) => this.card({ iccid }))
      .filter((card): card is SimulatedCard => card !== undefined);
  }

  #iccidOfNumber(simNo: string): string | undefined {
    const changed = this.#changedByNumber.get(simNo);
    if (changed !== undefined) return changed;
    const index = this.cards.find('msisdn', simNo);
    return index === undefined ? undefined : this.cards.card(index).iccid;
  }

  #derived(index: number): SimulatedCard {
    const card = this.cards.card(index);
    const inDevice = index < this.#generatedDevices * 2;
    const bucket = hashString(card.iccid) % 20;
    return {
      iccid: card.iccid,
      simNo: card.msisdn,
      imei: inDevice ? deviceNumber(Math.floor(index / 2)) : '',
      deviceNo: inDevice ? deviceNumber(Math.floor(index / 2)) : '',
      vice: inDevice ? (index % 2) + 1 : 0,
      simStatus:
        inDevice || bucket > 2
          ? AGENT_SIM_STATUS.active
          : ([AGENT_SIM_STATUS.inventory, AGENT_SIM_STATUS.stopped, AGENT_SIM_STATUS.test][
              bucket
            ] as number),
      speedCode: '',
      authStatus: 2,
      cleanAuthAt: null,
      subscribeUrl: '',
      template: DOCUMENT.sims[0]!,
    };
  }

  #addDevice(index: number): void {
    const main = this.cards.card(index * 2);
    const vice = this.cards.card(index * 2 + 1);
    const deviceNo = deviceNumber(index);
    const suffix = deviceNo.slice(-4).toUpperCase();
    const template = structuredClone(DOCUMENT.device);
    const hash = hashString(deviceNo);
    const wire: WireDevice = {
      ...template,
      id: 10_000 + index,
      deviceNo,
      imei: deviceNo,
      mainSimNo: main.msisdn,
      mainIccid: main.iccid,
      vice1SimNo: vice.msisdn,
      vice1Iccid: vice.iccid,
      effectiveSim: 1,
      rssi: -60 - (hash % 40),
      electric: 20 + (hash % 81),
      wifiName: `MIFI-${suffix}`,
      wifiPass: `${String(hash).padStart(10, '0').slice(0, 10)}`,
      mac: `3C:68:01:${suffix.slice(0, 2)}:${suffix.slice(2)}:00`,
      controlResponse: [],
      position: template.position
        ? { ...template.position, cellId: String(151_000_000 + (hash % 10_000)) }
        : null,
    };
    this.devices.set(deviceNo, { wire, offlineUntil: 0, poweredOff: false });
  }
}

function append<Key, Value>(map: Map<Key, Value[]>, key: Key, value: Value): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The number of generated device `index`. */
export function deviceNumber(index: number): string {
  return DEVICE_PREFIX + String(index).padStart(5, '0');
}
